// OneCycleLR: the legs, and the anneal along each, in torch/optim/lr_scheduler.py's order of
// operations.
#include "one_cycle_lr.hpp"

#include <cmath>
#include <numbers>

namespace tapegrad::optim {

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, OneCycleLROptions options)
    : OneCycleLR(optimizer, std::vector<double>(optimizer.num_param_groups(), max_lr), options) {}

OneCycleLR::OneCycleLR(Optimizer& optimizer, std::vector<double> max_lrs, OneCycleLROptions o)
    : LRScheduler(optimizer), o_(o) {
  if (o.total_steps == 0 && o.epochs == 0 && o.steps_per_epoch == 0)
    fail<ValueError>("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
  if (o.total_steps != 0) {
    if (o.total_steps < 0)
      fail<ValueError>("OneCycleLR: expected positive integer total_steps, but got {}", o.total_steps);
    total_steps_ = o.total_steps;
  } else {
    if (o.epochs <= 0) fail<ValueError>("OneCycleLR: expected positive integer epochs, but got {}", o.epochs);
    if (o.steps_per_epoch <= 0)
      fail<ValueError>("OneCycleLR: expected positive integer steps_per_epoch, but got {}", o.steps_per_epoch);
    total_steps_ = o.epochs * o.steps_per_epoch;
  }
  if (!(o.pct_start >= 0 && o.pct_start <= 1))
    fail<ValueError>("OneCycleLR: expected float between 0 and 1 pct_start, but got {}", o.pct_start);
  const std::size_t n = optimizer.num_param_groups();
  if (max_lrs.size() != n) fail<ValueError>("OneCycleLR: expected {} values for max_lr, got {}", n, max_lrs.size());
  if (o.cycle_momentum && !optimizer.momentum(0))
    fail<ValueError>("OneCycleLR: optimizer ({}) must support momentum with `cycle_momentum` option enabled",
                     optimizer.name());

  const auto total = static_cast<double>(total_steps_);
  if (o.three_phase)
    phases_ = {{o.pct_start * total - 1, 0, 1, true, false},
               {2 * o.pct_start * total - 2, 1, 0, false, true},
               {total - 1, 0, 2, true, true}};
  else phases_ = {{o.pct_start * total - 1, 0, 1, true, false}, {total - 1, 1, 2, false, true}};

  for (std::size_t g = 0; g < n; ++g) {
    const double initial = max_lrs[g] / o.div_factor;
    group_lrs_.push_back({initial, max_lrs[g], initial / o.final_div_factor});
    if (o.cycle_momentum) optimizer.set_momentum(g, o.max_momentum);
  }
  for (std::size_t g = 0; g < n; ++g) base_lrs_[g] = group_lrs_[g][0];
  initial_step();
}

// cos: end + (start - end) / 2 * (cos(pi * pct) + 1); linear: (end - start) * pct + start
double OneCycleLR::anneal(double start, double end, double pct) const {
  if (o_.anneal_strategy == AnnealStrategy::cos) {
    const double cos_out = std::cos(std::numbers::pi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lr() const {
  if (last_epoch_ > total_steps_)
    fail<ValueError>("OneCycleLR: tried to step {} times; the specified number of total steps is {}", last_epoch_ + 1,
                     total_steps_);
  const auto step = static_cast<double>(last_epoch_);
  std::vector<double> lrs;
  for (std::size_t g = 0; g < group_lrs_.size(); ++g) {
    double start_step = 0;
    for (std::size_t i = 0; i < phases_.size(); ++i) {
      const Phase& ph = phases_[i];
      if (step <= ph.end_step || i + 1 == phases_.size()) {
        const double pct = (step - start_step) / (ph.end_step - start_step);
        lrs.push_back(anneal(group_lrs_[g][ph.start_lr], group_lrs_[g][ph.end_lr], pct));
        if (o_.cycle_momentum) {
          const double from = ph.start_max_m ? o_.max_momentum : o_.base_momentum;
          const double to = ph.end_max_m ? o_.max_momentum : o_.base_momentum;
          optimizer_.set_momentum(g, anneal(from, to, pct));
        }
        break;
      }
      start_step = ph.end_step;
    }
  }
  return lrs;
}

}  // namespace tapegrad::optim
