#pragma once
// Shape ops: views that share storage (reshape, view, flatten, squeeze, unsqueeze) and
// copies that move elements (transpose, permute, t).
#include <vector>

#include "../tensor.hpp"

namespace tapegrad {

/// Same elements, new shape (one extent may be -1); shares storage. Backward: reshape back.
Tensor reshape(const Tensor& x, const Shape& shape);
/// Same as reshape (storage is always contiguous, so a view is always possible).
Tensor view(const Tensor& x, const Shape& shape);
/// Merges dims start_dim..end_dim into one.
Tensor flatten(const Tensor& x, std::int64_t start_dim = 0, std::int64_t end_dim = -1);
/// Removes dim if its extent is 1 (otherwise returns x unchanged, as PyTorch).
Tensor squeeze(const Tensor& x, std::int64_t dim);
/// Removes every dim of extent 1.
Tensor squeeze(const Tensor& x);
/// Inserts a dim of extent 1 at dim (in [-ndim-1, ndim]).
Tensor unsqueeze(const Tensor& x, std::int64_t dim);

/// Swaps two dims (copies). Backward: the same transpose.
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
/// Reorders dims (copies). Backward: the inverse permutation.
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
/// Transpose of a tensor with at most 2 dims (a 0-d or 1-d tensor is returned as it is).
Tensor t(const Tensor& x);

}  // namespace tapegrad
