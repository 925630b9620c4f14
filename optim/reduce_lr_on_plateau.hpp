#pragma once
// ReduceLROnPlateau, as torch.optim.lr_scheduler.ReduceLROnPlateau (PyTorch 1.13): multiplies
// every group's lr by `factor` when a monitored metric (e.g. the validation loss) has not
// improved for more than `patience` steps. step(metric) once per epoch:
//
//   improved = metric < best * (1 - threshold)     (mode min, threshold_mode rel; max and abs
//                                                   likewise: > best * (1 + threshold),
//                                                   < best - threshold, > best + threshold)
//   if improved: best = metric, bad = 0 else bad = bad + 1
//   if cooling down: cooldown_counter -= 1, bad = 0
//   if bad > patience: lr = max(lr * factor, min_lr) for each group where that lowers lr by
//                      more than eps; then cooldown_counter = cooldown, bad = 0
#include <cstdint>
#include <vector>

#include "optimizer.hpp"

namespace tapegrad::optim {

/// Whether the monitored metric should go down (a loss) or up (an accuracy).
enum class PlateauMode { min, max };
/// Whether `threshold` is relative to the best value or absolute.
enum class ThresholdMode { rel, abs };

/// Options of ReduceLROnPlateau, with PyTorch's defaults.
struct ReduceLROnPlateauOptions {
  PlateauMode mode = PlateauMode::min;
  double factor = 0.1;         ///< new lr = lr * factor (< 1)
  std::int64_t patience = 10;  ///< steps without improvement tolerated before reducing
  double threshold = 1e-4;     ///< how much better than the best counts as an improvement
  ThresholdMode threshold_mode = ThresholdMode::rel;
  std::int64_t cooldown = 0;   ///< steps to wait after a reduction before counting again
  std::vector<double> min_lr;  ///< lower bound of the lr: empty (0), one value, or one per group
  double eps = 1e-8;           ///< reductions smaller than this are skipped
};

/// Lowers the lrs when the metric stalls. Not an LRScheduler (its step takes the metric), as in
/// PyTorch. Throws ValueError for factor >= 1, a negative patience or cooldown, or a min_lr
/// list whose length is neither 1 nor the number of groups.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});

  /// Records this epoch's metric and lowers the lrs if it has stalled.
  void step(double metric);
  /// The groups' lrs after the last step() (their lrs at construction before any).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  std::int64_t last_epoch() const { return last_epoch_; }
  /// The best metric so far (inf for min, -inf for max before any step).
  double best() const { return best_; }
  std::int64_t num_bad_epochs() const { return num_bad_epochs_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }

 private:
  bool is_better(double a) const;
  std::vector<double> current_lrs() const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions o_;
  std::vector<double> min_lrs_;
  double best_;
  std::int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace tapegrad::optim
