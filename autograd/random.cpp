#include "random.hpp"

#include <cmath>
#include <numbers>

namespace tapegrad {

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Box-Muller: u1 in (0, 1] so the log is finite
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
  has_spare_ = true;
  return r * std::cos(2.0 * std::numbers::pi * u2);
}

std::int64_t Generator::integer(std::int64_t low, std::int64_t high) {
  const auto span = static_cast<std::uint64_t>(high - low);
  // rejection sampling keeps the draw unbiased
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  std::uint64_t x;
  do x = engine_();
  while (x >= limit);
  return low + static_cast<std::int64_t>(x % span);
}

Generator& default_generator() {
  thread_local Generator gen;
  return gen;
}

void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

namespace {
template <class F> Tensor generate(const Shape& shape, TensorOptions o, F&& draw) {
  Tensor t = empty(shape, {.dtype = o.dtype});
  dispatch_all(o.dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(draw());
  });
  if (o.requires_grad) t.requires_grad_(true);
  return t;
}
Generator& pick(Generator* g) { return g ? *g : default_generator(); }
}  // namespace

Tensor rand(const Shape& shape, TensorOptions o, Generator* gen) {
  auto& g = pick(gen);
  return generate(shape, o, [&] { return g.uniform(); });
}

Tensor randn(const Shape& shape, TensorOptions o, Generator* gen) {
  auto& g = pick(gen);
  return generate(shape, o, [&] { return g.normal(); });
}

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, TensorOptions o, Generator* gen) {
  if (high <= low) fail<ValueError>("randint: high ({}) must be greater than low ({})", high, low);
  auto& g = pick(gen);
  return generate(shape, o, [&] { return static_cast<double>(g.integer(low, high)); });
}

Tensor rand_like(const Tensor& t, Generator* gen) { return rand(t.shape(), {.dtype = t.dtype()}, gen); }
Tensor randn_like(const Tensor& t, Generator* gen) { return randn(t.shape(), {.dtype = t.dtype()}, gen); }

Tensor randperm(std::int64_t n, Generator* gen) {
  if (n < 0) fail<ValueError>("randperm: n must be non-negative, got {}", n);
  auto& g = pick(gen);
  Tensor t = arange(static_cast<double>(n), {.dtype = DType::i64});
  std::int64_t* p = t.data<std::int64_t>();
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.integer(0, i + 1)]);  // Fisher-Yates
  return t;
}

}  // namespace tapegrad
