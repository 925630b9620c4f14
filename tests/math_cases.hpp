#pragma once
// Shared by the tests of the math ops (test_trig, test_unary_math, test_rounding, test_masking):
// every fixture case of an op in fixtures/math.txt, random float64 inputs in a range, and the
// vector-Jacobian product as a function of the inputs and of the upstream gradient, whose
// gradcheck checks double backward (as torch.autograd.gradgradcheck).
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <functional>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace math_cases {

using Fn = std::function<tapegrad::Tensor(const std::vector<tapegrad::Tensor>&)>;

/// Checks every case of math.txt whose name starts with prefix (e.g. "sin."): fn of its inputs
/// in0, in1, ... against PyTorch's out, and the gradients for its gout against grad0, grad1, ...
/// (float64 at 1e-10 relative / 1e-12 absolute, float32 at 1e-5 / 1e-6). Returns how many ran.
inline int check_all(const std::string& prefix, const Fn& fn) {
  const auto& fx = fixtures::load("math");
  int n = 0;
  for (const auto& key : fx.names(prefix)) {
    const std::string suffix = ".out";
    if (key.size() < suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string name = key.substr(0, key.size() - suffix.size());
    std::size_t inputs = 0;
    while (fx.has(name + ".in" + std::to_string(inputs))) ++inputs;
    CHECK_CASE(fx, name, inputs, fn);
    ++n;
  }
  return n;
}

/// A float64 leaf requiring grad, uniform in [lo, hi), from its own generator.
inline tapegrad::Tensor uniform64(const tapegrad::Shape& shape, double lo, double hi, std::uint64_t seed) {
  using namespace tapegrad;
  Generator gen(seed);
  Tensor u = rand(shape, {.dtype = DType::f64}, &gen) * (hi - lo) + lo;
  return u.detach().requires_grad_(true);
}

/// (x0, ..., x{n-1}, w) -> d<w, f(x)>/dx_k, computed with create_graph, so that gradcheck of it
/// checks the second derivatives and the rule's linearity in w.
inline Fn vjp(Fn f, std::size_t n, std::size_t k) {
  return [f = std::move(f), n, k](const std::vector<tapegrad::Tensor>& v) {
    tapegrad::EnableGradGuard enable;
    const std::vector<tapegrad::Tensor> x(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
    const tapegrad::Tensor y = f(x);
    return tapegrad::grad({y}, {x[k]}, {v[n]}, {.create_graph = true})[0];
  };
}

/// The grad_fn name of f's output for float64 inputs of the given values that require grad.
inline std::string grad_fn_name(const Fn& f, const std::vector<std::vector<double>>& inputs) {
  using namespace tapegrad;
  std::vector<Tensor> x;
  for (const auto& v : inputs) x.push_back(tensor(v, {.dtype = DType::f64, .requires_grad = true}));
  const Tensor y = f(x);
  return y.grad_fn() ? y.grad_fn()->name() : std::string("(none)");
}

}  // namespace math_cases
