#pragma once
// Splitting a tensor into pieces along a dim: chunk, split (by a size or a list of sizes) and
// unbind, as PyTorch's. Each piece is a new contiguous tensor (PyTorch returns views; the values
// and gradients are the same) and differentiable on its own: gradients from any subset of the
// pieces come back to x, zeros where a piece got none, in O(numel log(pieces)) (PyTorch: O(numel)).
// x must have at least one dim (IndexError for a 0-d x, as PyTorch). Works for float32, float64
// and int64 (values only).
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "../tensor.hpp"

namespace tapegrad {

/// Splits into pieces of ceil(n / chunks) along dim, the last one smaller, as torch.chunk: this
/// can give fewer than `chunks` pieces (7 into 4 gives 2, 2, 2, 1; 6 into 4 gives 2, 2, 2), and an
/// extent of 0 gives `chunks` empty pieces. chunks <= 0 is a ValueError. grad_fn SplitBackward0
/// (SplitWithSizesBackward0 for the empty pieces, as PyTorch).
std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim = 0);
/// Pieces of split_size along dim, the last one smaller, as torch.split with an int (a size larger
/// than the extent gives x whole; an extent of 0 gives one empty piece). A negative size is a
/// ValueError, as is 0 unless the extent is 0. grad_fn SplitBackward0.
std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim = 0);
/// Pieces of the given sizes along dim, as torch.split with a list: the sizes must be non-negative
/// and add up to the extent (ValueError otherwise). grad_fn SplitWithSizesBackward0.
std::vector<Tensor> split(const Tensor& x, const std::vector<std::int64_t>& sizes, std::int64_t dim = 0);
/// Braced sizes take this overload, so `split(x, {2}, 1)` means sizes [2], as x.split([2], 1).
std::vector<Tensor> split(const Tensor& x, std::initializer_list<std::int64_t> sizes, std::int64_t dim = 0);
/// The slices x[.., i, ..] along dim, each without that dim, as torch.unbind (none for an extent
/// of 0). grad_fn UnbindBackward0.
std::vector<Tensor> unbind(const Tensor& x, std::int64_t dim = 0);

}  // namespace tapegrad
