#pragma once
// OneCycleLR (Smith and Topin, 2017, "Super-Convergence"), as torch.optim.lr_scheduler.OneCycleLR
// (PyTorch 1.13). Stepped once per batch. With initial = max_lr / div_factor and
// min = initial / final_div_factor, the lr is annealed
//   two phases (default):  initial -> max_lr over the first pct_start of the steps, then
//                          max_lr -> min over the rest;
//   three_phase:           initial -> max_lr -> initial, symmetric about pct_start, then
//                          initial -> min;
// each leg by a cosine, end + (start - end) / 2 * (1 + cos(pi * pct)), or linearly,
// start + (end - start) * pct, where pct runs from 0 to 1 over the leg (legs end at steps
// pct_start * total - 1, [2 * pct_start * total - 2,] total - 1, as PyTorch counts them).
// With cycle_momentum the momentum (SGD's and RMSprop's `momentum`, Adam's and AdamW's beta1) goes
// the opposite way, max_momentum -> base_momentum -> max_momentum. Not chainable: it sets the
// lr outright.
#include <cstdint>
#include <vector>

#include "lr_scheduler.hpp"

namespace tapegrad::optim {

/// How OneCycleLR anneals between two values.
enum class AnnealStrategy { cos, linear };

/// Options of OneCycleLR, with PyTorch's defaults. Give total_steps, or epochs and
/// steps_per_epoch (total_steps = epochs * steps_per_epoch).
struct OneCycleLROptions {
  std::int64_t total_steps = 0;      ///< steps in the cycle (0: use epochs * steps_per_epoch)
  std::int64_t epochs = 0;           ///< with steps_per_epoch, when total_steps is 0
  std::int64_t steps_per_epoch = 0;  ///< with epochs, when total_steps is 0
  double pct_start = 0.3;            ///< fraction of the cycle spent raising the lr, in [0, 1]
  AnnealStrategy anneal_strategy = AnnealStrategy::cos;
  bool cycle_momentum = true;     ///< cycle the momentum inversely to the lr
  double base_momentum = 0.85;    ///< momentum at the peak lr
  double max_momentum = 0.95;     ///< momentum at the start and end
  double div_factor = 25;         ///< initial lr = max_lr / div_factor
  double final_div_factor = 1e4;  ///< min lr = initial lr / final_div_factor
  bool three_phase = false;       ///< the original paper's three legs instead of fastai's two
};

/// The 1cycle policy. Throws ValueError for a missing or non-positive step count, pct_start
/// outside [0, 1], a max_lrs list of the wrong length, or cycle_momentum with an optimizer
/// that has no momentum (Adagrad); step() throws ValueError past total_steps steps.
class OneCycleLR : public LRScheduler {
 public:
  /// The same max_lr for every group.
  OneCycleLR(Optimizer& optimizer, double max_lr, OneCycleLROptions options);
  /// One max_lr per group.
  OneCycleLR(Optimizer& optimizer, std::vector<double> max_lrs, OneCycleLROptions options);

  std::int64_t total_steps() const { return total_steps_; }

 protected:
  std::vector<double> get_lr() const override;

 private:
  // one leg of the cycle: from its start values (at the previous leg's end_step) to these
  struct Phase {
    double end_step;
    int start_lr, end_lr;         // 0 initial, 1 max, 2 min
    bool start_max_m, end_max_m;  // momentum: true max_momentum, false base_momentum
  };
  double anneal(double start, double end, double pct) const;

  OneCycleLROptions o_;
  std::int64_t total_steps_;
  std::vector<Phase> phases_;
  std::vector<std::vector<double>> group_lrs_;  // per group: initial, max, min
};

}  // namespace tapegrad::optim
