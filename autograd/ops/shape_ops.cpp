// Shape ops. Views re-label the same contiguous storage; their backward reshapes back.
#include "shape_ops.hpp"

#include "../node.hpp"
#include "kernels.hpp"

namespace tapegrad {

namespace {
Shape infer_shape(const Shape& requested, std::int64_t numel, const Shape& from, const char* op) {
  Shape s = requested;
  std::int64_t known = 1, infer = -1;
  for (std::int64_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      if (infer >= 0) fail<ShapeError>("{}: only one dim can be -1 in {}", op, requested);
      infer = i;
    } else if (s[i] < 0) {
      fail<ShapeError>("{}: invalid extent {} in {}", op, s[i], requested);
    } else {
      known *= s[i];
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
Tensor view_as(const Tensor& x, const Shape& shape, const char* op) {
  Tensor out = detail::alias(x, shape);
  record(out, op, {x}, [xs = x.shape()](const Tensor& g) { return GradList{reshape(g, xs)}; });
  return out;
}
}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  return view_as(x, infer_shape(shape, x.numel(), x.shape(), "reshape"), "reshape");
}
Tensor view(const Tensor& x, const Shape& shape) {
  return view_as(x, infer_shape(shape, x.numel(), x.shape(), "view"), "view");
}

Tensor flatten(const Tensor& x, std::int64_t start_dim, std::int64_t end_dim) {
  if (x.dim() == 0) return view_as(x, Shape{1}, "flatten");
  const std::int64_t s = wrap_dim(start_dim, x.dim(), "flatten"), e = wrap_dim(end_dim, x.dim(), "flatten");
  if (s > e) fail<ValueError>("flatten: start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape out;
  for (std::int64_t i = 0; i < s; ++i) out.push_back(x.shape()[i]);
  std::int64_t merged = 1;
  for (std::int64_t i = s; i <= e; ++i) merged *= x.shape()[i];
  out.push_back(merged);
  for (std::int64_t i = e + 1; i < x.dim(); ++i) out.push_back(x.shape()[i]);
  return view_as(x, out, "flatten");
}

Tensor squeeze(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "squeeze");
  if (x.dim() == 0 || x.shape()[d] != 1) return x;
  Shape s = x.shape();
  s.erase(d);
  return view_as(x, s, "squeeze");
}

Tensor squeeze(const Tensor& x) {
  Shape s;
  for (auto e : x.shape())
    if (e != 1) s.push_back(e);
  return view_as(x, s, "squeeze");
}

Tensor unsqueeze(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape s = x.shape();
  s.insert(d, 1);
  return view_as(x, s, "unsqueeze");
}

Tensor Tensor::reshape(const Shape& shape) const { return tapegrad::reshape(*this, shape); }
Tensor Tensor::view(const Shape& shape) const { return tapegrad::view(*this, shape); }
Tensor Tensor::flatten(std::int64_t s, std::int64_t e) const { return tapegrad::flatten(*this, s, e); }
Tensor Tensor::squeeze(std::int64_t dim) const { return tapegrad::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(std::int64_t dim) const { return tapegrad::unsqueeze(*this, dim); }

}  // namespace tapegrad
