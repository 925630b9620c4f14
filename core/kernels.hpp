#pragma once
// The elementwise kernel templates: xtensor views over raw buffers and the threaded loops that
// map one or two buffers into a third. They know buffers, shapes and threads; nothing about
// tensors, tapes or gradients (autograd/tensor_kernels.hpp applies them to tensors).
// Internal; not part of the API.
#include <xtensor/xadapt.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include <array>
#include <cstdint>

#include "parallel.hpp"
#include "shape.hpp"

namespace tapegrad::kernels {

/// n values at p as a 1-D xtensor view (contiguous, SIMD-friendly).
template <class T> auto view1d(T* p, std::int64_t n) {
  const auto un = static_cast<std::size_t>(n);
  return xt::adapt(p, un, xt::no_ownership(), std::array<std::size_t, 1>{un});
}

inline xt::dynamic_shape<std::size_t> xshape(const Shape& s) { return {s.begin(), s.end()}; }

/// The values at p laid out row-major with shape s, as an N-d xtensor view.
template <class T> auto view_nd(T* p, const Shape& s) {
  return xt::adapt(p, static_cast<std::size_t>(s.numel()), xt::no_ownership(), xshape(s));
}

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

// IMPORTANT: f must take its arguments as `auto&&` (never `auto` by value): the expression it
// returns refers to them, and by-value parameters die when f returns (a dangling reference
// that silently gives wrong values). Write `[](auto&& x, auto&& y) { return x * y; }`.

/// out[i] = f(x)[i] for i < n, the n split across threads when large.
template <class T, class F> void map_unary(const T* x, T* out, std::int64_t n, F&& f) {
  detail::parallel_for(n, [&](std::int64_t lo, std::int64_t hi) {
    auto o = view1d(out + lo, hi - lo);
    xt::noalias(o) = f(view1d(x + lo, hi - lo));
  });
}

/// out = f(a, b) with NumPy broadcasting of a's shape `as` and b's shape `bs` to `os` (which
/// the caller has checked). Same shapes, or one side a single value: a flat threaded loop; any
/// other broadcast: one xtensor broadcast expression.
template <class T, class F>
void map_binary(const T* a, const Shape& as, const T* b, const Shape& bs, T* out, const Shape& os, F&& f) {
  const std::int64_t n = os.numel();
  if (as == bs) {
    detail::parallel_for(n, [&](std::int64_t lo, std::int64_t hi) {
      auto o = view1d(out + lo, hi - lo);
      xt::noalias(o) = f(view1d(a + lo, hi - lo), view1d(b + lo, hi - lo));
    });
  } else if (bs.numel() == 1 && as == os) {
    detail::parallel_for(n, [&](std::int64_t lo, std::int64_t hi) {
      auto o = view1d(out + lo, hi - lo);
      xt::noalias(o) = f(view1d(a + lo, hi - lo), *b);
    });
  } else if (as.numel() == 1 && bs == os) {
    detail::parallel_for(n, [&](std::int64_t lo, std::int64_t hi) {
      auto o = view1d(out + lo, hi - lo);
      xt::noalias(o) = f(*a, view1d(b + lo, hi - lo));
    });
  } else {
    auto on = view_nd(out, os);
    const auto s = xshape(os);
    xt::noalias(on) = f(xt::broadcast(view_nd(a, as), s), xt::broadcast(view_nd(b, bs), s));
  }
}

}  // namespace tapegrad::kernels
