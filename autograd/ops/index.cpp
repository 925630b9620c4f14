// Slicing and indexing. A tensor is seen around one dim as [outer, n, inner] (row-major), so
// slices, selects and index_select copy whole rows of `inner` elements; gather and scatter_add
// walk the index tensor element by element. Every index is checked before memory is touched.
#include "index.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "../node.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "../values.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

using kernels::Lanes;
using kernels::lanes_around;

namespace {

// a 0-d shape counts as [1] for gather, scatter_add, index_select and index_add (as torch)
Shape at_least_1d(const Shape& s) { return s.empty() ? Shape{1} : s; }

std::byte* bytes(const Tensor& t) { return static_cast<std::byte*>(t.impl()->storage->data()); }

// for every outer o and k < count: dst row (o, dst0 + k*dstep) = src row (o, src0 + k*sstep)
void copy_rows(const Tensor& src, Lanes sa, std::int64_t src0, std::int64_t sstep, const Tensor& dst, Lanes da,
               std::int64_t dst0, std::int64_t dstep, std::int64_t count) {
  const auto row = static_cast<std::size_t>(sa.inner) * element_size(src.dtype());
  if (row == 0 || count == 0 || sa.outer == 0) return;
  const std::byte* s = bytes(src);
  std::byte* d = bytes(dst);
  for (std::int64_t o = 0; o < sa.outer; ++o)
    for (std::int64_t k = 0; k < count; ++k)
      std::memcpy(d + static_cast<std::size_t>(o * da.n + dst0 + k * dstep) * row,
                  s + static_cast<std::size_t>(o * sa.n + src0 + k * sstep) * row, row);
}

// the wrapped dim of a tensor that must have at least one dim (IndexError for a 0-d one, as torch)
std::int64_t dim_of(const Tensor& x, std::int64_t dim, const char* op) {
  if (x.dim() == 0) fail<IndexError>("{}: cannot be applied to a 0-d tensor (shape [])", op);
  return wrap_dim(dim, x.dim(), op);
}

void check_index_dtype(const Tensor& index, const char* op) {
  if (index.dtype() != DType::i64)
    fail<DTypeError>("{}: index must be int64, got {} (shape {})", op, dtype_name(index.dtype()), index.shape());
}

// every index value in [0, extent)
void check_index_values(const Tensor& index, std::int64_t extent, std::int64_t dim, const char* op) {
  const std::int64_t* p = index.data<std::int64_t>();
  for (std::int64_t i = 0, n = index.numel(); i < n; ++i)
    if (p[i] < 0 || p[i] >= extent)
      fail<IndexError>("{}: index {} is out of range for dim {} of size {} (expected 0 to {})", op, p[i], dim, extent,
                       extent - 1);
}

void check_index_vector(const Tensor& index, const char* op) {
  check_index_dtype(index, op);
  if (index.dim() > 1) fail<ShapeError>("{}: index must be 0-d or 1-d, got shape {}", op, index.shape());
}

// Visits shape's elements in row-major order: f(p, a, b) with p the flat position and a, b the
// offsets sum(m[d] * sa[d]) and sum(m[d] * sb[d]) of the multi-index m.
template <class F> void walk(const Shape& shape, const Shape& sa, const Shape& sb, F&& f) {
  std::array<std::int64_t, kMaxDims> m{};
  std::int64_t a = 0, b = 0;
  for (std::int64_t p = 0, n = shape.numel(); p < n; ++p) {
    f(p, a, b);
    for (std::int64_t d = shape.size() - 1; d >= 0; --d) {
      if (++m[d] < shape[d]) {
        a += sa[d];
        b += sb[d];
        break;
      }
      a -= (shape[d] - 1) * sa[d];
      b -= (shape[d] - 1) * sb[d];
      m[d] = 0;
    }
  }
}

// index, self and src of gather / scatter_add: same number of dims; index no larger than
// `bound` outside dim (and than `src` everywhere, when given)
void check_scatter_shapes(const Tensor& index, const Shape& bound, const Shape* src, std::int64_t dim, const char* op) {
  const Shape is = at_least_1d(index.shape());
  if (is.size() != bound.size() || (src && src->size() != bound.size()))
    fail<ShapeError>("{}: index of shape {} must have as many dims as the input of shape {}{}", op, index.shape(),
                     bound, src ? fmt::format(" and src of shape {}", *src) : std::string());
  for (std::int64_t d = 0; d < is.size(); ++d)
    if ((d != dim && is[d] > bound[d]) || (src && is[d] > (*src)[d]))
      fail<ShapeError>(
          "{}: index of shape {} is larger than the input of shape {}{} at dim {} (index may exceed the "
          "input only along dim {})",
          op, index.shape(), bound, src ? fmt::format(" or src of shape {}", *src) : std::string(), d, dim);
}

}  // namespace

// ---- slice, select, narrow ----------------------------------------------------------------------

// x [.., n, ..] -> out [.., len, ..], out[k] = x[start + k*step]; dx = g placed into zeros at the slice
Tensor slice(const Tensor& x, std::int64_t dim, std::optional<std::int64_t> start_in,
             std::optional<std::int64_t> stop_in, std::int64_t step) {
  const std::int64_t d = dim_of(x, dim, "slice");
  if (step <= 0) fail<ValueError>("slice: step must be greater than zero, got {}", step);
  const std::int64_t n = x.shape()[d];
  const auto bound = [n](std::optional<std::int64_t> v, std::int64_t absent) {
    std::int64_t b = v.value_or(absent);
    if (b < 0) b += n;
    return std::clamp<std::int64_t>(b, 0, n);
  };
  const std::int64_t start = bound(start_in, 0), stop = bound(stop_in, n);
  const std::int64_t len = stop > start ? (stop - start - 1) / step + 1 : 0;
  Shape s = x.shape();
  s[d] = len;
  Tensor out = detail::make_tensor(s, x.dtype());
  copy_rows(x, lanes_around(x.shape(), d), start, step, out, lanes_around(s, d), 0, 1, len);
  record(out, {"slice", "dx = zeros with g placed at the sliced positions"}, {x},
         [xs = x.shape(), d, start, step](const Tensor& g) {
           return GradList{detail::slice_backward(g, xs, d, start, step)};
         });
  return out;
}

// g [.., len, ..] -> out [.., n, ..] zeros with out[start + k*step] = g[k]; dg = slice(gg) at those rows
Tensor detail::slice_backward(const Tensor& g, const Shape& shape, std::int64_t dim, std::int64_t start,
                              std::int64_t step) {
  Shape expect = g.shape();
  const std::int64_t len = g.dim() > dim ? g.shape()[dim] : -1;
  if (len >= 0) expect[dim] = shape[dim];
  if (len < 0 || !(expect == shape) || step <= 0 || start < 0 || (len > 0 && start + (len - 1) * step >= shape[dim]))
    fail<ShapeError>("slice_backward: gradient of shape {} does not fit shape {} at dim {} (start {}, step {})",
                     g.shape(), shape, dim, start, step);
  Tensor out = zeros(shape, {.dtype = g.dtype()});
  copy_rows(g, lanes_around(g.shape(), dim), 0, 1, out, lanes_around(shape, dim), start, step, len);
  record(out, {"slice_backward", "dg = slice of the incoming gradient at the same positions"}, {g},
         [dim, start, step, len](const Tensor& gg) {
           return GradList{slice(gg, dim, start, len > 0 ? start + (len - 1) * step + 1 : start, step)};
         });
  return out;
}

// x [.., n, ..] -> out [.., ..] = x[index] along dim; dx = g unsqueezed, placed into zeros at index
Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index) {
  const std::int64_t d = dim_of(x, dim, "select");
  const std::int64_t n = x.shape()[d];
  if (index < -n || index >= n)
    fail<IndexError>("select: index {} is out of range for dim {} of size {} (tensor of shape {})", index, d, n,
                     x.shape());
  const std::int64_t i = index < 0 ? index + n : index;
  Shape s = x.shape();
  s[d] = 1;
  Tensor out = detail::make_tensor(s, x.dtype());
  copy_rows(x, lanes_around(x.shape(), d), i, 1, out, lanes_around(s, d), 0, 1, 1);
  s.erase(d);
  out = detail::alias(out, s);
  record(out, {"select", "dx = zeros with g placed at the selected index"}, {x},
         [xs = x.shape(), d, i](const Tensor& g) {
           return GradList{detail::slice_backward(unsqueeze(g, d), xs, d, i, 1)};
         });
  return out;
}

// narrow = slice(x, dim, start, start + length)
Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length) {
  const std::int64_t d = dim_of(x, dim, "narrow");
  const std::int64_t n = x.shape()[d];
  if (start < -n || start > n)
    fail<IndexError>("narrow: start {} is out of range for dim {} of size {} (expected {} to {})", start, d, n, -n, n);
  if (length < 0) fail<ValueError>("narrow: length must be non-negative, got {}", length);
  const std::int64_t s = start < 0 ? start + n : start;
  if (s + length > n)
    fail<IndexError>("narrow: start {} + length {} exceeds the size {} of dim {} (tensor of shape {})", s, length, n, d,
                     x.shape());
  return slice(x, d, s, s + length, 1);
}

// ---- gather, scatter_add -----------------------------------------------------------------------

// x [.., n, ..], index [.., m, ..] -> out (index's shape), out[p] = x[p with dim replaced by index[p]];
// dx = scatter_add(zeros of x's shape, dim, index, g)
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index) {
  check_index_dtype(index, "gather");
  const std::int64_t d = wrap_dim(dim, x.dim(), "gather");
  const Shape xs = at_least_1d(x.shape());
  check_scatter_shapes(index, xs, nullptr, d, "gather");
  check_index_values(index, xs[d], d, "gather");
  Shape strides = contiguous_strides(xs);
  const std::int64_t step = strides[d];
  strides[d] = 0;  // the position along dim comes from index
  Tensor out = detail::make_tensor(index.shape(), x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* src = x.data<T>();
    const std::int64_t* idx = index.data<std::int64_t>();
    T* o = out.data<T>();
    const Shape is = at_least_1d(index.shape());
    walk(is, strides, contiguous_strides(is),
         [&](std::int64_t p, std::int64_t off, std::int64_t) { o[p] = src[off + idx[p] * step]; });
  });
  record(out, {"gather", "dx = scatter_add(zeros, index, g)"}, {x},
         [xs = x.shape(), d, idx = save(index)](const Tensor& g) {
           return GradList{scatter_add(zeros(xs, {.dtype = g.dtype()}), d, idx.unpack(), g)};
         });
  return out;
}

// self [.., n, ..], index [.., m, ..], src [.., >= m, ..] -> out (self's shape),
// out[p with dim replaced by index[p]] += src[p]; dself = g, dsrc = gather(g, dim, index) padded to src's shape
Tensor scatter_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src) {
  check_index_dtype(index, "scatter_add");
  kernels::check_same_dtype(self, src, "scatter_add");
  const std::int64_t d = wrap_dim(dim, self.dim(), "scatter_add");
  const Shape ss = at_least_1d(self.shape()), rs = at_least_1d(src.shape());
  check_scatter_shapes(index, ss, &rs, d, "scatter_add");
  check_index_values(index, ss[d], d, "scatter_add");
  const Shape is = at_least_1d(index.shape());
  Shape strides = contiguous_strides(ss);
  const std::int64_t step = strides[d];
  strides[d] = 0;
  const Shape src_strides = contiguous_strides(rs);
  Tensor out = detail::copy_values(self);
  dispatch_all(self.dtype(), [&]<class T>() {
    const T* s = src.data<T>();
    const std::int64_t* idx = index.data<std::int64_t>();
    T* o = out.data<T>();
    walk(is, strides, src_strides,
         [&](std::int64_t p, std::int64_t off, std::int64_t at) { o[off + idx[p] * step] += s[at]; });
  });
  record(out, {"scatter_add", "dself = g, dsrc = gather(g, index)"}, {self, src},
         [d, idx = save(index), is, rs, src_shape = src.shape(), src_rg = src.requires_grad()](const Tensor& g) {
           if (!src_rg) return GradList{g, Tensor()};
           // dsrc: gather(g) has index's shape; pad it with zeros along each dim where src is larger
           Tensor dsrc = reshape(gather(g, d, idx.unpack()), is);
           for (std::int64_t k = 0; k < is.size(); ++k) {
             if (is[k] == rs[k]) continue;
             Shape padded = dsrc.shape();
             padded[k] = rs[k];
             dsrc = detail::slice_backward(dsrc, padded, k, 0, 1);
           }
           return GradList{g, reshape(dsrc, src_shape)};
         });
  return out;
}

// ---- index_select, index_add ---------------------------------------------------------------------

// x [.., n, ..], index [m] -> out [.., m, ..], out[k] = x[index[k]] along dim;
// dx = index_add(zeros of x's shape, dim, index, g)
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index) {
  check_index_vector(index, "index_select");
  const std::int64_t d = wrap_dim(dim, x.dim(), "index_select");
  const Shape xs = at_least_1d(x.shape());
  const std::int64_t m = index.numel();
  check_index_values(index, xs[d], d, "index_select");
  if (x.dim() == 0 && m != 1)
    fail<ShapeError>("index_select: a 0-d input takes exactly one index, got index of shape {}", index.shape());
  Shape s = xs;
  s[d] = m;
  Tensor out = detail::make_tensor(x.dim() == 0 ? x.shape() : s, x.dtype());
  const std::int64_t* idx = index.data<std::int64_t>();
  for (std::int64_t k = 0; k < m; ++k) copy_rows(x, lanes_around(xs, d), idx[k], 0, out, lanes_around(s, d), k, 0, 1);
  record(out, {"index_select", "dx = index_add(zeros, index, g)"}, {x},
         [xs = x.shape(), d, idx = save(index)](const Tensor& g) {
           return GradList{index_add(zeros(xs, {.dtype = g.dtype()}), d, idx.unpack(), g)};
         });
  return out;
}

// self [.., n, ..], index [m], source [.., m, ..] -> out = self with out[index[k]] += alpha * source[k]
// along dim; dself = g, dsource = alpha * index_select(g, dim, index)
Tensor index_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& source, double alpha) {
  check_index_vector(index, "index_add");
  kernels::check_same_dtype(self, source, "index_add");
  const std::int64_t d = wrap_dim(dim, self.dim(), "index_add");
  const Shape ss = at_least_1d(self.shape());
  const std::int64_t m = index.numel();
  Shape expect = ss;
  expect[d] = m;
  const bool fits = self.dim() == 0 ? source.dim() <= 1 && source.numel() == m : source.shape() == expect;
  if (!fits)
    fail<ShapeError>(
        "index_add: source of shape {} does not fit self of shape {} with {} indices along dim {} "
        "(expected shape {})",
        source.shape(), self.shape(), m, d, self.dim() == 0 ? Shape{m} : expect);
  check_index_values(index, ss[d], d, "index_add");
  Tensor out = detail::copy_values(self);
  const Lanes so = lanes_around(ss, d), sr = lanes_around(expect, d);
  dispatch_all(self.dtype(), [&]<class T>() {
    const T a = static_cast<T>(alpha);
    const T* s = source.data<T>();
    const std::int64_t* idx = index.data<std::int64_t>();
    T* o = out.data<T>();
    for (std::int64_t r = 0; r < so.outer; ++r)
      for (std::int64_t k = 0; k < m; ++k) {
        T* dst = o + (r * so.n + idx[k]) * so.inner;
        const T* src = s + (r * sr.n + k) * sr.inner;
        for (std::int64_t i = 0; i < so.inner; ++i) dst[i] += a * src[i];
      }
  });
  record(
      out, {"index_add", "dself = g, dsource = alpha * index_select(g, index)"}, {self, source},
      [d, idx = save(index), alpha, ss, src_shape = source.shape(), src_rg = source.requires_grad()](const Tensor& g) {
        if (!src_rg) return GradList{g, Tensor()};
        Tensor ds = index_select(reshape(g, ss), d, idx.unpack());
        if (alpha != 1.0) ds = ds * alpha;
        return GradList{g, reshape(ds, src_shape)};
      });
  return out;
}

// ---- one_hot ---------------------------------------------------------------------------------------

// index [...] -> out [..., C] int64, out[p, index[p]] = 1
Tensor one_hot(const Tensor& index, std::int64_t num_classes) {
  if (index.dtype() != DType::i64)
    fail<DTypeError>("one_hot: expected an int64 index tensor, got {} (shape {})", dtype_name(index.dtype()),
                     index.shape());
  if (num_classes < -1) fail<ValueError>("one_hot: num_classes must be -1 or non-negative, got {}", num_classes);
  const std::int64_t n = index.numel();
  if (n == 0 && num_classes <= 0)
    fail<ValueError>("one_hot: cannot infer the number of classes from an empty index of shape {}; pass num_classes",
                     index.shape());
  const std::int64_t* idx = index.data<std::int64_t>();
  std::int64_t top = -1;
  for (std::int64_t p = 0; p < n; ++p) {
    if (idx[p] < 0) fail<IndexError>("one_hot: class value {} is negative", idx[p]);
    top = std::max(top, idx[p]);
  }
  const std::int64_t classes = num_classes == -1 ? top + 1 : num_classes;
  if (top >= classes) fail<IndexError>("one_hot: class value {} is out of range for num_classes {}", top, classes);
  Shape s = index.shape();
  s.push_back(classes);
  Tensor out = zeros(s, {.dtype = DType::i64});
  std::int64_t* o = out.data<std::int64_t>();
  for (std::int64_t p = 0; p < n; ++p) o[p * classes + idx[p]] = 1;
  return out;
}

}  // namespace tapegrad
