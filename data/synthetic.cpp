// Synthetic data sets: spirals, moons, noisy line.
#include "synthetic.hpp"

#include <cmath>
#include <numbers>
#include <vector>

#include "../core/errors.hpp"
#include "../autograd/random.hpp"

namespace tapegrad::data {
namespace {

void check_noise(double noise, const char* fn) {
  if (!(noise >= 0) || !std::isfinite(noise)) fail<ValueError>("{}: noise must be finite and >= 0, got {}", fn, noise);
}

}  // namespace

Sample spirals(std::int64_t n_per_class, std::int64_t classes, double noise, std::uint64_t seed, DType dtype) {
  if (n_per_class < 2) fail<ValueError>("spirals: n_per_class must be at least 2, got {}", n_per_class);
  if (classes < 1) fail<ValueError>("spirals: classes must be at least 1, got {}", classes);
  check_noise(noise, "spirals");
  Generator gen(seed);
  std::vector<double> xy, labels;
  xy.reserve(static_cast<std::size_t>(2 * n_per_class * classes));
  for (std::int64_t c = 0; c < classes; ++c)
    for (std::int64_t i = 0; i < n_per_class; ++i) {
      // radius 0..1 along the arm; the arm turns 4 radians, offset 4 radians per class
      const double r = static_cast<double>(i) / static_cast<double>(n_per_class - 1);
      const double angle = 4.0 * (static_cast<double>(c) + r) + noise * gen.normal();
      xy.push_back(r * std::sin(angle));
      xy.push_back(r * std::cos(angle));
      labels.push_back(static_cast<double>(c));
    }
  return {tensor(xy, {n_per_class * classes, 2}, {.dtype = dtype}), tensor(labels, {.dtype = DType::i64})};
}

Sample moons(std::int64_t n, double noise, std::uint64_t seed, DType dtype) {
  if (n < 2) fail<ValueError>("moons: n must be at least 2, got {}", n);
  check_noise(noise, "moons");
  Generator gen(seed);
  const std::int64_t n_out = n / 2, n_in = n - n_out;
  std::vector<double> xy, labels;
  auto t_at = [](std::int64_t i, std::int64_t count) {  // linspace(0, pi, count)
    return count == 1 ? 0.0 : std::numbers::pi * static_cast<double>(i) / static_cast<double>(count - 1);
  };
  for (std::int64_t i = 0; i < n_out; ++i) {  // upper moon, class 0
    xy.push_back(std::cos(t_at(i, n_out)));
    xy.push_back(std::sin(t_at(i, n_out)));
    labels.push_back(0);
  }
  for (std::int64_t i = 0; i < n_in; ++i) {  // lower moon, class 1, shifted right and down
    xy.push_back(1.0 - std::cos(t_at(i, n_in)));
    xy.push_back(0.5 - std::sin(t_at(i, n_in)));
    labels.push_back(1);
  }
  for (double& v : xy) v += noise * gen.normal();
  return {tensor(xy, {n, 2}, {.dtype = dtype}), tensor(labels, {.dtype = DType::i64})};
}

Sample noisy_line(std::int64_t n, double slope, double intercept, double noise, std::uint64_t seed, DType dtype) {
  if (n < 1) fail<ValueError>("noisy_line: n must be at least 1, got {}", n);
  check_noise(noise, "noisy_line");
  Generator gen(seed);
  std::vector<double> x(static_cast<std::size_t>(n)), y(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    x[i] = 2.0 * gen.uniform();                              // x ~ U[0, 2)
    y[i] = slope * x[i] + intercept + noise * gen.normal();  // zero-mean Gaussian noise
  }
  return {tensor(x, {n, 1}, {.dtype = dtype}), tensor(y, {n, 1}, {.dtype = dtype})};
}

}  // namespace tapegrad::data
