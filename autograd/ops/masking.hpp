#pragma once
// Clamping to one bound and selecting by a mask, as torch.clamp_min, clamp_max, masked_fill and
// torch.where with scalar operands (where of two tensors is in elementwise.hpp). float32 and
// float64 values; masks and conditions are tensors of any dtype, true where nonzero (NaN counts
// as true): PyTorch wants bool tensors, which tapegrad does not have, and comparisons give 0/1
// tensors in their operands' dtype.
#include "../tensor.hpp"

namespace tapegrad {

/// max(x, min), NaN wherever x or min is NaN, as torch.clamp_min. The gradient passes where
/// x >= min (so at x == min too) and is 0 elsewhere, and for NaN x or min.
Tensor clamp_min(const Tensor& x, double min);
/// min(x, max), NaN wherever x or max is NaN, as torch.clamp_max. The gradient passes where
/// x <= max and is 0 elsewhere, and for NaN x or max.
Tensor clamp_max(const Tensor& x, double max);

/// x with `value` wherever mask is nonzero, as torch.masked_fill. x and mask broadcast together
/// (the mask usually to x's shape; as in PyTorch x may broadcast too); value takes x's dtype.
/// The gradient is g where mask is 0 and 0 where filled, summed back to x's shape.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

/// a where cond is nonzero, else the scalar b (in a's dtype), as torch.where(cond, a, b); cond
/// and a broadcast together. da = g where cond, else 0 (WhereBackward0).
Tensor where(const Tensor& cond, const Tensor& a, double b);
/// The scalar a (in b's dtype) where cond is nonzero, else b; db = g where cond is 0, else 0.
Tensor where(const Tensor& cond, double a, const Tensor& b);
/// a where cond is nonzero, else b, of cond's shape, as torch.where(cond, a, b) with two Python
/// floats: the result is float32, PyTorch's default dtype (convert with .to() for float64).
/// Never requires grad.
Tensor where(const Tensor& cond, double a, double b);

}  // namespace tapegrad
