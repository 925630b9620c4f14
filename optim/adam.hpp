#pragma once
// Adam (Kingma and Ba, 2015) and its AMSGrad variant (Reddi, Kale and Kumar, 2018), as
// torch.optim.Adam (PyTorch 1.13, single-tensor path). For each parameter p with gradient g,
// at step t = 1, 2, ..., elementwise in p's dtype, with m, v (and v_max) starting at 0:
//
//   g = maximize ? -g : g
//   if weight_decay != 0:  g = g + weight_decay * p        (L2 penalty; AdamW decouples it)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   if amsgrad:  v_max = max(v_max, v)                     (and v_max replaces v below)
//   bc1 = 1 - beta1^t,  bc2 = 1 - beta2^t                  (bias corrections, in double)
//   denom = sqrt(v) / sqrt(bc2) + eps                      (eps after the bias correction)
//   p = p - (lr / bc1) * m / denom
//
// This is Algorithm 1 of the paper, eps added to the bias-corrected root sqrt(v / bc2); not the
// paper's "more efficient" ordering (TensorFlow's), which adds eps to the uncorrected sqrt(v).
// AMSGrad keeps the maximum of the raw v and then corrects it by bc2, as PyTorch does (Reddi et
// al. have no bias correction). Agrees with torch.optim.Adam to rounding. State per parameter:
// "exp_avg" (m), "exp_avg_sq" (v), "max_exp_avg_sq" when amsgrad, and the step count.
#include <array>
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace tapegrad::optim {

/// Options of Adam, with PyTorch's defaults.
struct AdamOptions {
  double lr = 1e-3;                            ///< learning rate (>= 0)
  std::array<double, 2> betas = {0.9, 0.999};  ///< decay rates of m and v, each in [0, 1)
  double eps = 1e-8;                           ///< added to the corrected root (>= 0)
  double weight_decay = 0;                     ///< L2 penalty (>= 0), added to the gradient
  bool amsgrad = false;                        ///< divide by the running maximum of v
  bool maximize = false;                       ///< maximize the objective instead of minimizing it

  /// Throws ValueError naming `name` and the bad value (negative lr, eps or weight_decay, a
  /// beta outside [0, 1)).
  void validate(const std::string& name) const;
  /// Calls f(name, field) for each option (PyTorch's names), for state_dict.
  static void visit(auto& o, auto&& f) {
    f("lr", o.lr);
    f("betas", o.betas);
    f("eps", o.eps);
    f("weight_decay", o.weight_decay);
    f("amsgrad", o.amsgrad);
    f("maximize", o.maximize);
  }
};

/// Adam: `optim::Adam opt(model_params, {.lr = 1e-3});`.
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  /// One group holding params. Throws ValueError for invalid options or an empty list.
  Adam(std::vector<Tensor> params, AdamOptions options = {}) : Adam({{std::move(params), options}}) {}
  /// Several groups, each with its own complete options.
  explicit Adam(std::vector<Group> groups) : OptimizerWithOptions("Adam", std::move(groups)) {}

  void step() override;
};

namespace detail {
/// The checks Adam and AdamW share (lr, eps, betas, weight_decay).
void check_adam_options(const std::string& name, double lr, const std::array<double, 2>& betas, double eps,
                        double weight_decay);

/// The hyper-parameters of one Adam or AdamW update. `decoupled` selects AdamW's decay
/// (p *= 1 - lr * weight_decay before the update) over Adam's (g += weight_decay * p).
struct AdamRule {
  double lr;
  std::array<double, 2> betas;
  double eps;
  double weight_decay;
  bool amsgrad;
  bool maximize;
  bool decoupled;
};

/// One update of parameter p (which has a gradient) with its state st: creates the buffers on
/// the first step, counts the step, and runs the fused loop. `op` names the caller in errors.
void adam_update(const Tensor& p, ParamState& st, const AdamRule& rule, const char* op);
}  // namespace detail

}  // namespace tapegrad::optim
