// Shape ops. Views re-label the same contiguous storage; their backward reshapes back.
// transpose, permute and t move elements into fresh storage; their backward permutes back.
#include "shape_ops.hpp"

#include <fmt/ranges.h>

#include <algorithm>

#include "../node.hpp"
#include "../tensor_kernels.hpp"

namespace tapegrad {

namespace {
Shape infer_shape(const ShapeRequest& requested, std::int64_t numel, const Shape& from, const char* op) {
  Shape s;
  std::int64_t known = 1, infer = -1;
  for (std::int64_t i = 0; i < requested.size(); ++i) {
    if (requested[i] == -1) {
      if (infer >= 0) fail<ShapeError>("{}: only one dim can be -1 in {}", op, requested);
      infer = i;
      s.push_back(0);
    } else if (requested[i] < 0) {
      fail<ShapeError>("{}: invalid extent {} in {}", op, requested[i], requested);
    } else {
      known *= requested[i];
      s.push_back(requested[i]);
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel % known != 0)
      fail<ShapeError>("{}: shape {} is invalid for input of shape {} ({} elements)", op, requested, from, numel);
    s[infer] = numel / known;
  }
  if (s.numel() != numel)
    fail<ShapeError>("{}: shape {} is invalid for input of shape {} ({} elements)", op, requested, from, numel);
  return s;
}

// the shared view op: same storage, new shape; dx = g reshaped to x's shape
constexpr OpInfo kViewInfo{"view", "dx = g reshaped to x's shape"};

// (PyTorch names the grad_fn of reshape and flatten ViewBackward0 too, for contiguous input)
Tensor view_as(const Tensor& x, const Shape& shape, OpInfo op) {
  Tensor out = detail::alias(x, shape);
  out.impl()->is_view = true;
  record(out, op, {x}, [xs = x.shape()](const Tensor& g) { return GradList{reshape(g, xs)}; });
  return out;
}
}  // namespace

Tensor reshape(const Tensor& x, const ShapeRequest& shape) {
  return view_as(x, infer_shape(shape, x.numel(), x.shape(), "reshape"), kViewInfo);
}
Tensor view(const Tensor& x, const ShapeRequest& shape) {
  return view_as(x, infer_shape(shape, x.numel(), x.shape(), "view"), kViewInfo);
}

Tensor flatten(const Tensor& x, std::int64_t start_dim, std::int64_t end_dim) {
  if (x.dim() == 0) return view_as(x, Shape{1}, kViewInfo);
  const std::int64_t s = wrap_dim(start_dim, x.dim(), "flatten"), e = wrap_dim(end_dim, x.dim(), "flatten");
  if (s > e) fail<ValueError>("flatten: start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape out;
  for (std::int64_t i = 0; i < s; ++i) out.push_back(x.shape()[i]);
  std::int64_t merged = 1;
  for (std::int64_t i = s; i <= e; ++i) merged *= x.shape()[i];
  out.push_back(merged);
  for (std::int64_t i = e + 1; i < x.dim(); ++i) out.push_back(x.shape()[i]);
  return view_as(x, out, kViewInfo);
}

Tensor squeeze(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "squeeze");
  Shape s = x.shape();
  if (x.dim() > 0 && x.shape()[d] == 1) s.erase(d);  // any other extent stays: a view of the same shape
  return view_as(x, s, {"squeeze", "dx = g reshaped to x's shape", 1});
}

Tensor squeeze(const Tensor& x) {
  Shape s;
  for (auto e : x.shape())
    if (e != 1) s.push_back(e);
  return view_as(x, s, {"squeeze", "dx = g reshaped to x's shape"});
}

Tensor unsqueeze(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape s = x.shape();
  s.insert(d, 1);
  return view_as(x, s, {"unsqueeze", "dx = g with the new dim removed"});
}

// ---- copying shape ops ---------------------------------------------------------------------------

namespace {
// out = x with its dims reordered (out dim i is x dim perm[i]), copied into fresh contiguous
// storage. The last two output dims are walked in tiles, so a plain transpose reads and writes
// both cache-friendly; the dims before them advance as an odometer.
Tensor permute_copy(const Tensor& x, const std::vector<std::int64_t>& perm) {
  const std::int64_t n = x.dim();
  const Shape xstride = contiguous_strides(x.shape());
  Shape shape, stride;  // output extents and the input stride along each output dim
  for (std::int64_t i = 0; i < n; ++i) {
    shape.push_back(x.shape()[perm[static_cast<std::size_t>(i)]]);
    stride.push_back(xstride[perm[static_cast<std::size_t>(i)]]);
  }
  Tensor out = detail::make_tensor(shape, x.dtype());
  if (out.numel() == 0) return out;
  // view the output as [outer..., R, C] (padding with leading 1s below 2 dims)
  const std::int64_t rows = n >= 2 ? shape[n - 2] : 1, cols = n >= 1 ? shape[n - 1] : 1;
  const std::int64_t sr = n >= 2 ? stride[n - 2] : 0, sc = n >= 1 ? stride[n - 1] : 0;
  const std::int64_t outer_dims = std::max<std::int64_t>(n - 2, 0);
  const std::int64_t outer = out.numel() / (rows * cols);
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    constexpr std::int64_t tile = 32;
    std::vector<std::int64_t> idx(static_cast<std::size_t>(outer_dims), 0);
    std::int64_t base = 0;
    for (std::int64_t o = 0; o < outer; ++o) {
      T* d = dst + o * rows * cols;
      for (std::int64_t r0 = 0; r0 < rows; r0 += tile)
        for (std::int64_t c0 = 0; c0 < cols; c0 += tile) {
          const std::int64_t r1 = std::min(rows, r0 + tile), c1 = std::min(cols, c0 + tile);
          for (std::int64_t r = r0; r < r1; ++r)
            for (std::int64_t c = c0; c < c1; ++c) d[r * cols + c] = src[base + r * sr + c * sc];
        }
      for (std::int64_t k = outer_dims - 1; k >= 0; --k) {  // odometer over the outer dims
        base += stride[k];
        if (++idx[static_cast<std::size_t>(k)] < shape[k]) break;
        base -= stride[k] * shape[k];
        idx[static_cast<std::size_t>(k)] = 0;
      }
    }
  });
  return out;
}

// out = x with dims d0 and d1 swapped (a copy); dx = transpose(g, d0, d1)
Tensor swap_dims(const Tensor& x, std::int64_t d0, std::int64_t d1, OpInfo info) {
  if (d0 == d1 || x.dim() < 2) return x;
  std::vector<std::int64_t> perm(static_cast<std::size_t>(x.dim()));
  for (std::int64_t i = 0; i < x.dim(); ++i) perm[static_cast<std::size_t>(i)] = i;
  std::swap(perm[static_cast<std::size_t>(d0)], perm[static_cast<std::size_t>(d1)]);
  Tensor out = permute_copy(x, perm);
  record(out, info, {x}, [d0, d1](const Tensor& g) { return GradList{transpose(g, d0, d1)}; });
  return out;
}
}  // namespace

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1) {
  const std::int64_t d0 = wrap_dim(dim0, x.dim(), "transpose"), d1 = wrap_dim(dim1, x.dim(), "transpose");
  return swap_dims(x, d0, d1, {"transpose", "dx = g with the same two dims swapped back"});
}

// out dim i = x dim dims[i] (a copy); dx = permute(g, inverse), inverse[dims[i]] = i
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims) {
  const std::int64_t n = x.dim();
  if (static_cast<std::int64_t>(dims.size()) != n)
    fail<ValueError>("permute: dims [{}] has {} entries but the tensor of shape {} has {} dims", fmt::join(dims, ", "),
                     dims.size(), x.shape(), n);
  std::vector<std::int64_t> perm(dims.size()), inverse(dims.size(), -1);
  bool identity = true;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const std::int64_t d = wrap_dim(dims[i], n, "permute");
    if (inverse[static_cast<std::size_t>(d)] >= 0)
      fail<ValueError>("permute: dims [{}] is not a permutation of the {} dims of shape {} (dim {} repeats)",
                       fmt::join(dims, ", "), n, x.shape(), dims[i]);
    perm[i] = d;
    inverse[static_cast<std::size_t>(d)] = static_cast<std::int64_t>(i);
    identity = identity && d == static_cast<std::int64_t>(i);
  }
  if (identity) return x;
  Tensor out = permute_copy(x, perm);
  record(out, {"permute", "dx = g permuted by the inverse permutation"}, {x},
         [inverse](const Tensor& g) { return GradList{permute(g, inverse)}; });
  return out;
}

// tensors of at most 2 dims: [M, N] -> [N, M]; 0-d and 1-d come back unchanged
Tensor t(const Tensor& x) {
  if (x.dim() > 2)
    fail<ValueError>("t: expects a tensor with <= 2 dims, but got shape {} ({} dims); use transpose", x.shape(),
                     x.dim());
  return swap_dims(x, 0, x.dim() - 1, {"t", "dx = gᵀ"});
}

}  // namespace tapegrad
