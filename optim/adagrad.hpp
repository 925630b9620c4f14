#pragma once
// Adagrad (Duchi, Hazan and Singer, 2011), as torch.optim.Adagrad (PyTorch 1.13, single-tensor
// path). For each parameter p with gradient g, at step t = 1, 2, ..., elementwise in p's dtype:
//
//   g   = maximize ? -g : g
//   if weight_decay != 0:  g = g + weight_decay * p
//   clr = lr / (1 + (t - 1) * lr_decay)           (the decayed lr, in double)
//   sum = sum + g * g                             (sum starts at initial_accumulator_value)
//   p   = p - clr * g / (sqrt(sum) + eps)         (eps outside the square root)
//
// Agrees with torch.optim.Adagrad to rounding. State per parameter: "sum" and the step count.
// PyTorch creates the state of every parameter in the constructor; here it is created on a
// parameter's first step, so state_dict() lists only parameters that have had one (the updates
// are the same).
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tapegrad::optim {

/// Options of Adagrad, with PyTorch's defaults.
struct AdagradOptions {
  double lr = 1e-2;                      ///< learning rate (>= 0)
  double lr_decay = 0;                   ///< lr is divided by 1 + (t - 1) * lr_decay (>= 0)
  double weight_decay = 0;               ///< L2 penalty (>= 0), added to the gradient
  double initial_accumulator_value = 0;  ///< starting value of "sum" (>= 0)
  double eps = 1e-10;                    ///< added to sqrt(sum) (>= 0)
  bool maximize = false;                 ///< maximize the objective instead of minimizing it

  /// Throws ValueError naming `name` and the first negative option.
  void validate(const std::string& name) const;
  /// Calls f(name, field) for each option (PyTorch's names), for state_dict.
  static void visit(auto& o, auto&& f) {
    f("lr", o.lr);
    f("lr_decay", o.lr_decay);
    f("weight_decay", o.weight_decay);
    f("initial_accumulator_value", o.initial_accumulator_value);
    f("eps", o.eps);
    f("maximize", o.maximize);
  }
};

/// Adagrad: `optim::Adagrad opt(params, {.lr = 0.1});`.
class Adagrad : public OptimizerWithOptions<AdagradOptions> {
 public:
  /// One group holding params. Throws ValueError for invalid options or an empty list.
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {}) : Adagrad({{std::move(params), options}}) {}
  /// Several groups, each with its own complete options.
  explicit Adagrad(std::vector<Group> groups) : OptimizerWithOptions("Adagrad", std::move(groups)) {}

  void step() override;
};

}  // namespace tapegrad::optim
