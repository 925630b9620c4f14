// Loss modules: each forward calls the functional form with the module's options.
#include "modules.hpp"

namespace tapegrad::losses {

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return mse_loss(input, target, options); }
Tensor L1Loss::forward(const Tensor& input, const Tensor& target) { return l1_loss(input, target, options); }
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return smooth_l1_loss(input, target, options);
}
Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) { return huber_loss(input, target, options); }
Tensor KLDivLoss::forward(const Tensor& input, const Tensor& target) { return kl_div(input, target, options); }

// The weights become buffers; options keep the registered handles (converted in place by to()).
BCELoss::BCELoss(BCELossOptions o) : options(std::move(o)) {
  options.weight = register_buffer("weight", options.weight);
}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy(input, target, options);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(BCEWithLogitsLossOptions o) : options(std::move(o)) {
  options.weight = register_buffer("weight", options.weight);
  options.pos_weight = register_buffer("pos_weight", options.pos_weight);
}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy_with_logits(input, target, options);
}

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyOptions o) : options(std::move(o)) {
  options.weight = register_buffer("weight", options.weight);
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return cross_entropy(input, target, options);
}

NLLLoss::NLLLoss(NLLLossOptions o) : options(std::move(o)) {
  options.weight = register_buffer("weight", options.weight);
}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) { return nll_loss(input, target, options); }

}  // namespace tapegrad::losses
