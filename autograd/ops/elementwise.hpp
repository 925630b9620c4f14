#pragma once
// Elementwise arithmetic with NumPy broadcasting, and where (comparisons are in compare.hpp).
// Both operands of a binary op must have the same dtype.
#include <optional>

#include "../tensor.hpp"
#include "compare.hpp"

namespace tapegrad {

Tensor add(const Tensor& a, const Tensor& b);  ///< a + b
Tensor sub(const Tensor& a, const Tensor& b);  ///< a - b
Tensor mul(const Tensor& a, const Tensor& b);  ///< a * b
Tensor div(const Tensor& a, const Tensor& b);  ///< a / b
Tensor neg(const Tensor& x);                   ///< -x
/// x^p. As in PyTorch, the gradient for p == 0 is 0 everywhere.
Tensor pow(const Tensor& x, double p);
/// a^b elementwise. d/db = a^b log a, taken as 0 where a == 0 and b >= 0 (as PyTorch).
Tensor pow(const Tensor& a, const Tensor& b);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
/// |x|; the gradient at 0 is 0, as PyTorch.
Tensor abs(const Tensor& x);
/// sign(x) in {-1, 0, 1}; gradient 0.
Tensor sign(const Tensor& x);
/// Clamps to [min, max] (either may be absent). The gradient passes where min <= x <= max.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
/// Elementwise max / min. At ties each input gets half the gradient, as PyTorch.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

/// A copy converted to dtype (x itself if it already has it), as Tensor.to; differentiable
/// (the gradient is converted back). int64 results cannot carry a gradient (DTypeError).
Tensor to(const Tensor& x, DType dtype);
/// A deep copy, as torch.clone; differentiable (dx = g).
Tensor clone(const Tensor& x);

/// a where cond != 0, else b (all three broadcast together). Differentiable in a and b.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

namespace detail {
/// A 0-d tensor of value v with x's dtype (for scalar operands).
Tensor scalar_like(const Tensor& x, double v);
}  // namespace detail

}  // namespace tapegrad
