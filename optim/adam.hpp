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

namespace detail {
/// The checks Adam and AdamW share (lr, eps, betas, weight_decay).
void check_adam_options(const std::string& name, double lr, const std::array<double, 2>& betas, double eps,
                        double weight_decay);

/// The options of Adam and AdamW, with PyTorch's defaults; the two differ only in the default
/// weight decay (0 for Adam, 1e-2 for AdamW) and in what it does (adam.hpp, adamw.hpp).
template <double DefaultWeightDecay> struct AdamFamilyOptions {
  double lr = 1e-3;                            ///< learning rate (>= 0)
  std::array<double, 2> betas = {0.9, 0.999};  ///< decay rates of m and v, each in [0, 1)
  double eps = 1e-8;                           ///< added to the corrected root (>= 0)
  double weight_decay = DefaultWeightDecay;    ///< >= 0: Adam's L2 penalty, AdamW's decoupled decay
  bool amsgrad = false;                        ///< divide by the running maximum of v
  bool maximize = false;                       ///< maximize the objective instead of minimizing it

  /// Throws ValueError naming `name` and the bad value (negative lr, eps or weight_decay, a
  /// beta outside [0, 1)).
  void validate(const std::string& name) const { check_adam_options(name, lr, betas, eps, weight_decay); }
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

/// One Adam or AdamW update of a parameter (decoupled: AdamW's decay).
template <class T, double D> void adam_update(ParamStep<T>& s, const AdamFamilyOptions<D>& o, bool decoupled);
}  // namespace detail

/// Options of Adam, with PyTorch's defaults (weight_decay 0).
using AdamOptions = detail::AdamFamilyOptions<0.0>;

/// Adam: `optim::Adam opt(model_params, {.lr = 1e-3});`.
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  /// One group holding params. Throws ValueError for invalid options or an empty list.
  Adam(std::vector<Tensor> params, AdamOptions options = {}) : Adam({{std::move(params), options}}) {}
  /// Several groups, each with its own complete options.
  explicit Adam(std::vector<Group> groups) : OptimizerWithOptions("Adam", std::move(groups)) {}

  void step() override;
};

}  // namespace tapegrad::optim
