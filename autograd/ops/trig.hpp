#pragma once
// Trigonometric and hyperbolic functions and their inverses, as torch.sin ... torch.atanh, and
// torch.atan2 (tanh is in activation.hpp). float32 and float64 (int64 throws DTypeError; PyTorch
// would return a float tensor). Values outside an inverse's domain give NaN, and its gradient at
// a domain edge is infinite, as PyTorch. All are differentiable twice: their backward rules are
// written with differentiable ops, in PyTorch's formulas.
#include "../tensor.hpp"

namespace tapegrad {

/// sin x; d/dx = cos x.
Tensor sin(const Tensor& x);
/// cos x; d/dx = -sin x.
Tensor cos(const Tensor& x);
/// tan x; d/dx = 1 + tan² x (from the saved output, as PyTorch).
Tensor tan(const Tensor& x);
/// arcsin x in [-π/2, π/2]; NaN outside [-1, 1]. d/dx = 1/√(1 - x²): ±inf at ±1, NaN outside.
Tensor asin(const Tensor& x);
/// arccos x in [0, π]; NaN outside [-1, 1]. d/dx = -1/√(1 - x²): -inf at ±1, NaN outside.
Tensor acos(const Tensor& x);
/// arctan x in (-π/2, π/2); d/dx = 1/(1 + x²).
Tensor atan(const Tensor& x);
/// The angle of the point (x = other, y = self) in [-π, π], with the signs of zeros as C's atan2
/// (atan2(0, -0) = π, atan2(-0, -1) = -π). self and other broadcast; dtypes must match.
/// d/dself = other/(self² + other²), d/dother = -self/(self² + other²): NaN at (0, 0), as PyTorch.
Tensor atan2(const Tensor& self, const Tensor& other);
/// sinh x; d/dx = cosh x.
Tensor sinh(const Tensor& x);
/// cosh x; d/dx = sinh x.
Tensor cosh(const Tensor& x);
/// arsinh x; d/dx = 1/√(x² + 1) (0 once x² overflows, as PyTorch's formula gives).
Tensor asinh(const Tensor& x);
/// arcosh x for x >= 1, NaN below. d/dx = 1/√(x² - 1): inf at ±1, NaN in (-1, 1), and finite
/// below -1 (where acosh is NaN), as PyTorch's formula gives.
Tensor acosh(const Tensor& x);
/// artanh x: ±inf at ±1, NaN outside [-1, 1]. d/dx = 1/(1 - x²): inf at ±1, finite (negative)
/// outside, as PyTorch's formula gives.
Tensor atanh(const Tensor& x);

}  // namespace tapegrad
