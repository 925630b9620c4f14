#pragma once
// Shared kernel plumbing for the op files: xtensor views over tensor storage, and the
// elementwise maps every unary and binary op is built on. Internal; not part of the API.
#include <xtensor/xadapt.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include <array>

#include "../parallel.hpp"
#include "../tensor.hpp"

namespace tapegrad::kernels {

/// The tensor's values as a 1-D xtensor view (contiguous, SIMD-friendly).
template <class T> auto flat(const Tensor& t) {
  const auto n = static_cast<std::size_t>(t.numel());
  return xt::adapt(t.data<T>(), n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}

/// Values [lo, hi) of the tensor as a 1-D xtensor view: one thread's share of a flat loop.
template <class T> auto flat(const Tensor& t, std::int64_t lo, std::int64_t hi) {
  const auto n = static_cast<std::size_t>(hi - lo);
  return xt::adapt(t.data<T>() + lo, n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}

/// The tensor's values as an N-d xtensor view with the tensor's shape.
template <class T> auto nd(const Tensor& t) {
  xt::dynamic_shape<std::size_t> shape(t.shape().begin(), t.shape().end());
  return xt::adapt(t.data<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(), shape);
}

inline xt::dynamic_shape<std::size_t> xshape(const Shape& s) { return {s.begin(), s.end()}; }

/// A shape seen as [outer, n, inner] around one dim: `outer` rows of `n` lanes of `inner`
/// contiguous values (a 0-d shape is [1, 1, 1]).
struct Lanes {
  std::int64_t outer = 1, n = 1, inner = 1;
};
inline Lanes lanes_around(const Shape& s, std::int64_t dim) {
  Lanes l;
  for (std::int64_t i = 0; i < s.size(); ++i) {
    if (i < dim) l.outer *= s[i];
    else if (i == dim) l.n = s[i];
    else l.inner *= s[i];
  }
  return l;
}

/// Throws DTypeError unless a and b have the same dtype (no silent promotion).
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);

// IMPORTANT: f must take its arguments as `auto&&` (never `auto` by value): the expression it
// returns refers to them, and by-value parameters die when f returns (a dangling reference
// that silently gives wrong values). Write `[](auto&& x, auto&& y) { return x * y; }`.

/// out = f(x), elementwise; f maps an xtensor expression to an expression.
template <class F> Tensor unary(const Tensor& x, const char* op, F&& f) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), op, [&]<class T>() {
    detail::parallel_for(x.numel(), [&](std::int64_t lo, std::int64_t hi) {
      auto o = flat<T>(out, lo, hi);
      xt::noalias(o) = f(flat<T>(x, lo, hi));
    });
  });
  return out;
}

/// out = f(a, b), elementwise with NumPy broadcasting; f maps two expressions (or an
/// expression and a scalar) to an expression. Float dtypes only, unless AllowInt (comparisons
/// take int64 too, e.g. `argmax(logits, 1) == target`).
template <bool AllowInt = false, class F> Tensor binary(const Tensor& a, const Tensor& b, const char* op, F&& f) {
  check_same_dtype(a, b, op);
  const Shape shape = a.shape() == b.shape() ? a.shape() : broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = detail::make_tensor(shape, a.dtype());
  auto run = [&]<class T>() {
    // same shapes, or one side a single value: a flat loop, split across threads when large
    auto flat_loop = [&](auto&& body) { detail::parallel_for(out.numel(), body); };
    if (a.shape() == b.shape()) {
      flat_loop([&](std::int64_t lo, std::int64_t hi) {
        auto o = flat<T>(out, lo, hi);
        xt::noalias(o) = f(flat<T>(a, lo, hi), flat<T>(b, lo, hi));
      });
    } else if (b.numel() == 1 && a.shape() == shape) {
      flat_loop([&](std::int64_t lo, std::int64_t hi) {
        auto o = flat<T>(out, lo, hi);
        xt::noalias(o) = f(flat<T>(a, lo, hi), *b.data<T>());
      });
    } else if (a.numel() == 1 && b.shape() == shape) {
      flat_loop([&](std::int64_t lo, std::int64_t hi) {
        auto o = flat<T>(out, lo, hi);
        xt::noalias(o) = f(*a.data<T>(), flat<T>(b, lo, hi));
      });
    } else {
      auto on = nd<T>(out);
      const auto s = xshape(shape);
      xt::noalias(on) = f(xt::broadcast(nd<T>(a), s), xt::broadcast(nd<T>(b), s));
    }
  };
  if constexpr (AllowInt) dispatch_all(a.dtype(), run);
  else dispatch_float(a.dtype(), op, run);
  return out;
}

}  // namespace tapegrad::kernels
