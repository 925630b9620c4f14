#pragma once
// Second-order gradcheck: gradcheck of x -> d(sum(fn(x) * w))/dx computed with create_graph, so
// it checks that fn's backward rule is itself differentiable and correct (w is a fixed weight, so
// the second derivative of a linear fn would vanish: pass a fn with curvature, e.g. fn(x)^2).
#include <tapegrad/tapegrad.hpp>

#include <functional>

namespace gradgrad {

using Fn = std::function<tapegrad::Tensor(const tapegrad::Tensor&)>;

inline tapegrad::GradcheckReport check(const Fn& fn, const tapegrad::Tensor& x) {
  using namespace tapegrad;
  return gradcheck(
      [&fn](const std::vector<Tensor>& in) {
        EnableGradGuard enable;  // gradcheck's numerical pass runs under no-grad
        const Tensor out = fn(in[0]);
        const Tensor w = full_like(out, 0.7).detach();
        return grad({sum(mul(out, w))}, {in[0]}, {}, {.create_graph = true})[0];
      },
      {x});
}

}  // namespace gradgrad
