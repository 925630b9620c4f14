#pragma once
// Rounding, as torch.floor, ceil, round, trunc and frac. float32 and float64 (int64 throws
// DTypeError; PyTorch returns an int64 copy). inf and NaN pass through floor, ceil, round and
// trunc; frac(±inf) is NaN, as PyTorch. The gradient is 0 everywhere for floor, ceil, round and
// trunc (as PyTorch: also at the jumps), and g for frac.
#include "../tensor.hpp"

namespace tapegrad {

/// The largest integer <= x; gradient 0.
Tensor floor(const Tensor& x);
/// The smallest integer >= x; gradient 0.
Tensor ceil(const Tensor& x);
/// The nearest integer, halves to even (round(0.5) = 0, round(1.5) = 2, round(-2.5) = -2), as
/// torch.round; gradient 0.
Tensor round(const Tensor& x);
/// The integer part, toward zero; gradient 0.
Tensor trunc(const Tensor& x);
/// x - trunc(x), with x's sign (frac(-1.5) = -0.5); d/dx = 1.
Tensor frac(const Tensor& x);

}  // namespace tapegrad
