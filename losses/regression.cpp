// Regression losses, composed from differentiable elementwise ops and a reduction; gradients
// come from the chain rule (d = input - target; dinput = g ∂loss/∂d, dtarget = -dinput).
#include "regression.hpp"

#include "../autograd/ops/elementwise.hpp"

namespace tapegrad::losses {

// (x - y)²; dx = 2 (x - y) g
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossOptions& options) {
  detail::check_float_pair(input, target, "mse_loss");
  detail::check_reduction(options.reduction, "mse_loss");
  const Tensor d = input - target;
  return detail::reduce(d * d, options.reduction);
}

// |x - y|; dx = sign(x - y) g
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossOptions& options) {
  detail::check_float_pair(input, target, "l1_loss");
  detail::check_reduction(options.reduction, "l1_loss");
  return detail::reduce(abs(input - target), options.reduction);
}

// z = |x - y|: 0.5 z² / β if z < β else z - 0.5 β; dx = (x - y) / β g inside, sign(x - y) g outside
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossOptions& options) {
  detail::check_float_pair(input, target, "smooth_l1_loss");
  detail::check_reduction(options.reduction, "smooth_l1_loss");
  const double beta = options.beta;
  if (!(beta >= 0.0)) fail<ValueError>("smooth_l1_loss: beta must be >= 0, got {}", beta);
  if (beta == 0.0) return l1_loss(input, target, {.reduction = options.reduction});
  const Tensor d = input - target;
  const Tensor z = abs(d);
  return detail::reduce(where(z < beta, d * d * 0.5 / beta, z - 0.5 * beta), options.reduction);
}

// z = |x - y|: 0.5 z² if z < δ else δ (z - 0.5 δ); dx = (x - y) g inside, δ sign(x - y) g outside
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options) {
  detail::check_float_pair(input, target, "huber_loss");
  detail::check_reduction(options.reduction, "huber_loss");
  const double delta = options.delta;
  if (!(delta > 0.0)) fail<ValueError>("huber_loss: delta must be > 0, got {}", delta);
  const Tensor d = input - target;
  const Tensor z = abs(d);
  return detail::reduce(where(z < delta, d * d * 0.5, (z - 0.5 * delta) * delta), options.reduction);
}

}  // namespace tapegrad::losses
