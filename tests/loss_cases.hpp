#pragma once
// Shared by the loss tests: runs the fixture cases of losses.txt (written by
// fixtures/gen_losses.py), whose options are stored beside each case as NAME.opts.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace loss_cases {

using tapegrad::Tensor;
using tapegrad::losses::Reduction;

/// The loss under test: inputs (in0, in1), the case name (for NAME.weight etc.) and NAME.opts.
using LossFn = std::function<Tensor(const std::vector<Tensor>&, const std::string&, const std::vector<double>&)>;

/// Seeded float64 N(0, 1) values of the given shape.
inline Tensor randn64(const tapegrad::Shape& shape, std::uint64_t seed, bool requires_grad = true) {
  tapegrad::Generator gen(seed);
  return tapegrad::randn(shape, {.dtype = tapegrad::DType::f64, .requires_grad = requires_grad}, &gen);
}

/// Seeded float64 U(lo, hi) values of the given shape.
inline Tensor rand64(const tapegrad::Shape& shape, std::uint64_t seed, double lo, double hi,
                     bool requires_grad = true) {
  tapegrad::Generator gen(seed);
  Tensor u = tapegrad::rand(shape, {.dtype = tapegrad::DType::f64}, &gen) * (hi - lo) + lo;
  return u.detach().requires_grad_(requires_grad);
}

/// Seeded int64 class indices in [0, c).
inline Tensor classes(const tapegrad::Shape& shape, std::int64_t c, std::uint64_t seed) {
  tapegrad::Generator gen(seed);
  return tapegrad::randint(0, c, shape, {.dtype = tapegrad::DType::i64}, &gen);
}

/// Reduction from the fixture's code: 0 none, 1 mean, 2 sum, 3 batchmean.
inline Reduction reduction(double code) {
  static const Reduction table[] = {Reduction::none, Reduction::mean, Reduction::sum, Reduction::batchmean};
  return table[static_cast<int>(code)];
}

/// NAME.suffix if the fixture has it (e.g. "weight"), else an undefined tensor (no weight).
inline Tensor optional(const std::string& name, const std::string& suffix) {
  const auto& fx = fixtures::load("losses");
  return fx.has(name + "." + suffix) ? fx[name + "." + suffix] : Tensor();
}

/// Checks every case whose name starts with prefix (values and gradients vs PyTorch);
/// returns how many ran.
inline int run_all(const std::string& prefix, const LossFn& fn) {
  const auto& fx = fixtures::load("losses");
  int n = 0;
  for (const auto& key : fx.names(prefix)) {
    const std::string suffix = ".out";
    if (key.size() < suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string name = key.substr(0, key.size() - suffix.size());
    const std::vector<double> opts = fx[name + ".opts"].to_vector();
    CHECK_CASE(fx, name, 2, ([&](const std::vector<Tensor>& in) { return fn(in, name, opts); }));
    ++n;
  }
  return n;
}

}  // namespace loss_cases
