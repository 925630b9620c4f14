#pragma once
// Gradient descent with classical (heavy-ball) momentum: SGD with momentum 0.9 by default.
// It runs SGD's code (sgd.cpp); the update, per element in p's dtype, is
//
//   first step:   buf = g                       (g plus weight_decay * p if set)
//   later steps:  buf = momentum * buf + (1 - dampening) * g
//   p = p - lr * buf                            (p - lr * (g + momentum * buf) with nesterov)
//
// which equals torch.optim.SGD(params, lr, momentum=0.9). Polyak's textbook form,
// v = momentum * v - lr * g; p = p + v, takes the same steps while lr is constant (its v is
// -lr * buf); after an lr change PyTorch's form (used here) applies the new lr to the whole
// buffer at once. The groups hold SGDOptions; the state is SGD's ("momentum_buffer").
#include <string>
#include <utility>
#include <vector>

#include "sgd.hpp"

namespace tapegrad::optim {

/// SGDOptions with momentum 0.9 by default. lr is required, as for SGD.
struct MomentumOptions {
  double lr = required;     ///< learning rate (required; >= 0)
  double momentum = 0.9;    ///< momentum factor (>= 0)
  double dampening = 0;     ///< scales the new gradient in the buffer by 1 - dampening
  double weight_decay = 0;  ///< L2 penalty (>= 0), added to the gradient
  bool nesterov = false;    ///< Nesterov momentum (needs dampening == 0)
  bool maximize = false;    ///< maximize the objective instead of minimizing it

  /// The same settings as SGDOptions.
  SGDOptions sgd() const { return {lr, momentum, dampening, weight_decay, nesterov, maximize}; }
};

/// Classical momentum: `optim::Momentum opt(params, {.lr = 0.01});` is
/// `optim::SGD opt(params, {.lr = 0.01, .momentum = 0.9});` under the name "Momentum".
class Momentum : public SGD {
 public:
  /// One group; throws ValueError for invalid options (as SGD, naming "Momentum").
  Momentum(std::vector<Tensor> params, MomentumOptions options)
      : SGD("Momentum", {{std::move(params), options.sgd()}}) {}
  /// Several groups, each with its own complete options.
  explicit Momentum(const std::vector<ParamGroup<MomentumOptions>>& groups) : SGD("Momentum", to_sgd(groups)) {}

 private:
  static std::vector<Group> to_sgd(const std::vector<ParamGroup<MomentumOptions>>& groups) {
    std::vector<Group> out;
    for (const auto& g : groups) out.push_back({g.params, g.options.sgd()});
    return out;
  }
};

}  // namespace tapegrad::optim
