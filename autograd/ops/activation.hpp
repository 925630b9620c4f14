#pragma once
// Activation functions, as torch.nn.functional: relu, leaky_relu, sigmoid, tanh, gelu, silu,
// elu, softplus, softmax and log_softmax. float32 and float64 only (int64 throws DTypeError).
// All are differentiable twice: their backward rules are written with differentiable ops.
#include <cstdint>
#include <string_view>

#include "../tensor.hpp"

namespace tapegrad {

/// max(x, 0). The gradient at 0 is 0, as PyTorch.
Tensor relu(const Tensor& x);

/// x where x > 0, else negative_slope * x. The gradient at 0 is negative_slope, as PyTorch.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);

/// 1 / (1 + e^-x), computed without overflow for any x (e^-|x| is the only exponential taken).
Tensor sigmoid(const Tensor& x);

/// Hyperbolic tangent.
Tensor tanh(const Tensor& x);

/// Which form gelu computes, as the `approximate` argument of torch.nn.functional.gelu.
enum class GeluApprox {
  none,  ///< exact: x * Φ(x) = x/2 * (1 + erf(x / √2))
  tanh,  ///< x/2 * (1 + tanh(√(2/π) * (x + 0.044715 x³)))
};

/// Gaussian error linear unit; `approximate` is GeluApprox::none (exact, the default) or
/// GeluApprox::tanh.
Tensor gelu(const Tensor& x, GeluApprox approximate = GeluApprox::none);
/// gelu with PyTorch's string option: "none" or "tanh"; anything else throws ValueError.
Tensor gelu(const Tensor& x, std::string_view approximate);

/// x * sigmoid(x) (also called swish).
Tensor silu(const Tensor& x);

/// x where x > 0, else alpha * (e^x - 1). The gradient at 0 is alpha, as PyTorch.
Tensor elu(const Tensor& x, double alpha = 1.0);

/// log(1 + e^(beta x)) / beta, and x itself where beta * x > threshold, as PyTorch. Computed
/// as (max(beta x, 0) + log1p(e^-|beta x|)) / beta, which never overflows (PyTorch evaluates
/// log1p(e^(beta x)) directly; the values agree to rounding).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);

/// e^x / sum(e^x) along dim (negative dims count from the end; a 0-d tensor takes 0 or -1).
/// Shifted by the max along dim, so logits of any size are safe; -inf entries give 0, and a
/// row that is all -inf gives NaN, as PyTorch. Throws ValueError for a dim out of range.
Tensor softmax(const Tensor& x, std::int64_t dim);

/// log(softmax(x, dim)) by the log-sum-exp trick: x - max - log(sum(e^(x - max))); finite for
/// finite logits of any size. Throws ValueError for a dim out of range.
Tensor log_softmax(const Tensor& x, std::int64_t dim);

}  // namespace tapegrad
