#pragma once
// RMSprop (Hinton's lecture 6e; the centered form from Graves, 2013), as torch.optim.RMSprop
// (PyTorch 1.13, single-tensor path). For each parameter p with gradient g, elementwise in p's
// dtype, with square_avg (and grad_avg, buf) starting at 0:
//
//   g = maximize ? -g : g
//   if weight_decay != 0:  g = g + weight_decay * p
//   square_avg = alpha * square_avg + (1 - alpha) * g * g
//   if centered:  grad_avg = alpha * grad_avg + (1 - alpha) * g
//                 avg = sqrt(square_avg - grad_avg * grad_avg) + eps
//   else:         avg = sqrt(square_avg) + eps             (eps outside the square root)
//   if momentum > 0:  buf = momentum * buf + g / avg;  p = p - lr * buf
//   else:             p = p - lr * g / avg
//
// There is no bias correction (the first steps are larger than lr, about lr / sqrt(1 - alpha)).
// Agrees with torch.optim.RMSprop to rounding. State per parameter: "square_avg", plus
// "momentum_buffer" when momentum > 0 and "grad_avg" when centered, and the step count.
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tapegrad::optim {

/// Options of RMSprop, with PyTorch's defaults.
struct RMSpropOptions {
  double lr = 1e-2;         ///< learning rate (>= 0)
  double alpha = 0.99;      ///< smoothing constant of the squared-gradient average (>= 0)
  double eps = 1e-8;        ///< added to the root (>= 0)
  double weight_decay = 0;  ///< L2 penalty (>= 0), added to the gradient
  double momentum = 0;      ///< momentum factor (>= 0); 0 disables the buffer
  bool centered = false;    ///< divide by an estimate of the gradient's variance, not its 2nd moment
  bool maximize = false;    ///< maximize the objective instead of minimizing it

  /// Throws ValueError naming `name` and the first negative option.
  void validate(const std::string& name) const;
  /// Calls f(name, field) for each option (PyTorch's names), for state_dict.
  static void visit(auto& o, auto&& f) {
    f("lr", o.lr);
    f("alpha", o.alpha);
    f("eps", o.eps);
    f("weight_decay", o.weight_decay);
    f("momentum", o.momentum);
    f("centered", o.centered);
    f("maximize", o.maximize);
  }
};

/// RMSprop: `optim::RMSprop opt(params, {.lr = 1e-3, .centered = true});`.
class RMSprop : public OptimizerWithOptions<RMSpropOptions> {
 public:
  /// One group holding params. Throws ValueError for invalid options or an empty list.
  RMSprop(std::vector<Tensor> params, RMSpropOptions options = {}) : RMSprop({{std::move(params), options}}) {}
  /// Several groups, each with its own complete options.
  explicit RMSprop(std::vector<Group> groups) : OptimizerWithOptions("RMSprop", std::move(groups)) {}

  void step() override;
};

}  // namespace tapegrad::optim
