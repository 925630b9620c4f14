#pragma once
// Shape ops: views that share storage (reshape, view, flatten, squeeze, unsqueeze) and
// copies that move elements (transpose, permute, t).
#include <vector>

#include "../tensor.hpp"

namespace tapegrad {

/// Same elements, new shape (one extent may be -1); shares storage. Backward: reshape back.
Tensor reshape(const Tensor& x, const ShapeRequest& shape);
/// Same as reshape (storage is always contiguous, so a view is always possible).
Tensor view(const Tensor& x, const ShapeRequest& shape);
/// Merges dims start_dim..end_dim into one.
Tensor flatten(const Tensor& x, std::int64_t start_dim = 0, std::int64_t end_dim = -1);
/// Removes dim if its extent is 1 (otherwise returns x unchanged, as PyTorch).
Tensor squeeze(const Tensor& x, std::int64_t dim);
/// Removes every dim of extent 1.
Tensor squeeze(const Tensor& x);
/// Inserts a dim of extent 1 at dim (in [-ndim-1, ndim]).
Tensor unsqueeze(const Tensor& x, std::int64_t dim);

/// Swaps two dims (negative dims count from the end), copying into fresh contiguous storage
/// (PyTorch returns a strided view; tapegrad tensors are always contiguous). When dim0 and
/// dim1 name the same dim, or x has fewer than 2 dims, x itself is returned. Works for int64
/// too. Backward: the same transpose. Throws ValueError for a dim out of range.
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
/// Reorders dims: output dim i is x's dim dims[i] (negative dims count from the end); copies,
/// like transpose (the identity permutation returns x itself). Backward: the inverse
/// permutation. Throws ValueError unless dims is a permutation of x's dims.
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
/// Transpose of a tensor with at most 2 dims, as torch.t: [M, N] -> [N, M] (a copy); a 0-d or
/// 1-d tensor is returned as it is. Throws ValueError for more than 2 dims.
Tensor t(const Tensor& x);

}  // namespace tapegrad
