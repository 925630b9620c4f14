#pragma once
// AdamW: Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as torch.optim.AdamW
// (PyTorch 1.13, single-tensor path). For each parameter p with gradient g, at step
// t = 1, 2, ..., elementwise in p's dtype, with m, v (and v_max) starting at 0:
//
//   p = p * (1 - lr * weight_decay)                        (decay first, not through the gradient)
//   g = maximize ? -g : g
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   if amsgrad:  v_max = max(v_max, v)                     (and v_max replaces v below)
//   bc1 = 1 - beta1^t,  bc2 = 1 - beta2^t                  (bias corrections, in double)
//   denom = sqrt(v) / sqrt(bc2) + eps                      (eps after the bias correction)
//   p = p - (lr / bc1) * m / denom
//
// The decay is scaled by lr, as in PyTorch (the paper scales it by the schedule multiplier
// only). Everything after the decay is Adam's rule (adam.hpp). Agrees with torch.optim.AdamW to
// rounding. State per parameter: "exp_avg", "exp_avg_sq", "max_exp_avg_sq" when amsgrad, and
// the step count.
#include <array>
#include <string>
#include <vector>

#include "adam.hpp"

namespace tapegrad::optim {

/// Options of AdamW: Adam's, with PyTorch's default weight_decay 1e-2 (Adam's is 0).
using AdamWOptions = detail::AdamFamilyOptions<1e-2>;

/// AdamW: `optim::AdamW opt(params, {.lr = 1e-3, .weight_decay = 0.05});`.
class AdamW : public OptimizerWithOptions<AdamWOptions> {
 public:
  /// One group holding params. Throws ValueError for invalid options or an empty list.
  AdamW(std::vector<Tensor> params, AdamWOptions options = {}) : AdamW({{std::move(params), options}}) {}
  /// Several groups, each with its own complete options.
  explicit AdamW(std::vector<Group> groups) : OptimizerWithOptions("AdamW", std::move(groups)) {}

  void step() override;
};

}  // namespace tapegrad::optim
