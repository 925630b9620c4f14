#pragma once
// The guard that no op gives a silently wrong gradient after an in-place change: for each case,
// each input (and the output) is changed in place after the forward; the backward must then
// either raise StateError ("modified by an inplace operation") or give exactly the gradients of
// an unchanged run. A backward rule that kept a plain Tensor instead of a SavedTensor fails here.
// Inputs are [2, 2] float64 leaves; a change maps x -> 0.25 - x, which flips the sign of every
// value in (-inf, 0) u (0.25, inf), so masks (relu, clamp, max) change as well as values.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <functional>
#include <string>
#include <vector>

namespace inplace_sweep {

struct Case {
  std::string name;
  std::function<tapegrad::Tensor(const std::vector<tapegrad::Tensor>&)> fn;
  std::vector<std::vector<double>> inputs;  // 4 values each
};

// gradients of every input after changing nothing (-1), input k (0 <= k < n) or the output (n)
inline std::vector<std::vector<double>> grads_of(const Case& c, int change) {
  using namespace tapegrad;
  std::vector<Tensor> in;
  for (const auto& v : c.inputs) in.push_back(tensor(v, Shape{2, 2}, {.dtype = DType::f64, .requires_grad = true}));
  Tensor out = c.fn(in);
  {
    NoGradGuard no_grad;
    auto flip = [](Tensor t) { t.mul_(-1.0).add_(0.25); };
    if (change >= 0 && change < static_cast<int>(in.size())) flip(in[static_cast<std::size_t>(change)]);
    if (change == static_cast<int>(in.size())) flip(out.detach());
  }
  out.backward(ones_like(out));
  std::vector<std::vector<double>> g;
  for (const Tensor& t : in) g.push_back(t.has_grad() ? t.grad().to_vector() : std::vector<double>{});
  return g;
}

inline void run(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO("op ", c.name);
    const auto reference = grads_of(c, -1);
    for (int change = 0; change <= static_cast<int>(c.inputs.size()); ++change) {
      INFO("changed ",
           change == static_cast<int>(c.inputs.size()) ? std::string("the output") : "input " + std::to_string(change));
      try {
        const auto g = grads_of(c, change);  // outside CHECK, which would catch the error itself
        CHECK(g == reference);
      } catch (const tapegrad::StateError& e) {
        CHECK(std::string(e.what()).find("modified by an inplace operation") != std::string::npos);
      }
    }
  }
}

}  // namespace inplace_sweep
