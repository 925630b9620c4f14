#pragma once
// Reductions over all elements, one dim or several dims, with keepdim as in PyTorch.
// Dims may be negative. An empty dims list means all dims.
#include <initializer_list>
#include <optional>
#include <vector>

#include "../tensor.hpp"

namespace tapegrad {

using Dims = std::vector<std::int64_t>;

/// Sum of all elements (0-d) or over `dims`.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const Dims& dims, bool keepdim = false);
/// Mean of all elements or over `dims`.
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const Dims& dims, bool keepdim = false);

/// Values and int64 indices of a max/min along one dim (torch.return_types.max).
struct ValuesIndices {
  Tensor values;
  Tensor indices;
};
/// Max of all elements; the gradient is split evenly among tied maxima, as PyTorch.
Tensor max(const Tensor& x);
/// Max along dim with the index of the first maximum; the gradient goes to that index.
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor min(const Tensor& x);
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim = false);
/// Index of the first max/min over the flattened tensor (0-d int64) or along dim. NaN counts
/// as the extreme (its first index is returned), as PyTorch. max/min/argmax/argmin also take
/// int64 tensors; reducing an empty tensor or an empty dim throws ValueError.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim = false);

/// Variance over all elements or `dims`; unbiased divides by N-1 (torch's default), else N
/// (N-1 = 0 gives nan, as PyTorch). Float tensors only (DTypeError for int64).
Tensor var(const Tensor& x, bool unbiased = true);
Tensor var(const Tensor& x, const Dims& dims, bool unbiased = true, bool keepdim = false);
/// Standard deviation, as var. The gradient where std == 0 is 0, as PyTorch.
Tensor std(const Tensor& x, bool unbiased = true);
Tensor std(const Tensor& x, const Dims& dims, bool unbiased = true, bool keepdim = false);
/// Braced dims take these overloads, so `var(x, {1})` reduces dim 1 rather than converting
/// {1} to `unbiased = true` (a C++ pitfall the bool overloads would otherwise set).
Tensor var(const Tensor& x, std::initializer_list<std::int64_t> dims, bool unbiased = true, bool keepdim = false);
Tensor std(const Tensor& x, std::initializer_list<std::int64_t> dims, bool unbiased = true, bool keepdim = false);
/// log(sum(exp(x))) over dims, computed stably (shifted by the max; a slice of all -inf gives
/// -inf). Float tensors only: unlike PyTorch, int64 input throws DTypeError.
Tensor logsumexp(const Tensor& x, const Dims& dims, bool keepdim = false);
/// p-norm over all elements or dims (p = 2 by default; p = inf gives max |x|). The gradient at
/// an all-zero input is 0, as PyTorch; at p = inf it is split evenly among the tied max |x|.
/// Unlike torch.norm, p must be > 0 (p <= 0, -inf and nan throw ValueError). Float only.
Tensor norm(const Tensor& x, double p = 2.0);
Tensor norm(const Tensor& x, double p, const Dims& dims, bool keepdim = false);

namespace detail {
/// Sorted, wrapped, de-duplicated dims (all dims if empty); throws for repeats or range.
std::vector<std::int64_t> reduction_dims(const Dims& dims, std::int64_t ndim, const char* op);
/// x's shape with `dims` set to 1 (the keepdim shape).
Shape keepdim_shape(const Shape& shape, const std::vector<std::int64_t>& dims);
/// x's shape with `dims` removed.
Shape reduced_shape(const Shape& shape, const std::vector<std::int64_t>& dims);
/// Zeros of `shape` plus src scattered along dim: out[.., index[.., j, ..], ..] += src[.., j, ..]
/// (index int64 of src's shape; other dims match `shape`). Backward: gather_from_dim.
Tensor scatter_into_dim(const Tensor& src, const Tensor& index, std::int64_t dim, const Shape& shape);
/// out[.., j, ..] = x[.., index[.., j, ..], ..] along dim (out has index's shape).
/// Backward: scatter_into_dim.
Tensor gather_from_dim(const Tensor& x, const Tensor& index, std::int64_t dim);
/// Max over (wrapped, sorted) dims in the keepdim shape, NaN-propagating, never recorded;
/// -inf where the reduction is empty.
Tensor amax_detached(const Tensor& x, const std::vector<std::int64_t>& dims);
}  // namespace detail

}  // namespace tapegrad
