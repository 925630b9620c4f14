#pragma once
// Rearranging elements: flip, roll, repeat and tile, as PyTorch's. Each returns a new contiguous
// tensor (also when nothing moves) and works for float32, float64 and int64 (int64 tensors never
// require grad). Dims may be negative.
#include <cstdint>
#include <optional>
#include <vector>

#include "../tensor.hpp"

namespace tapegrad {

/// Reverses the order along each of `dims`, as torch.flip (an empty list copies). A repeated dim
/// or one out of range is a ValueError. Backward: flip(g, dims).
Tensor flip(const Tensor& x, const std::vector<std::int64_t>& dims);

/// Shifts along each dims[i] by shifts[i] (wrapping around; negative shifts go left; a dim may
/// appear several times, its shifts then add), as torch.roll. With no dims, x is rolled as if
/// flattened, by the single shift given. shifts and dims of different lengths (or several shifts
/// without dims) are a ValueError; a dim on a 0-d tensor is an IndexError, as in PyTorch.
/// Backward: roll(g, -shifts, dims).
Tensor roll(const Tensor& x, const std::vector<std::int64_t>& shifts, const std::vector<std::int64_t>& dims = {});
/// roll by one shift along one dim, or flattened when dim is absent: `roll(x, 1)`, `roll(x, -2, 0)`.
Tensor roll(const Tensor& x, std::int64_t shift, std::optional<std::int64_t> dim = std::nullopt);

/// Tiles x repeats[i] times along dim i, as torch.Tensor.repeat: x's shape is first padded with
/// leading 1s to repeats.size() dims, so [2, 3].repeat({2, 1, 2}) is [2, 2, 6]. Fewer repeats than
/// x has dims is a ShapeError, a negative repeat a ValueError (0 gives an empty extent).
/// Backward: g summed over its tiles.
Tensor repeat(const Tensor& x, const std::vector<std::int64_t>& repeats);
/// As torch.tile: repeat, with reps padded with leading 1s when it has fewer entries than x has
/// dims (so tile(x [2, 3], {2}) is [2, 6]). grad_fn RepeatBackward0, as PyTorch.
Tensor tile(const Tensor& x, const std::vector<std::int64_t>& reps);

}  // namespace tapegrad
