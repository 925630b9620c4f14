#pragma once
// More activation functions, as torch.nn.functional: the piecewise-linear hardtanh, relu6,
// hardsigmoid and hardswish, and the smooth selu, celu, mish, logsigmoid, softsign, tanhshrink
// and softmin. float32 and float64 only (int64 throws DTypeError naming the op).
//
// At a breakpoint, and at a NaN input, the gradient is the one PyTorch's own rule gives there
// (its scalar CPU kernel and its CUDA kernel). PyTorch's vectorised CPU loop differs at NaN
// inputs of hardtanh, hardswish, selu and celu and at hardswish's x = 3, so there PyTorch's
// answer depends on where the element sits in the tensor; here it never does. None of these
// has a Tensor method in PyTorch, so none has one here.
#include <cstdint>

#include "../tensor.hpp"

namespace tapegrad {

// ---- piecewise linear ------------------------------------------------------------------------

/// x clamped to [min_val, max_val]. The gradient is g strictly inside (min_val, max_val) and 0
/// at and beyond the bounds (unlike clamp's, which passes at the bounds), as PyTorch; a NaN
/// input gives NaN and passes its gradient. min_val == max_val is allowed (gradient 0).
/// Throws ValueError if min_val > max_val, as torch.nn.functional.hardtanh in 2.x (torch 1.13
/// returned max_val everywhere).
/// grad_fn: HardtanhBackward0.
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);

/// min(max(x, 0), 6), i.e. hardtanh(x, 0, 6): gradient 0 at 0 and at 6. grad_fn:
/// HardtanhBackward0, as PyTorch.
Tensor relu6(const Tensor& x);

/// 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 between, computed as min(max(x + 3, 0), 6) / 6 as
/// PyTorch. The gradient is g/6 strictly inside (-3, 3), 0 at -3 and 3 and for NaN. As PyTorch,
/// the 1/6 of the gradient is 1/6 rounded to float32 (0.1666666716337204) in float64 too.
/// grad_fn: HardsigmoidBackward0.
Tensor hardsigmoid(const Tensor& x);

/// x * hardsigmoid(x), computed as x * min(max(x + 3, 0), 6) / 6. The gradient is 0 for
/// x < -3, g (x/3 + 1/2) for -3 <= x <= 3 (so -g/2 at -3 and 3g/2 at 3) and g for x > 3 or NaN,
/// as PyTorch's rule (its vectorised CPU loop gives g at exactly 3 and NaN for NaN). grad_fn:
/// HardswishBackward0.
Tensor hardswish(const Tensor& x);

// ---- smooth ----------------------------------------------------------------------------------

/// scale * x for x > 0, scale * alpha * (e^x - 1) for x <= 0, with PyTorch's
/// alpha = 1.6732632423543772848170429916717 and scale = 1.0507009873554804934193349852946
/// (e^x - 1 by expm1). The gradient at 0 is scale * alpha, as PyTorch; at NaN it is
/// scale * g. grad_fn: EluBackward0 (PyTorch's selu is elu with a scale).
Tensor selu(const Tensor& x);

/// x for x > 0, alpha * (e^(x/alpha) - 1) for x <= 0 (by expm1). The gradient at 0 is 1, at
/// NaN g.
/// Throws ValueError for alpha == 0 (as PyTorch). grad_fn: CeluBackward0.
Tensor celu(const Tensor& x, double alpha = 1.0);

/// x * tanh(softplus(x)), with softplus taken as max(x, 0) + log1p(e^-|x|), so no exponential
/// overflows for any x (mish(±1000) = 1000, -0). grad_fn: MishBackward0.
Tensor mish(const Tensor& x);

/// log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|): finite for every finite x (logsigmoid(-1000)
/// = -1000). The gradient is g * sigmoid(-x). grad_fn: LogSigmoidBackward0.
Tensor logsigmoid(const Tensor& x);

/// x / (1 + |x|), composed of abs, add and div as in PyTorch (so grad_fn is DivBackward0);
/// the gradient at 0 is 1.
Tensor softsign(const Tensor& x);

/// x - tanh(x), composed as in PyTorch (grad_fn: SubBackward0).
Tensor tanhshrink(const Tensor& x);

/// softmax(-x, dim), composed as in PyTorch (grad_fn: SoftmaxBackward0). Unlike PyTorch,
/// dim is required (PyTorch's implicit dim is deprecated). Throws ValueError for a dim out of
/// range.
Tensor softmin(const Tensor& x, std::int64_t dim);

}  // namespace tapegrad
