#pragma once
// More reductions: amax and amin over several dims (ties share the gradient evenly) and prod
// (its gradient exact with zeros in the input). Dims may be negative; an empty dims list means
// all dims, as in PyTorch.
#include <cstdint>
#include <vector>

#include "../tensor.hpp"
#include "reduce.hpp"

namespace tapegrad {

/// Max over `dims` (all dims if empty), as torch.amax. Unlike max(x, dim), the gradient is
/// split evenly among the elements tied at the max of their slice; a slice whose max is NaN gets
/// NaN gradients, as PyTorch. Float32, float64 and int64 (values only). A reduced dim of extent
/// 0 is an IndexError; a dim out of range or repeated a ValueError.
Tensor amax(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
/// Min over `dims`, as torch.amin; see amax.
Tensor amin(const Tensor& x, const Dims& dims = {}, bool keepdim = false);

/// Product of all elements (0-d; 1 for an empty tensor), as torch.prod (grad_fn ProdBackward0).
/// int64 gives int64 (values only). The gradient is the product of the other elements, computed
/// without division, so one zero (its position gets the product of the rest) and several zeros
/// (all gradients 0) are exact, as in PyTorch. Float32 products are accumulated in float64.
Tensor prod(const Tensor& x);
/// Product along dim (ProdBackward1); the dim is dropped unless keepdim.
Tensor prod(const Tensor& x, std::int64_t dim, bool keepdim = false);

}  // namespace tapegrad
