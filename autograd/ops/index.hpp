#pragma once
// Slicing and indexing: slice, select, narrow, cat, stack, gather, scatter_add, index_select,
// index_add, one_hot. Every result is a fresh contiguous tensor (PyTorch returns views for
// slice/select/narrow; the values and gradients are the same). Dims may be negative. Index
// tensors are int64. Value tensors may be float32, float64 or int64 (int64 ones never require
// grad). Index values are never wrapped: they must lie in [0, extent), as in torch.gather.
#include <cstdint>
#include <optional>
#include <vector>

#include "../tensor.hpp"

namespace tapegrad {

/// `x[..., start:stop:step, ...]` along dim, with Python's rules: a negative start/stop counts
/// from the end, bounds beyond the extent clamp to it, an absent start/stop means the beginning/
/// the end, and an empty range gives an extent of 0. step must be >= 1 (ValueError otherwise, as
/// torch). A 0-d x has nothing to slice (IndexError). Backward: g placed into zeros of x's shape.
Tensor slice(const Tensor& x, std::int64_t dim, std::optional<std::int64_t> start = std::nullopt,
             std::optional<std::int64_t> stop = std::nullopt, std::int64_t step = 1);
/// `x[..., index, ...]`: removes dim, keeping the entry at index (negative counts from the end;
/// outside [-n, n) is an IndexError, as is a 0-d x).
Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index);
/// The entries start .. start+length-1 along dim (start may be negative, in [-n, n]), as
/// torch.narrow. start out of range or start + length > n: IndexError; length < 0: ValueError.
Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length);

/// Joins tensors along an existing dim, as torch.cat. All must have the same dtype (torch
/// promotes; we throw DTypeError), the same number of dims (at least 1) and the same extents
/// outside dim (ShapeError otherwise, also for an empty list). As in torch, 1-d tensors of
/// shape [0] are skipped whatever the others' shapes. Backward: g narrowed into the pieces.
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
/// Joins tensors of one shape along a new dim (in [-ndim-1, ndim]): unsqueeze each, then cat.
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);

/// out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (and likewise for other dims), as
/// torch.gather: index has as many dims as x (0-d counts as 1-d, as in torch), extents no larger
/// than x's outside dim, and values in [0, x.size(dim)); out has index's shape.
/// Backward: scatter_add(zeros of x's shape, dim, index, g), so repeated indices accumulate.
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index);
/// A copy of self with src added at the positions index gives along dim, as
/// torch.Tensor.scatter_add: out[index[i][j]][j] += src[i][j] for dim 0. index has as many dims
/// as self and src, extents no larger than src's and (outside dim) than self's, values in
/// [0, self.size(dim)). Backward: dself = g, dsrc = gather(g, dim, index), padded with zeros where
/// src is larger than index (torch's backward rejects that case).
Tensor scatter_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& src);

/// The entries of x at the positions a 0-d or 1-d index gives along dim, as torch.index_select;
/// repeats allowed. A 0-d x takes exactly one index 0 (torch accepts several and returns one
/// value). Backward: index_add(zeros of x's shape, dim, index, g).
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index);
/// A copy of self with alpha * source[k] added at position index[k] along dim, as
/// torch.index_add: index is 0-d or 1-d with n entries in [0, self.size(dim)), source is self's
/// shape with n along dim. Backward: dself = g, dsource = alpha * index_select(g, dim, index).
Tensor index_add(const Tensor& self, std::int64_t dim, const Tensor& index, const Tensor& source, double alpha = 1.0);

/// int64 one-hot encoding, as torch.nn.functional.one_hot: out has index's shape plus a last
/// dim of num_classes (-1 infers max + 1; an empty index then is a ValueError). A negative class
/// or one >= num_classes is an IndexError. Not differentiable.
Tensor one_hot(const Tensor& index, std::int64_t num_classes = -1);

namespace detail {
/// Zeros of `shape` with g written at positions start, start + step, ... along dim (g has
/// shape's extents except along dim): slice's backward. Differentiable; its backward is slice.
Tensor slice_backward(const Tensor& g, const Shape& shape, std::int64_t dim, std::int64_t start, std::int64_t step);
}  // namespace detail

}  // namespace tapegrad
