// One-sided clamps, masked_fill and where with scalars. Each: check, forward (one evaluated
// pass), record the backward rule right below it. Masks are read as "nonzero is true" in their
// own dtype (never converted first, which could round a tiny float64 to a float32 zero).
#include "masking.hpp"

#include <cmath>

#include "../node.hpp"
#include "../../core/parallel.hpp"
#include "broadcast.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"

namespace tapegrad {

using kernels::unary;

namespace {

// out = cond != 0 ? a : b over `shape`, each operand broadcast to it; a and b have dtype (a 0-d
// tensor for a scalar), cond any dtype
Tensor select_by(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& shape, DType dtype,
                 const char* op) {
  Tensor out = detail::make_tensor(shape, dtype);
  dispatch_float(dtype, op, [&]<class T>() {
    dispatch_all(cond.dtype(), [&]<class C>() {
      // each operand of the output's shape (step 1) or a single value (step 0): one flat loop
      auto step = [&](const Tensor& t) { return t.shape() == shape ? 1 : 0; };
      auto flat_ok = [&](const Tensor& t) { return t.shape() == shape || t.numel() == 1; };
      if (flat_ok(cond) && flat_ok(a) && flat_ok(b)) {
        const C* c = cond.data<C>();
        const T *pa = a.data<T>(), *pb = b.data<T>();
        T* o = out.data<T>();
        const std::int64_t sc = step(cond), sa = step(a), sb = step(b);
        detail::parallel_for(out.numel(), [&](std::int64_t lo, std::int64_t hi) {
          for (std::int64_t i = lo; i < hi; ++i) o[i] = c[i * sc] != C(0) ? pa[i * sa] : pb[i * sb];
        });
        return;
      }
      const auto s = kernels::xshape(shape);
      auto o = kernels::nd<T>(out);
      xt::noalias(o) = xt::where(xt::not_equal(xt::broadcast(kernels::nd<C>(cond), s), C(0)),
                                 xt::broadcast(kernels::nd<T>(a), s), xt::broadcast(kernels::nd<T>(b), s));
    });
  });
  return out;
}

Tensor scalar_of(double v, DType dtype) { return scalar_tensor(v, {.dtype = is_floating(dtype) ? dtype : DType::f32}); }

// max(x, v) (Lower) or min(x, v), NaN where x or v is NaN
template <bool Lower> Tensor clamp_one(const Tensor& x, double v, const char* op) {
  return dispatch_float(x.dtype(), op, [&]<class T>() {
    const T b = static_cast<T>(v);
    if (std::isnan(v)) return unary(x, op, [b](auto&& e) { return e + b; });  // NaN everywhere
    if constexpr (Lower) return unary(x, op, [b](auto&& e) { return xt::where(e < b, b, e); });
    else return unary(x, op, [b](auto&& e) { return xt::where(e > b, b, e); });
  });
}

}  // namespace

// max(x, v); dx = g where x >= v, else 0
Tensor clamp_min(const Tensor& x, double min) {
  Tensor out = clamp_one<true>(x, min, "clamp_min");
  record(out, {"clamp_min", "dx = g where x >= min, else 0"}, {x},
         [xs = save(x), min](const Tensor& g) { return GradList{where(xs.unpack() >= min, g, 0.0)}; });
  return out;
}

// min(x, v); dx = g where x <= v, else 0
Tensor clamp_max(const Tensor& x, double max) {
  Tensor out = clamp_one<false>(x, max, "clamp_max");
  record(out, {"clamp_max", "dx = g where x <= max, else 0"}, {x},
         [xs = save(x), max](const Tensor& g) { return GradList{where(xs.unpack() <= max, g, 0.0)}; });
  return out;
}

// x [..] and mask [..] broadcast -> value where mask, else x; dx = sum_to(g where not mask, else 0)
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  const Shape shape = broadcast_shapes(x.shape(), mask.shape(), "masked_fill");
  Tensor out = select_by(mask, scalar_of(value, x.dtype()), x, shape, x.dtype(), "masked_fill");
  record(out, {"masked_fill", "dx = g where mask is 0, else 0"}, {x},
         [m = save(mask), xs = x.shape()](const Tensor& g) {
           return GradList{sum_to(masked_fill(g, m.unpack(), 0.0), xs)};
         });
  return out;
}

// cond [..] and a [..] broadcast -> a where cond, else b; da = sum_to(g where cond, else 0)
Tensor where(const Tensor& cond, const Tensor& a, double b) {
  const Shape shape = broadcast_shapes(cond.shape(), a.shape(), "where");
  Tensor out = select_by(cond, a, scalar_of(b, a.dtype()), shape, a.dtype(), "where");
  record(out, {"where", "da = g where cond, else 0"}, {a},
         [c = save(cond), as = a.shape()](const Tensor& g) { return GradList{sum_to(where(c.unpack(), g, 0.0), as)}; });
  return out;
}

// cond [..] and b [..] broadcast -> a where cond, else b; db = sum_to(g where not cond, else 0)
Tensor where(const Tensor& cond, double a, const Tensor& b) {
  const Shape shape = broadcast_shapes(cond.shape(), b.shape(), "where");
  Tensor out = select_by(cond, scalar_of(a, b.dtype()), b, shape, b.dtype(), "where");
  record(out, {"where", "db = g where cond is 0, else 0"}, {b},
         [c = save(cond), bs = b.shape()](const Tensor& g) { return GradList{sum_to(where(c.unpack(), 0.0, g), bs)}; });
  return out;
}

// two scalars: float32 of cond's shape, as PyTorch's default dtype; nothing to record
Tensor where(const Tensor& cond, double a, double b) {
  return select_by(cond, scalar_of(a, DType::f32), scalar_of(b, DType::f32), cond.shape(), DType::f32, "where");
}

}  // namespace tapegrad
