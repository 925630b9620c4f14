#pragma once
// Comparisons: masks of 1 where the relation holds and 0 where it does not. Not differentiable
// (the result never requires grad).
#include "../tensor.hpp"

namespace tapegrad {

/// Elementwise relations with NumPy broadcasting: 1 where true, 0 where false, in the operands'
/// dtype, float or int64 (PyTorch returns bool), so `argmax(logits, 1) == target` counts the
/// correct predictions. Both operands must have the same dtype (DTypeError otherwise).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

/// Relations with a number, as `x >= 1.5`. A float tensor compares with the number converted to
/// its dtype (as PyTorch). An int64 tensor compares exactly with the number itself: `[0, 1, 2] >=
/// 1.5` is `[0, 0, 1]` (PyTorch promotes to float32, which is exact only below 2^24).
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);

Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
/// `1.5 < x` is `x > 1.5`, and so on.
Tensor operator==(double a, const Tensor& b);
Tensor operator!=(double a, const Tensor& b);
Tensor operator<(double a, const Tensor& b);
Tensor operator<=(double a, const Tensor& b);
Tensor operator>(double a, const Tensor& b);
Tensor operator>=(double a, const Tensor& b);

}  // namespace tapegrad
