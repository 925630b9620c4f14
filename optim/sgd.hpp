#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, as
// torch.optim.SGD (PyTorch 1.13, the single-tensor path). For each parameter p with gradient g,
// elementwise, in p's dtype:
//
//   d = maximize ? -g : g
//   if weight_decay != 0:  d = d + weight_decay * p                 (L2 penalty, added to d)
//   if momentum != 0:
//     first step:          buf = d                                  (no dampening on step 1)
//     later steps:         buf = momentum * buf + (1 - dampening) * d
//     d = nesterov ? d + momentum * buf : buf
//   p = p - lr * d
//
// Momentum here is PyTorch's form (buf accumulates gradients and lr multiplies it), not
// Sutskever's v = momentum * v - lr * g; both give the same steps while lr is constant.
// Agrees with torch.optim.SGD to rounding (the fixtures hold 25+ steps of every option).
// State per parameter: "momentum_buffer" (only when momentum != 0).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tapegrad::optim {

/// Marks an option without a default (SGD's lr, as in PyTorch 1.13): leaving it unset is a
/// ValueError when the optimizer is made.
inline constexpr double required = std::numeric_limits<double>::quiet_NaN();

/// Options of SGD, with PyTorch's defaults. lr has none: `SGD(params, {.lr = 0.1})`.
struct SGDOptions {
  double lr = required;     ///< learning rate (required; >= 0)
  double momentum = 0;      ///< momentum factor (>= 0); 0 disables momentum
  double dampening = 0;     ///< scales the new gradient in the momentum buffer by 1 - dampening
  double weight_decay = 0;  ///< L2 penalty (>= 0), added to the gradient
  bool nesterov = false;    ///< Nesterov momentum (needs momentum > 0 and dampening == 0)
  bool maximize = false;    ///< maximize the objective instead of minimizing it

  /// Throws ValueError naming `name` and the bad value (negative lr, momentum or weight_decay,
  /// a missing lr, nesterov without momentum or with dampening).
  void validate(const std::string& name) const;
  /// Calls f(name, field) for each option (PyTorch's names), for state_dict.
  static void visit(auto& o, auto&& f) {
    f("lr", o.lr);
    f("momentum", o.momentum);
    f("dampening", o.dampening);
    f("weight_decay", o.weight_decay);
    f("nesterov", o.nesterov);
    f("maximize", o.maximize);
  }
};

/// SGD, as torch.optim.SGD: `optim::SGD opt(params, {.lr = 0.1, .momentum = 0.9});`.
class SGD : public OptimizerWithOptions<SGDOptions> {
 public:
  /// One group holding params. Throws ValueError for invalid options or an empty list.
  SGD(std::vector<Tensor> params, SGDOptions options) : SGD("SGD", {{std::move(params), options}}) {}
  /// Several groups, each with its own complete options (unlike PyTorch, options a group leaves
  /// out take SGDOptions' defaults, not the optimizer's).
  explicit SGD(std::vector<Group> groups) : SGD("SGD", std::move(groups)) {}

  void step() override;

 protected:
  SGD(std::string name, std::vector<Group> groups) : OptimizerWithOptions(std::move(name), std::move(groups)) {}
};

}  // namespace tapegrad::optim
