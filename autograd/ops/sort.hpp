#pragma once
// Sorting along a dim: sort and topk, as torch.sort / torch.topk. Both return the values and
// their int64 indices (ValuesIndices, as max(x, dim)); the values are differentiable, the
// gradient going back to the positions the indices name. NaN counts as larger than every number
// (last in an ascending sort, first in a descending one and in topk), as in PyTorch. Float32,
// float64 and int64 (values only). A 0-d tensor counts as one element along dim 0 / -1.
#include <cstdint>
#include <optional>

#include "../tensor.hpp"
#include "reduce.hpp"

namespace tapegrad {

/// Sorts along dim (ascending unless descending), as torch.sort. With `stable = true` tied values
/// keep their order (std::stable_sort, as PyTorch's stable=True). Without it (or with false) ties
/// come in the order of an introsort (std::sort with PyTorch's comparison), which is what PyTorch's
/// CPU kernel gives without x86-simd-sort (e.g. PyTorch 1.13 and builds without AVX2); recent
/// PyTorch builds that sort with x86-simd-sort may order ties differently there, giving the same
/// values, indices permuted among equal values (and the gradient of tied values sent to the tied
/// positions in that order). grad_fn SortBackward0, or SortBackward1 when `stable` is given, as
/// PyTorch's sort.stable overload.
ValuesIndices sort(const Tensor& x, std::int64_t dim = -1, bool descending = false,
                   std::optional<bool> stable = std::nullopt);

/// The k largest (or smallest) values along dim, as torch.topk: sorted from the largest (the
/// smallest) when `sorted`, otherwise in the order the selection leaves them. Ties are ordered as
/// PyTorch's CPU kernel orders them: a partial sort when k * 64 <= n, otherwise a selection of the
/// k-th element followed by a sort of the ones before it (std::partial_sort, std::nth_element and
/// std::sort with PyTorch's comparison; a standard library other than libstdc++ may order tied
/// values differently). k must be in [0, n] (IndexError otherwise); a 0-d x takes k = 0 or 1 and
/// gives 0-d results, as PyTorch. Backward: g scattered back to the chosen positions.
ValuesIndices topk(const Tensor& x, std::int64_t k, std::int64_t dim = -1, bool largest = true, bool sorted = true);

}  // namespace tapegrad
