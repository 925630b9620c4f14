// Joining tensors: cat along an existing dim, stack along a new one. Seen around dim as
// [outer, n_i, inner], each input contributes a block of n_i * inner elements to every outer row.
#include <cstring>

#include "../node.hpp"
#include "index.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace {
// legacy rule kept by torch.cat: a 1-d tensor of shape [0] joins anything (it is skipped)
bool skipped(const Tensor& t) { return t.dim() == 1 && t.numel() == 0; }
}  // namespace

// x_i [.., n_i, ..] -> out [.., sum n_i, ..]; dx_i = narrow(g, dim, offset_i, n_i)
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) fail<ShapeError>("cat: expected a non-empty list of tensors");
  std::size_t ref = 0;  // the tensor whose shape the others must match
  while (ref + 1 < tensors.size() && skipped(tensors[ref])) ++ref;
  const Tensor& r = tensors[ref];
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].dim() == 0)
      fail<ShapeError>("cat: tensor {} is 0-d (shape []) and cannot be concatenated (use stack)", i);
    if (tensors[i].dtype() != r.dtype())
      fail<DTypeError>("cat: tensor {} has dtype {} but tensor {} has {} (convert one with .to())", i,
                       dtype_name(tensors[i].dtype()), ref, dtype_name(r.dtype()));
  }
  const std::int64_t d = wrap_dim(dim, r.dim(), "cat");
  Shape shape = r.shape();
  shape[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped(t) && !skipped(r)) continue;
    bool same = t.dim() == r.dim();
    for (std::int64_t k = 0; same && k < r.dim(); ++k) same = k == d || t.shape()[k] == r.shape()[k];
    if (!same)
      fail<ShapeError>("cat: shapes {} (tensor {}) and {} (tensor {}) must match in every dim except dim {}", r.shape(),
                       ref, t.shape(), i, d);
    shape[d] += t.shape()[d];
  }

  // out row o = [x_0 row o | x_1 row o | ...], each x_i row holding n_i * inner elements
  Tensor out = detail::make_tensor(shape, r.dtype());
  std::int64_t outer = 1, inner = 1;
  for (std::int64_t k = 0; k < d; ++k) outer *= shape[k];
  for (std::int64_t k = d + 1; k < shape.size(); ++k) inner *= shape[k];
  const std::size_t es = element_size(r.dtype());
  auto* o = static_cast<std::byte*>(out.impl()->storage->data());
  struct Piece {
    std::int64_t offset, length;
    bool needs;
  };
  std::vector<Piece> pieces;
  std::int64_t offset = 0;
  for (const Tensor& t : tensors) {
    const bool used = !(skipped(t) && !skipped(r));
    const std::int64_t n = used ? t.shape()[d] : 0;
    pieces.push_back({offset, used ? n : -1, t.requires_grad()});
    const auto block = static_cast<std::size_t>(n * inner) * es;
    const auto* s = static_cast<const std::byte*>(t.impl()->storage->data());
    for (std::int64_t row = 0; row < outer && block > 0; ++row)
      std::memcpy(o + static_cast<std::size_t>(row * shape[d] + offset) * inner * es,
                  s + static_cast<std::size_t>(row) * block, block);
    offset += n;
  }
  record(out, {"cat", "each input gets its own slice of g (narrow along dim)"}, tensors,
         [d, pieces = std::move(pieces)](const Tensor& g) {
           GradList grads;
           for (const Piece& p : pieces) {
             if (!p.needs) grads.emplace_back();
             else if (p.length < 0) grads.push_back(zeros(Shape{0}, {.dtype = g.dtype()}));  // a skipped [0] tensor
             else grads.push_back(narrow(g, d, p.offset, p.length));
           }
           return grads;
         });
  return out;
}

// stack = cat of the tensors, each unsqueezed at dim
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) fail<ShapeError>("stack: expected a non-empty list of tensors");
  for (std::size_t i = 1; i < tensors.size(); ++i) {
    if (!(tensors[i].shape() == tensors[0].shape()))
      fail<ShapeError>("stack: every tensor must have the same shape, got {} (tensor 0) and {} (tensor {})",
                       tensors[0].shape(), tensors[i].shape(), i);
    if (tensors[i].dtype() != tensors[0].dtype())
      fail<DTypeError>("stack: tensor {} has dtype {} but tensor 0 has {} (convert one with .to())", i,
                       dtype_name(tensors[i].dtype()), dtype_name(tensors[0].dtype()));
  }
  const std::int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(unsqueeze(t, d));
  return cat(parts, d);
}

}  // namespace tapegrad
