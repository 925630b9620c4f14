// Extremes: max, min (over all elements or along one dim), argmax, argmin, and the scatter /
// gather pair that carries a gradient to the chosen indices (each the other's backward, so
// double backward works).
#include <cmath>
#include <limits>
#include <type_traits>

#include "../node.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "reduce.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

using kernels::Lanes;
using kernels::lanes_around;

namespace {

// Whether a replaces b as the running max (or min). NaN beats every number, so NaN propagates
// and its first index wins, as in PyTorch; equal values never replace (first index wins).
template <class T> bool beats(T a, T b, bool want_max) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return want_max ? a > b : a < b;
}

// Scans x [outer, n, inner] along n; writes the winner's value and index for each (outer, inner).
template <class T> void scan_extreme(const T* x, Lanes sp, bool want_max, T* values, std::int64_t* indices) {
  for (std::int64_t o = 0; o < sp.outer; ++o) {
    for (std::int64_t i = 0; i < sp.inner; ++i) {
      const T* p = x + o * sp.n * sp.inner + i;
      T best = p[0];
      std::int64_t at = 0;
      for (std::int64_t k = 1; k < sp.n; ++k)
        if (beats(p[k * sp.inner], best, want_max)) best = p[k * sp.inner], at = k;
      if (values) values[o * sp.inner + i] = best;
      if (indices) indices[o * sp.inner + i] = at;
    }
  }
}

void check_nonempty(const Tensor& x, Lanes sp, std::int64_t dim, const char* op) {
  if (sp.n == 0)
    fail<ValueError>("{}: cannot reduce dim {} of extent 0 (shape {}); there is no {}", op, dim, x.shape(), op);
}

void check_not_empty_tensor(const Tensor& x, const char* op) {
  if (x.numel() == 0) fail<ValueError>("{}: cannot reduce an empty tensor (shape {})", op, x.shape());
}

// max/min over all elements -> 0-d; dx = g * (x == out) / count(x == out) (NaN matches NaN)
Tensor extreme_all(const Tensor& x, bool want_max, const char* op) {
  check_not_empty_tensor(x, op);
  Tensor out = detail::make_tensor(Shape{}, x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    scan_extreme(x.data<T>(), {1, x.numel(), 1}, want_max, out.data<T>(), nullptr);
  });
  if (!any_requires_grad({&x})) return out;
  // share [x.shape]: 1/count at each tied extreme, 0 elsewhere (a constant of the rule)
  Tensor share = detail::make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), op, [&]<class T>() {
    const T* p = x.data<T>();
    T* s = share.data<T>();
    const T best = *out.data<T>();
    const bool nan = std::isnan(best);
    std::int64_t count = 0;
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) {
      s[i] = (nan ? std::isnan(p[i]) : p[i] == best) ? T(1) : T(0);
      count += s[i] != T(0);
    }
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) s[i] /= static_cast<T>(count);
  });
  // the share is computed here, from the values the forward saw, so it needs no saving
  record(out, {op, "dx = g at the extreme (shared equally among ties), 0 elsewhere", 1}, {x},
         [share](const Tensor& g) { return GradList{mul(share, g)}; });
  return out;
}

// max/min along dim: x [.., n, ..] -> values, indices [.., 1, ..] (dim dropped unless keepdim);
// dx = scatter g into the chosen index along dim
ValuesIndices extreme_dim(const Tensor& x, std::int64_t dim_in, bool keepdim, bool want_max, const char* op) {
  const std::int64_t dim = wrap_dim(dim_in, x.dim(), op);
  const std::vector<std::int64_t> dims = x.dim() == 0 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{dim};
  const Lanes sp = lanes_around(x.shape(), dim);
  check_nonempty(x, sp, dim, op);
  const Shape kept = detail::keepdim_shape(x.shape(), dims);
  const Shape out_shape = keepdim ? kept : detail::reduced_shape(x.shape(), dims);
  Tensor values = detail::make_tensor(kept, x.dtype());
  Tensor indices = detail::make_tensor(kept, DType::i64);
  dispatch_all(x.dtype(), [&]<class T>() {
    scan_extreme(x.data<T>(), sp, want_max, values.data<T>(), indices.data<std::int64_t>());
  });
  Tensor out = detail::alias(values, out_shape);
  // the caller gets the indices too, and may change them: they are saved
  record(out, {op, "dx = g at the chosen index along dim, 0 elsewhere"}, {x},
         [idx = save(indices), dim, kept, xs = x.shape()](const Tensor& g) {
           return GradList{detail::scatter_into_dim(reshape(g, kept), idx.unpack(), dim, xs)};
         });
  return {out, detail::alias(indices, out_shape)};
}

// index of the extreme over the flattened tensor (dim absent) or along dim
Tensor arg_extreme(const Tensor& x, std::optional<std::int64_t> dim_in, bool keepdim, bool want_max, const char* op) {
  Lanes sp{1, x.numel(), 1};
  Shape out_shape;
  std::int64_t dim = 0;
  if (dim_in) {
    dim = wrap_dim(*dim_in, x.dim(), op);
    const std::vector<std::int64_t> dims = x.dim() == 0 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{dim};
    sp = lanes_around(x.shape(), dim);
    check_nonempty(x, sp, dim, op);
    out_shape = keepdim ? detail::keepdim_shape(x.shape(), dims) : detail::reduced_shape(x.shape(), dims);
  } else {
    check_not_empty_tensor(x, op);
  }
  Tensor out = detail::make_tensor(out_shape, DType::i64);
  dispatch_all(x.dtype(), [&]<class T>() {
    scan_extreme(x.data<T>(), sp, want_max, static_cast<T*>(nullptr), out.data<std::int64_t>());
  });
  return out;
}

// checks for scatter/gather: index is int64, has `data`'s rank, and matches it off `dim`
void check_index(const Shape& data, const Tensor& index, std::int64_t dim, const char* op) {
  if (index.dtype() != DType::i64) fail<DTypeError>("{}: index must be int64, got {}", op, dtype_name(index.dtype()));
  bool ok = index.dim() == data.size();
  for (std::int64_t i = 0; ok && i < data.size(); ++i) ok = i == dim || index.shape()[i] == data[i];
  if (!ok) fail<ShapeError>("{}: index shape {} does not match shape {} outside dim {}", op, index.shape(), data, dim);
}

void check_range(std::int64_t k, std::int64_t n, std::int64_t dim, const char* op) {
  if (k < 0 || k >= n) fail<IndexError>("{}: index {} is out of range for dim {} of extent {}", op, k, dim, n);
}

}  // namespace

namespace detail {

// src [.., m, ..], index [.., m, ..] -> out [.., n, ..] (n = shape[dim]), zero but for
// out[o, index[o, j, i], i] += src[o, j, i]; dsrc = gather(g, index, dim)
Tensor scatter_into_dim(const Tensor& src, const Tensor& index, std::int64_t dim_in, const Shape& shape) {
  const std::int64_t dim = wrap_dim(dim_in, shape.size(), "scatter_into_dim");
  check_index(shape, index, dim, "scatter_into_dim");
  if (src.shape() != index.shape())
    fail<ShapeError>("scatter_into_dim: src shape {} differs from index shape {}", src.shape(), index.shape());
  const Lanes out_sp = lanes_around(shape, dim), in_sp = lanes_around(index.shape(), dim);
  Tensor out = zeros(shape, {.dtype = src.dtype()});
  dispatch_float(src.dtype(), "scatter_into_dim", [&]<class T>() {
    const T* s = src.data<T>();
    const std::int64_t* idx = index.data<std::int64_t>();
    T* o = out.data<T>();
    for (std::int64_t a = 0; a < in_sp.outer; ++a)
      for (std::int64_t j = 0; j < in_sp.n; ++j)
        for (std::int64_t i = 0; i < in_sp.inner; ++i) {
          const std::int64_t at = (a * in_sp.n + j) * in_sp.inner + i;
          check_range(idx[at], out_sp.n, dim, "scatter_into_dim");
          o[(a * out_sp.n + idx[at]) * out_sp.inner + i] += s[at];
        }
  });
  record(out, {"scatter_add", "dsrc = g gathered at the same indices"}, {src},
         [idx = save(index), dim](const Tensor& g) { return GradList{gather_from_dim(g, idx.unpack(), dim)}; });
  return out;
}

// x [.., n, ..], index [.., m, ..] -> out [.., m, ..] = x[o, index[o, j, i], i];
// dx = scatter_into_dim(g, index, dim, x.shape)
Tensor gather_from_dim(const Tensor& x, const Tensor& index, std::int64_t dim_in) {
  const std::int64_t dim = wrap_dim(dim_in, x.dim(), "gather_from_dim");
  check_index(x.shape(), index, dim, "gather_from_dim");
  const Lanes x_sp = lanes_around(x.shape(), dim), out_sp = lanes_around(index.shape(), dim);
  Tensor out = make_tensor(index.shape(), x.dtype());
  dispatch_float(x.dtype(), "gather_from_dim", [&]<class T>() {
    const T* p = x.data<T>();
    const std::int64_t* idx = index.data<std::int64_t>();
    T* o = out.data<T>();
    for (std::int64_t a = 0; a < out_sp.outer; ++a)
      for (std::int64_t j = 0; j < out_sp.n; ++j)
        for (std::int64_t i = 0; i < out_sp.inner; ++i) {
          const std::int64_t at = (a * out_sp.n + j) * out_sp.inner + i;
          check_range(idx[at], x_sp.n, dim, "gather_from_dim");
          o[at] = p[(a * x_sp.n + idx[at]) * x_sp.inner + i];
        }
  });
  record(out, {"gather", "dx = g scattered back to the gathered indices"}, {x},
         [idx = save(index), dim, xs = x.shape()](const Tensor& g) {
           return GradList{scatter_into_dim(g, idx.unpack(), dim, xs)};
         });
  return out;
}

// x [s...] -> [s with dims set to 1]: the running max of each slice, walking x once in order
// with a multi-index whose output offset skips the reduced dims (their output stride is 0)
Tensor amax_detached(const Tensor& x, const std::vector<std::int64_t>& dims) {
  const Shape kept = keepdim_shape(x.shape(), dims);
  Shape ostride = contiguous_strides(kept);
  for (auto d : dims) ostride[d] = 0;
  Tensor out = full(kept, -INFINITY, {.dtype = x.dtype()});
  dispatch_float(x.dtype(), "amax", [&]<class T>() {
    const T* p = x.data<T>();
    T* o = out.data<T>();
    const Shape& s = x.shape();
    std::array<std::int64_t, kMaxDims> at{};
    std::int64_t off = 0;
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) {
      if (beats(p[i], o[off], true)) o[off] = p[i];
      for (std::int64_t k = s.size() - 1; k >= 0; --k) {
        off += ostride[k];
        if (++at[k] < s[k]) break;
        off -= ostride[k] * s[k];
        at[k] = 0;
      }
    }
  });
  return out;
}

}  // namespace detail

Tensor max(const Tensor& x) { return extreme_all(x, true, "max"); }
Tensor min(const Tensor& x) { return extreme_all(x, false, "min"); }
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim) { return extreme_dim(x, dim, keepdim, true, "max"); }
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_dim(x, dim, keepdim, false, "min");
}
Tensor argmax(const Tensor& x) { return arg_extreme(x, std::nullopt, false, true, "argmax"); }
Tensor argmin(const Tensor& x) { return arg_extreme(x, std::nullopt, false, false, "argmin"); }
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim) { return arg_extreme(x, dim, keepdim, true, "argmax"); }
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim) { return arg_extreme(x, dim, keepdim, false, "argmin"); }

}  // namespace tapegrad
