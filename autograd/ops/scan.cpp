// Scans along one dim. A tensor is seen around the dim as [outer, n, inner] lanes; each scan walks
// every lane once, keeping `inner` running values so memory is read in order. cumprod's gradient
// is written without division through linear_scan, a first-order linear recurrence whose own
// backward is the same recurrence run the other way: every order of derivative stays O(n) and
// exact when x holds zeros.
#include "scan.hpp"

#include <cstdint>
#include <type_traits>
#include <vector>

#include "../node.hpp"
#include "elementwise.hpp"
#include "index.hpp"
#include "../tensor_kernels.hpp"
#include "rearrange.hpp"

namespace tapegrad {

using kernels::Lanes;
using kernels::lanes_around;

namespace {

// float32 lanes accumulate in float64, as PyTorch's CPU scans; float64 and int64 in their own type
template <class T> using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

// a + b and a * b; int64 wraps around on overflow (as PyTorch) instead of being undefined
template <class A> A plus(A a, A b) {
  if constexpr (std::is_integral_v<A>)
    return static_cast<A>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
  else return a + b;
}
template <class A> A times(A a, A b) {
  if constexpr (std::is_integral_v<A>)
    return static_cast<A>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
  else return a * b;
}

// x, out [outer, n, inner]: out[o, k, i] = x[o, 0, i] (op) ... (op) x[o, k, i]
template <class T> void scan_lanes(const T* x, T* out, Lanes l, bool product) {
  std::vector<Acc<T>> acc(static_cast<std::size_t>(l.inner));
  for (std::int64_t o = 0; o < l.outer; ++o) {
    std::fill(acc.begin(), acc.end(), Acc<T>(product ? 1 : 0));
    for (std::int64_t k = 0; k < l.n; ++k) {
      const std::int64_t row = (o * l.n + k) * l.inner;
      for (std::int64_t i = 0; i < l.inner; ++i) {
        const auto v = static_cast<Acc<T>>(x[row + i]);
        auto& a = acc[static_cast<std::size_t>(i)];
        a = product ? times(a, v) : plus(a, v);
        out[row + i] = static_cast<T>(a);
      }
    }
  }
}

Tensor scan_values(const Tensor& x, std::int64_t d, bool product) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  const Lanes l = lanes_around(x.shape(), d);
  dispatch_all(x.dtype(), [&]<class T>() { scan_lanes<T>(x.data<T>(), out.data<T>(), l, product); });
  return out;
}

// t shifted one step along d: 0 at position 0, t_{i-1} at position i
Tensor shift_right(const Tensor& t, std::int64_t d) {
  const std::int64_t n = t.shape()[d];
  if (n <= 1) return zeros(t.shape(), {.dtype = t.dtype()});
  Shape first = t.shape();
  first[d] = 1;
  return cat({zeros(first, {.dtype = t.dtype()}), narrow(t, d, 0, n - 1)}, d);
}

}  // namespace

// out_i = x_0 + ... + x_i along dim; dx_i = g_i + ... + g_{n-1}, the reversed cumsum of g
Tensor cumsum(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "cumsum");
  Tensor out = scan_values(x, d, false);
  record(out, {"cumsum", "dx = the reversed cumsum of g along dim (dx_i = g_i + ... + g_n-1)"}, {x},
         [d](const Tensor& g) { return GradList{flip(cumsum(flip(g, {d}), d), {d})}; });
  return out;
}

// y_i = x_0 * ... * x_i along dim; dx_i = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j = y_{i-1} r_i with
// r_i = g_i + x_{i+1} r_{i+1} (cumprod_backward), so no x_i is ever divided by
Tensor cumprod(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "cumprod");
  Tensor out = scan_values(x, d, true);
  record(out, {"cumprod", "dx_i = y_{i-1} r_i with r_i = g_i + x_{i+1} r_{i+1} (no division, exact with zeros)"}, {x},
         [xs = save(x), ys = save_output(out), d](const Tensor& g) {
           const Tensor& x = xs.unpack();
           const Tensor y = saved_or_recomputed(ys, [&] { return cumprod(x, d); });
           if (x.dim() == 0) return GradList{g};  // a single element: y = x
           return GradList{detail::cumprod_backward(x, y, g, d)};
         });
  return out;
}

namespace detail {

// x, y = cumprod(x), g [.., n, ..] -> y_{i-1} * linear_scan(g, x, reverse)_i, with y_{-1} = 1
Tensor cumprod_backward(const Tensor& x, const Tensor& y, const Tensor& g, std::int64_t d) {
  const std::int64_t n = x.shape()[d];
  if (n == 0) return zeros(x.shape(), {.dtype = x.dtype()});
  Shape first = x.shape();
  first[d] = 1;
  const Tensor one = ones(first, {.dtype = x.dtype()});
  const Tensor before = n == 1 ? one : cat({one, narrow(y, d, 0, n - 1)}, d);
  return mul(before, linear_scan(g, x, d, true));
}

// forward: out_k = b_k + a_k out_{k-1}; reverse: out_i = b_i + a_{i+1} out_{i+1}.
// Unrolled, forward is out_k = sum_{i<=k} b_i prod_{i<m<=k} a_m, so for upstream u:
//   db = reverse(u, a),  da_m = db_m * out_{m-1}                         (forward)
//   db = forward(u, a),  da_m = db_{m-1} * out_m                         (reverse)
Tensor linear_scan(const Tensor& b, const Tensor& a, std::int64_t dim, bool reverse) {
  kernels::check_same_dtype(a, b, "linear_scan");
  if (!(a.shape() == b.shape()))
    fail<ShapeError>("linear_scan: coefficients of shape {} do not match values of shape {}", a.shape(), b.shape());
  const std::int64_t d = wrap_dim(dim, b.dim(), "linear_scan");
  const Lanes l = lanes_around(b.shape(), d);
  Tensor out = make_tensor(b.shape(), b.dtype());
  dispatch_float(b.dtype(), "linear_scan", [&]<class T>() {
    const T* pb = b.data<T>();
    const T* pa = a.data<T>();
    T* o = out.data<T>();
    for (std::int64_t r = 0; r < l.outer; ++r)
      for (std::int64_t s = 0; s < l.n; ++s) {
        const std::int64_t k = reverse ? l.n - 1 - s : s;
        const std::int64_t row = (r * l.n + k) * l.inner;
        const std::int64_t prev = (r * l.n + (reverse ? k + 1 : k - 1)) * l.inner;  // the row computed before
        const std::int64_t coef = reverse ? prev : row;                             // a_{k+1} or a_k
        for (std::int64_t i = 0; i < l.inner; ++i)
          o[row + i] = s == 0 ? pb[row + i] : pb[row + i] + pa[coef + i] * o[prev + i];
      }
  });
  record(out, {"linear_scan", "db = the recurrence run the other way over g, da = db times the neighbouring output"},
         {b, a},
         [bs = save(b), as = save(a), os = save_output(out), d, reverse, a_rg = a.requires_grad()](const Tensor& g) {
           const Tensor& a = as.unpack();
           const Tensor db = linear_scan(g, a, d, !reverse);
           if (!a_rg) return GradList{db, Tensor()};
           const Tensor out = saved_or_recomputed(os, [&] { return linear_scan(bs.unpack(), a, d, reverse); });
           return GradList{db, reverse ? mul(shift_right(db, d), out) : mul(db, shift_right(out, d))};
         });
  return out;
}

}  // namespace detail

}  // namespace tapegrad
