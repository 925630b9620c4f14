// ReduceLROnPlateau (the rule is in reduce_lr_on_plateau.hpp).
#include "reduce_lr_on_plateau.hpp"

#include <algorithm>
#include <cmath>

namespace tapegrad::optim {

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions o)
    : optimizer_(optimizer), o_(std::move(o)) {
  if (!(o_.factor < 1.0)) fail<ValueError>("ReduceLROnPlateau: factor should be < 1.0, got {}", o_.factor);
  if (o_.patience < 0) fail<ValueError>("ReduceLROnPlateau: patience must be non-negative, got {}", o_.patience);
  if (o_.cooldown < 0) fail<ValueError>("ReduceLROnPlateau: cooldown must be non-negative, got {}", o_.cooldown);
  const std::size_t n = optimizer.num_param_groups();
  if (o_.min_lr.empty()) min_lrs_.assign(n, 0.0);
  else if (o_.min_lr.size() == 1) min_lrs_.assign(n, o_.min_lr[0]);
  else if (o_.min_lr.size() == n) min_lrs_ = o_.min_lr;
  else fail<ValueError>("ReduceLROnPlateau: expected {} min_lrs, got {}", n, o_.min_lr.size());
  best_ = o_.mode == PlateauMode::min ? INFINITY : -INFINITY;
  last_lr_ = current_lrs();
}

std::vector<double> ReduceLROnPlateau::current_lrs() const {
  std::vector<double> lrs;
  for (std::size_t g = 0; g < optimizer_.num_param_groups(); ++g) lrs.push_back(optimizer_.lr(g));
  return lrs;
}

bool ReduceLROnPlateau::is_better(double a) const {
  const bool rel = o_.threshold_mode == ThresholdMode::rel;
  if (o_.mode == PlateauMode::min) return rel ? a < best_ * (1. - o_.threshold) : a < best_ - o_.threshold;
  return rel ? a > best_ * (o_.threshold + 1.) : a > best_ + o_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (in_cooldown()) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > o_.patience) {
    for (std::size_t g = 0; g < optimizer_.num_param_groups(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * o_.factor, min_lrs_.at(g));
      if (old_lr - new_lr > o_.eps) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = o_.cooldown;
    num_bad_epochs_ = 0;
  }
  last_lr_ = current_lrs();
}

}  // namespace tapegrad::optim
