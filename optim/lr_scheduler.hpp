#pragma once
// Learning-rate schedules, as torch.optim.lr_scheduler (PyTorch 1.13): each changes the lr of
// every parameter group of an optimizer when step() is called, once per epoch (or per batch),
// after the optimizer's step(). Made with the optimizer's current lrs as the base lrs, they
// apply the epoch-0 value at once, as PyTorch's constructors do. The recurrences are PyTorch's
// "chainable" forms (each step multiplies the group's current lr), so get_last_lr() equals
// torch's sequence to rounding, and an lr changed from outside is taken into account as there.
// OneCycleLR and ReduceLROnPlateau have their own headers.
#include <cstdint>
#include <vector>

#include "optimizer.hpp"

namespace tapegrad::optim {

/// The base of the epoch-driven schedules. Keeps a reference to the optimizer, which must
/// outlive it.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  /// Advances one epoch and sets every group's lr to the schedule's value for it.
  void step();
  /// The lrs the last step() set, one per group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// The epoch the lrs belong to (0 right after construction).
  std::int64_t last_epoch() const { return last_epoch_; }
  /// The groups' lrs when the scheduler was made. (PyTorch keeps them in each group as
  /// "initial_lr", so a second scheduler on the same optimizer starts from the first one's;
  /// here each scheduler keeps its own.)
  const std::vector<double>& base_lrs() const { return base_lrs_; }

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  /// Each derived constructor ends with this: the step to epoch 0.
  void initial_step() { step(); }
  /// The new lr of each group at last_epoch_ (already advanced), from the current lrs.
  virtual std::vector<double> get_lr() const = 0;
  /// The groups' current lrs.
  std::vector<double> current_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  std::int64_t last_epoch_ = -1;
};

/// Multiplies the lr by gamma every step_size epochs: lr = base_lr * gamma^(epoch / step_size).
/// Throws ValueError for step_size < 1.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() const override;
  std::int64_t step_size_;
  double gamma_;
};

/// Multiplies the lr by gamma at each milestone epoch (a milestone listed k times multiplies by
/// gamma^k, as PyTorch's Counter does). Milestones need not be sorted.
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() const override;
  std::vector<std::int64_t> milestones_;
  double gamma_;
};

/// The textbooks' learning-rate decay: lr = base_lr * gamma^epoch (multiplied by gamma each step).
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  std::vector<double> get_lr() const override;
  double gamma_;
};

/// Cosine annealing (SGDR without restarts), by PyTorch's recurrence, which follows
///   lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2
/// down to eta_min at epoch T_max and, past it, back up (the cosine continues). Throws
/// ValueError for T_max < 1.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min = 0);

 protected:
  std::vector<double> get_lr() const override;
  std::int64_t t_max_;
  double eta_min_;
};

/// Linear warm-up (or decay) of a multiplicative factor, from start_factor at epoch 0 to
/// end_factor at epoch total_iters, then constant: lr = base_lr * (start_factor +
/// (end_factor - start_factor) * min(epoch, total_iters) / total_iters). Throws ValueError for
/// start_factor outside (0, 1], end_factor outside [0, 1] or total_iters < 0 (PyTorch 1.13
/// accepts start_factor 0 and then divides by zero).
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, std::int64_t total_iters = 5);

 protected:
  std::vector<double> get_lr() const override;
  double start_factor_, end_factor_;
  std::int64_t total_iters_;
};

}  // namespace tapegrad::optim
