// Rounding ops. Each: forward (one evaluated pass), record the backward rule right below it.
// floor, ceil, round and trunc are flat between their jumps, so PyTorch (and tapegrad) give a
// zero gradient everywhere; frac = x - trunc(x) passes g.
#include "rounding.hpp"

#include "../node.hpp"
#include "../tensor_kernels.hpp"

namespace tapegrad {

using kernels::unary;

namespace {
// the rule of floor, ceil, round and trunc: zeros of x's shape and dtype, whatever g is
auto zero_rule(const Tensor& x) {
  return [shape = x.shape(), dtype = x.dtype()](const Tensor&) { return GradList{zeros(shape, {.dtype = dtype})}; };
}
}  // namespace

// floor x; dx = 0
Tensor floor(const Tensor& x) {
  Tensor out = unary(x, "floor", [](auto&& e) { return xt::floor(e); });
  record(out, {"floor", "dx = 0"}, {x}, zero_rule(x));
  return out;
}

// ceil x; dx = 0
Tensor ceil(const Tensor& x) {
  Tensor out = unary(x, "ceil", [](auto&& e) { return xt::ceil(e); });
  record(out, {"ceil", "dx = 0"}, {x}, zero_rule(x));
  return out;
}

// round x, halves to even (nearbyint in the default rounding mode); dx = 0
Tensor round(const Tensor& x) {
  Tensor out = unary(x, "round", [](auto&& e) { return xt::nearbyint(e); });
  record(out, {"round", "dx = 0"}, {x}, zero_rule(x));
  return out;
}

// trunc x; dx = 0
Tensor trunc(const Tensor& x) {
  Tensor out = unary(x, "trunc", [](auto&& e) { return xt::trunc(e); });
  record(out, {"trunc", "dx = 0"}, {x}, zero_rule(x));
  return out;
}

// frac x = x - trunc(x); dx = g
Tensor frac(const Tensor& x) {
  Tensor out = unary(x, "frac", [](auto&& e) { return e - xt::trunc(e); });
  record(out, {"frac", "dx = g"}, {x}, [](const Tensor& g) { return GradList{g}; });
  return out;
}

}  // namespace tapegrad
