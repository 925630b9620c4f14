#pragma once
// core/kernels.hpp applied to tensors: xtensor views of a tensor's values, and the elementwise
// maps every unary and binary op is built on (dtype dispatch, broadcasting, a fresh output).
// Internal; not part of the API.
#include <cstdint>

#include "../core/kernels.hpp"
#include "tensor.hpp"

namespace tapegrad::kernels {

/// The tensor's values as a 1-D xtensor view (contiguous, SIMD-friendly).
template <class T> auto flat(const Tensor& t) { return view1d(t.data<T>(), t.numel()); }

/// Values [lo, hi) of the tensor as a 1-D xtensor view: one thread's share of a flat loop.
template <class T> auto flat(const Tensor& t, std::int64_t lo, std::int64_t hi) {
  return view1d(t.data<T>() + lo, hi - lo);
}

/// The tensor's values as an N-d xtensor view with the tensor's shape.
template <class T> auto nd(const Tensor& t) { return view_nd(t.data<T>(), t.shape()); }

/// Throws DTypeError unless a and b have the same dtype (no silent promotion).
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);

/// out = f(x), elementwise, float dtypes; f maps an xtensor expression to an expression
/// (taking it as `auto&&`, see core/kernels.hpp).
template <class F> Tensor unary(const Tensor& x, const char* op, F&& f) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), op, [&]<class T>() { map_unary(x.data<T>(), out.data<T>(), x.numel(), f); });
  return out;
}

/// out = f(a, b), elementwise with NumPy broadcasting; f maps two expressions (or an
/// expression and a scalar) to an expression. Float dtypes only, unless AllowInt (comparisons
/// take int64 too, e.g. `argmax(logits, 1) == target`).
template <bool AllowInt = false, class F> Tensor binary(const Tensor& a, const Tensor& b, const char* op, F&& f) {
  check_same_dtype(a, b, op);
  const Shape shape = a.shape() == b.shape() ? a.shape() : broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = detail::make_tensor(shape, a.dtype());
  auto run = [&]<class T>() { map_binary(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), shape, f); };
  if constexpr (AllowInt) dispatch_all(a.dtype(), run);
  else dispatch_float(a.dtype(), op, run);
  return out;
}

}  // namespace tapegrad::kernels
