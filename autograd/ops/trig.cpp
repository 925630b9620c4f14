// Trigonometric and hyperbolic ops. Each: forward (one evaluated pass through kernels::unary, or
// std::atan2 for atan2), record the backward rule right below it. Rules are PyTorch's formulas
// (tools/autograd/derivatives.yaml), written with differentiable ops so double backward works;
// the same formulas give the same inf and NaN at the domain edges.
#include "trig.hpp"

#include <cmath>

#include "../node.hpp"
#include "../../core/parallel.hpp"
#include "broadcast.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "unary_math.hpp"

namespace tapegrad {

using kernels::unary;

// sin x; dx = g cos x
Tensor sin(const Tensor& x) {
  Tensor out = unary(x, "sin", [](auto&& e) { return xt::sin(e); });
  record(out, {"sin", "dx = g * cos(x)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g * cos(x.unpack())}; });
  return out;
}

// cos x; dx = -g sin x
Tensor cos(const Tensor& x) {
  Tensor out = unary(x, "cos", [](auto&& e) { return xt::cos(e); });
  record(out, {"cos", "dx = g * -sin(x)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g * -sin(x.unpack())}; });
  return out;
}

// y = tan x; dx = g (1 + y²)
Tensor tan(const Tensor& x) {
  Tensor out = unary(x, "tan", [](auto&& e) { return xt::tan(e); });
  record(out, {"tan", "dx = g * (1 + y^2), y = tan(x)"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    const Tensor t = saved_or_recomputed(y, [&] { return tan(x.unpack()); });
    return GradList{g * (1.0 + t * t)};
  });
  return out;
}

// asin x; dx = g / √(1 - x²)
Tensor asin(const Tensor& x) {
  Tensor out = unary(x, "asin", [](auto&& e) { return xt::asin(e); });
  record(out, {"asin", "dx = g * rsqrt(1 - x^2)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{g * rsqrt(-x * x + 1.0)};
  });
  return out;
}

// acos x; dx = -g / √(1 - x²)
Tensor acos(const Tensor& x) {
  Tensor out = unary(x, "acos", [](auto&& e) { return xt::acos(e); });
  record(out, {"acos", "dx = g * -rsqrt(1 - x^2)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{g * -rsqrt(-x * x + 1.0)};
  });
  return out;
}

// atan x; dx = g / (x² + 1)
Tensor atan(const Tensor& x) {
  Tensor out = unary(x, "atan", [](auto&& e) { return xt::atan(e); });
  record(out, {"atan", "dx = g / (x^2 + 1)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{g / (x * x + 1.0)};
  });
  return out;
}

namespace {
// std::atan2 elementwise with broadcasting: its signed zeros and infinities are exact, where
// xsimd's vectorised atan2 gives NaN at (0, 0)
Tensor atan2_kernel(const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "atan2");
  const Shape shape = a.shape() == b.shape() ? a.shape() : broadcast_shapes(a.shape(), b.shape(), "atan2");
  Tensor out = detail::make_tensor(shape, a.dtype());
  dispatch_float(a.dtype(), "atan2", [&]<class T>() {
    const Tensor ab = a.shape() == shape ? a : expand(a.detach(), shape);
    const Tensor bb = b.shape() == shape ? b : expand(b.detach(), shape);
    const T *y = ab.data<T>(), *x = bb.data<T>();
    T* o = out.data<T>();
    detail::parallel_for(out.numel(), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) o[i] = std::atan2(y[i], x[i]);
    });
  });
  return out;
}
}  // namespace

// a [..] and b [..] broadcast -> atan2(a, b); with r = 1 / (a² + b²): da = g b r, db = -g a r
Tensor atan2(const Tensor& self, const Tensor& other) {
  Tensor out = atan2_kernel(self, other);
  record(out, {"atan2", "da = g * b / (a^2 + b^2), db = g * -a / (a^2 + b^2)"}, {self, other},
         [as = save(self), bs = save(other)](const Tensor& g) {
           const Tensor &a = as.unpack(), &b = bs.unpack();
           const Tensor r = reciprocal(a * a + b * b);
           return GradList{as.requires_grad() ? sum_to(g * b * r, a.shape()) : Tensor(),
                           bs.requires_grad() ? sum_to(g * -a * r, b.shape()) : Tensor()};
         });
  return out;
}

// sinh x; dx = g cosh x
Tensor sinh(const Tensor& x) {
  Tensor out = unary(x, "sinh", [](auto&& e) { return xt::sinh(e); });
  record(out, {"sinh", "dx = g * cosh(x)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g * cosh(x.unpack())}; });
  return out;
}

// cosh x; dx = g sinh x
Tensor cosh(const Tensor& x) {
  Tensor out = unary(x, "cosh", [](auto&& e) { return xt::cosh(e); });
  record(out, {"cosh", "dx = g * sinh(x)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g * sinh(x.unpack())}; });
  return out;
}

// asinh x; dx = g / √(x² + 1)
Tensor asinh(const Tensor& x) {
  Tensor out = unary(x, "asinh", [](auto&& e) { return xt::asinh(e); });
  record(out, {"asinh", "dx = g * rsqrt(x^2 + 1)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{g * rsqrt(x * x + 1.0)};
  });
  return out;
}

// acosh x; dx = g / √(x² - 1)
Tensor acosh(const Tensor& x) {
  Tensor out = unary(x, "acosh", [](auto&& e) { return xt::acosh(e); });
  record(out, {"acosh", "dx = g * rsqrt(x^2 - 1)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{g * rsqrt(x * x - 1.0)};
  });
  return out;
}

// atanh x; dx = g / (1 - x²)
Tensor atanh(const Tensor& x) {
  Tensor out = unary(x, "atanh", [](auto&& e) { return xt::atanh(e); });
  record(out, {"atanh", "dx = g / (1 - x^2)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{g / (1.0 - x * x)};
  });
  return out;
}

}  // namespace tapegrad
