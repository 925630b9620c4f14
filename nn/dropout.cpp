// Dropout: y = x * mask, mask = keep / (1 - p) with keep ~ Bernoulli(1 - p); dx = g * mask.
#include "dropout.hpp"

#include "../autograd/ops/elementwise.hpp"

namespace tapegrad::nn {

namespace {
void check_p(double p) {
  if (!(p >= 0.0 && p <= 1.0))
    fail<ValueError>("Dropout: dropout probability has to be between 0 and 1, but got {}", p);
}
}  // namespace

Dropout::Dropout(double p, Generator* generator) : p(p), generator(generator) { check_p(p); }

Tensor Dropout::forward(const Tensor& x) {
  check_p(p);  // p is a public member: it may have changed since construction
  if (!is_training() || p == 0.0) return x;
  // the mask is a constant (no grad), so mul's rule gives dx = g * mask
  Tensor mask = tapegrad::detail::make_tensor(x.shape(), x.dtype());
  Generator& gen = generator ? *generator : default_generator();
  const double keep = 1.0 - p;
  const double scale = p == 1.0 ? 0.0 : 1.0 / keep;
  dispatch_float(x.dtype(), "Dropout", [&]<class T>() {
    T* m = mask.data<T>();
    for (std::int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = gen.uniform() < keep ? static_cast<T>(scale) : T(0);
  });
  return mul(x, mask);
}

std::string Dropout::extra_repr() const { return fmt::format("p={}, inplace=False", format_float(p)); }

}  // namespace tapegrad::nn
