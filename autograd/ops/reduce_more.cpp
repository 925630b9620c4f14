// amax and amin over several dims, and prod. amax/amin walk x once in order with an output offset
// that skips the reduced dims; their gradient is shared evenly among the tied extremes of each
// slice. prod is the last element of cumprod, so its gradient is cumprod's with g placed at the
// last position (detail::cumprod_backward): no division, exact with zeros.
#include "reduce_more.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "../node.hpp"
#include "elementwise.hpp"
#include "index.hpp"
#include "../tensor_kernels.hpp"
#include "scan.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace {

// Whether a replaces b as the running max (min): NaN beats every number, so it propagates
template <class T> bool replaces(T a, T b, bool want_max) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return want_max ? a > b : a < b;
}

// Visits x's elements in order: f(i, off) with off the flat offset of i's slice in the keepdim
// shape `kept` (the reduced dims have output stride 0)
template <class F>
void walk_slices(const Shape& shape, const Shape& kept, const std::vector<std::int64_t>& dims, F&& f) {
  Shape ostride = contiguous_strides(kept);
  for (auto d : dims) ostride[d] = 0;
  std::array<std::int64_t, kMaxDims> at{};
  std::int64_t off = 0;
  for (std::int64_t i = 0, n = shape.numel(); i < n; ++i) {
    f(i, off);
    for (std::int64_t k = shape.size() - 1; k >= 0; --k) {
      off += ostride[k];
      if (++at[static_cast<std::size_t>(k)] < shape[k]) break;
      off -= ostride[k] * shape[k];
      at[static_cast<std::size_t>(k)] = 0;
    }
  }
}

// amax / amin: out [kept] is the extreme of each slice; dx = (g / count) * mask, mask = (x == out)
// in x's shape and count its sum over the slice (as PyTorch: a NaN extreme matches nothing, so
// its slice gets 0/0 = NaN). The mask is a constant of the rule, worked out here from the values
// the forward saw.
Tensor extreme_over(const Tensor& x, const Dims& dims_in, bool keepdim, bool want_max, const char* op) {
  const auto dims = detail::reduction_dims(dims_in, x.dim(), op);
  for (auto d : dims)
    if (x.shape()[d] == 0)
      fail<IndexError>("{}: cannot reduce dim {} of extent 0 (shape {}): the slices are empty", op, d, x.shape());
  const Shape kept = detail::keepdim_shape(x.shape(), dims);
  Tensor values = detail::make_tensor(kept, x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* p = x.data<T>();
    T* o = values.data<T>();
    T start;
    if constexpr (std::is_floating_point_v<T>) start = want_max ? -INFINITY : INFINITY;
    else start = want_max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    std::fill(o, o + values.numel(), start);
    walk_slices(x.shape(), kept, dims, [&](std::int64_t i, std::int64_t off) {
      if (replaces(p[i], o[off], want_max)) o[off] = p[i];
    });
  });
  Tensor out = detail::alias(values, keepdim ? kept : detail::reduced_shape(x.shape(), dims));
  if (!any_requires_grad({&x})) return out;
  Tensor mask = zeros(x.shape(), {.dtype = x.dtype()}), count = zeros(kept, {.dtype = x.dtype()});
  dispatch_float(x.dtype(), op, [&]<class T>() {
    const T* p = x.data<T>();
    const T* o = values.data<T>();
    T* m = mask.data<T>();
    T* c = count.data<T>();
    walk_slices(x.shape(), kept, dims, [&](std::int64_t i, std::int64_t off) {
      if (p[i] == o[off]) m[i] = T(1), c[off] += T(1);
    });
  });
  record(out, {op, "dx = g / count at the elements equal to the extreme of their slice (ties share), 0 elsewhere"}, {x},
         [mask, count, kept](const Tensor& g) { return GradList{mul(div(reshape(g, kept), count), mask)}; });
  return out;
}

// x [outer, n, inner] -> out [outer, inner], the product of each lane (float32 in float64;
// int64 wraps around on overflow, as PyTorch)
Tensor lane_products(const Tensor& x, kernels::Lanes l, const Shape& shape) {
  Tensor out = detail::make_tensor(shape, x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    using Acc = std::conditional_t<std::is_integral_v<T>, std::uint64_t, double>;
    const T* p = x.data<T>();
    T* o = out.data<T>();
    std::vector<Acc> acc(static_cast<std::size_t>(l.inner));
    for (std::int64_t r = 0; r < l.outer; ++r) {
      std::fill(acc.begin(), acc.end(), Acc(1));
      for (std::int64_t k = 0; k < l.n; ++k)
        for (std::int64_t i = 0; i < l.inner; ++i)
          acc[static_cast<std::size_t>(i)] *= static_cast<Acc>(p[(r * l.n + k) * l.inner + i]);
      for (std::int64_t i = 0; i < l.inner; ++i) o[r * l.inner + i] = static_cast<T>(acc[static_cast<std::size_t>(i)]);
    }
  });
  return out;
}

// x seen as `work` (x's shape, [numel] for all elements, [1] for a 0-d x) with the product taken
// along d: dx = cumprod_backward(x, cumprod(x), b) with b zero but for g at the last position
// (prod = the last element of cumprod), reshaped back to x's shape
Tensor prod_impl(const Tensor& x, const Shape& work, std::int64_t d, const Shape& out_shape, int variant) {
  const kernels::Lanes l = kernels::lanes_around(work, d);
  Shape kept = work;
  kept[d] = 1;
  Tensor out = detail::alias(lane_products(x, l, kept), out_shape);
  record(out, {"prod", "dx_i = g * the product of the other elements (cumprod's rule with g at the last one)", variant},
         {x}, [xs = save(x), work, kept, d](const Tensor& g) {
           const Tensor& x = xs.unpack();
           const std::int64_t n = work[d];
           if (n == 0) return GradList{zeros(x.shape(), {.dtype = x.dtype()})};
           const Tensor xw = reshape(x, work);
           Tensor b = reshape(g, kept);
           if (n > 1) {
             Shape rest = work;
             rest[d] = n - 1;
             b = cat({zeros(rest, {.dtype = g.dtype()}), b}, d);
           }
           return GradList{reshape(detail::cumprod_backward(xw, cumprod(xw, d), b, d), x.shape())};
         });
  return out;
}

}  // namespace

Tensor amax(const Tensor& x, const Dims& dims, bool keepdim) { return extreme_over(x, dims, keepdim, true, "amax"); }
Tensor amin(const Tensor& x, const Dims& dims, bool keepdim) { return extreme_over(x, dims, keepdim, false, "amin"); }

Tensor prod(const Tensor& x) { return prod_impl(x, Shape{x.numel()}, 0, Shape{}, 0); }

Tensor prod(const Tensor& x, std::int64_t dim, bool keepdim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "prod");
  if (x.dim() == 0) return prod_impl(x, Shape{1}, 0, Shape{}, 1);
  Shape kept = x.shape();
  kept[d] = 1;
  return prod_impl(x, x.shape(), d, keepdim ? kept : detail::reduced_shape(x.shape(), {d}), 1);
}

}  // namespace tapegrad
