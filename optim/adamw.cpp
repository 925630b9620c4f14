// AdamW's step: Adam's fused loop per parameter with the decoupled decay (the rule is in adamw.hpp).
#include "adamw.hpp"

#include "../autograd/grad_mode.hpp"

namespace tapegrad::optim {

void AdamWOptions::validate(const std::string& name) const {
  detail::check_adam_options(name, lr, betas, eps, weight_decay);
}

void AdamW::step() {
  NoGradGuard no_grad;
  for (const Group& group : groups_) {
    const AdamWOptions& o = group.options;
    const detail::AdamRule rule{o.lr, o.betas, o.eps, o.weight_decay, o.amsgrad, o.maximize, true};
    for (const Tensor& p : group.params)
      if (p.has_grad()) detail::adam_update(p, state_of(p), rule, "AdamW.step");
  }
}

}  // namespace tapegrad::optim
