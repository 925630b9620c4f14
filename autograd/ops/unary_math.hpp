#pragma once
// Exponentials, logarithms, powers and the error function, as torch.log1p ... torch.erfc, and
// torch.pow with a scalar base. float32 and float64 (int64 throws DTypeError; PyTorch would
// return a float tensor, or an int64 one for square). Poles and domain edges give PyTorch's inf
// and NaN, in the values and in the gradients. All are differentiable twice.
#include "../tensor.hpp"

namespace tapegrad {

/// log(1 + x), accurate for small x: -inf at -1, NaN below. d/dx = 1/(x + 1).
Tensor log1p(const Tensor& x);
/// e^x - 1, accurate for small x. d/dx = y + 1 (from the saved output, as PyTorch).
Tensor expm1(const Tensor& x);
/// log₂ x; d/dx = 1/(x ln 2).
Tensor log2(const Tensor& x);
/// log₁₀ x; d/dx = 1/(x ln 10).
Tensor log10(const Tensor& x);
/// 2^x; d/dx = y ln 2 (from the saved output).
Tensor exp2(const Tensor& x);
/// 1/x (inf at 0, -inf at -0); d/dx = -y² (from the saved output).
Tensor reciprocal(const Tensor& x);
/// 1/√x (inf at 0, NaN below); d/dx = -y³/2 (from the saved output).
Tensor rsqrt(const Tensor& x);
/// x², as torch.square, which is torch.pow(x, 2): its grad_fn is PowBackward0; d/dx = 2x.
Tensor square(const Tensor& x);
/// The error function erf x = 2/√π ∫₀ˣ e^(-t²) dt; d/dx = 2/√π e^(-x²).
Tensor erf(const Tensor& x);
/// 1 - erf x, accurate in the right tail; d/dx = -2/√π e^(-x²).
Tensor erfc(const Tensor& x);
/// base^exponent elementwise for a scalar base, as torch.pow(base, exponent) (grad_fn
/// PowBackward2); the result has the exponent's dtype. d/dexponent = y ln(base), NaN for a
/// negative base; for base 0 it is 0 where exponent >= 0 and -inf where exponent < 0, as PyTorch.
Tensor pow(double base, const Tensor& exponent);

}  // namespace tapegrad
