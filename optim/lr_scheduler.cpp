// StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR: PyTorch's chainable forms,
// each new lr computed from the group's current lr in the same order of operations as
// torch/optim/lr_scheduler.py, so the sequences agree to the last bit or close to it.
#include "lr_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tapegrad::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer), base_lrs_(current_lrs()) {}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> lrs;
  for (std::size_t g = 0; g < optimizer_.num_param_groups(); ++g) lrs.push_back(optimizer_.lr(g));
  return lrs;
}

void LRScheduler::step() {
  if (optimizer_.num_param_groups() != base_lrs_.size())
    fail<StateError>("lr_scheduler: the optimizer has {} parameter groups but had {} when the scheduler was made",
                     optimizer_.num_param_groups(), base_lrs_.size());
  ++last_epoch_;
  const std::vector<double> lrs = get_lr();
  for (std::size_t g = 0; g < lrs.size(); ++g) optimizer_.set_lr(g, lrs[g]);
  last_lr_ = current_lrs();
}

// ---- StepLR: lr * gamma when epoch is a positive multiple of step_size ------------------------

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1) fail<ValueError>("StepLR: step_size must be at least 1, got {}", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

// ---- MultiStepLR: lr * gamma^(times epoch is listed) -------------------------------------------

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  const auto count = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (count == 0) return lrs;
  for (double& lr : lrs) lr = lr * std::pow(gamma_, static_cast<double>(count));
  return lrs;
}

// ---- ExponentialLR: lr * gamma every epoch after the first --------------------------------------

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

// ---- CosineAnnealingLR ----------------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  if (T_max < 1) fail<ValueError>("CosineAnnealingLR: T_max must be at least 1, got {}", T_max);
  initial_step();
}

// epoch e > 0 (T = T_max):
//   e - 1 - T a multiple of 2T (leaving the minimum):
//     lr + (base - eta_min) * (1 - cos(pi / T)) / 2
//   otherwise:
//     (1 + cos(pi e / T)) / (1 + cos(pi (e - 1) / T)) * (lr - eta_min) + eta_min
std::vector<double> CosineAnnealingLR::get_lr() const {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) return lrs;
  const auto e = static_cast<double>(last_epoch_), T = static_cast<double>(t_max_);
  const std::int64_t k = last_epoch_ - 1 - t_max_;
  const bool at_minimum = ((k % (2 * t_max_)) + 2 * t_max_) % (2 * t_max_) == 0;  // Python's modulo
  for (std::size_t g = 0; g < lrs.size(); ++g) {
    if (at_minimum) lrs[g] = lrs[g] + (base_lrs_[g] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    else lrs[g] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lrs[g] - eta_min_) + eta_min_;
  }
  return lrs;
}

// ---- LinearLR -------------------------------------------------------------------------------------

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, std::int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  if (!(start_factor > 0 && start_factor <= 1))
    fail<ValueError>("LinearLR: start_factor must be in (0, 1], got {}", start_factor);
  if (!(end_factor >= 0 && end_factor <= 1))
    fail<ValueError>("LinearLR: end_factor must be in [0, 1], got {}", end_factor);
  if (total_iters < 0) fail<ValueError>("LinearLR: total_iters must be non-negative, got {}", total_iters);
  initial_step();
}

// epoch 0: lr * start; epochs 1..total: lr * (1 + (end - start) / (total * start + (e - 1) * (end - start)))
std::vector<double> LinearLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr = lr * start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double diff = end_factor_ - start_factor_;
  const double factor =
      1. + diff / (static_cast<double>(total_iters_) * start_factor_ + static_cast<double>(last_epoch_ - 1) * diff);
  for (double& lr : lrs) lr = lr * factor;
  return lrs;
}

}  // namespace tapegrad::optim
