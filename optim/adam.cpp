// Adam's step: one fused loop per parameter (the rule is in adam.hpp).
#include "adam.hpp"

#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tapegrad::optim {

namespace detail {
void check_adam_options(const std::string& name, double lr, const std::array<double, 2>& betas, double eps,
                        double weight_decay) {
  check_option(lr >= 0, name, "learning rate", lr);
  check_option(eps >= 0, name, "epsilon value", eps);
  check_option(betas[0] >= 0 && betas[0] < 1, name, "beta parameter at index 0", betas[0]);
  check_option(betas[1] >= 0 && betas[1] < 1, name, "beta parameter at index 1", betas[1]);
  check_option(weight_decay >= 0, name, "weight_decay value", weight_decay);
}
}  // namespace detail

void AdamOptions::validate(const std::string& name) const {
  detail::check_adam_options(name, lr, betas, eps, weight_decay);
}

namespace {

// p, g, m, v: n values each; v_max null unless amsgrad; t is this step's number. The rule is in
// adam.hpp (and adamw.hpp for the decoupled decay).
template <class T>
void adam_loop(T* p, const T* g, T* m, T* v, T* v_max, std::int64_t n, std::int64_t t, const detail::AdamRule& r) {
  const double bc1 = 1 - std::pow(r.betas[0], static_cast<double>(t));
  const double bc2 = 1 - std::pow(r.betas[1], static_cast<double>(t));
  const T neg_step = static_cast<T>(-(r.lr / bc1)), bc2_sqrt = static_cast<T>(std::sqrt(bc2));
  const T b1 = static_cast<T>(r.betas[0]), rest1 = static_cast<T>(1 - r.betas[0]);
  const T b2 = static_cast<T>(r.betas[1]), rest2 = static_cast<T>(1 - r.betas[1]);
  const T eps = static_cast<T>(r.eps), wd = static_cast<T>(r.weight_decay);
  const T shrink = static_cast<T>(1 - r.lr * r.weight_decay);
  const bool coupled_decay = !r.decoupled && r.weight_decay != 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (r.decoupled) p[i] = p[i] * shrink;
    T d = r.maximize ? -g[i] : g[i];
    if (coupled_decay) d = d + wd * p[i];
    m[i] = m[i] * b1 + rest1 * d;
    v[i] = v[i] * b2 + rest2 * d * d;
    T second = v[i];
    if (v_max) {
      // torch.maximum: NaN wins
      if (!(std::isnan(v_max[i]) || v_max[i] > second)) v_max[i] = second;
      second = v_max[i];
    }
    p[i] = p[i] + neg_step * m[i] / (std::sqrt(second) / bc2_sqrt + eps);
  }
}

}  // namespace

void detail::adam_update(const Tensor& p, ParamState& st, const AdamRule& rule, const char* op) {
  auto buffer = [&](const char* name) -> Tensor& {
    Tensor& b = st.buffers[name];
    if (!b.defined()) b = zeros_like(p);
    return b;
  };
  const std::int64_t t = ++st.step;
  Tensor m = buffer("exp_avg"), v = buffer("exp_avg_sq");
  Tensor v_max = rule.amsgrad ? buffer("max_exp_avg_sq") : Tensor();
  const Tensor grad = p.grad();
  dispatch_float(p.dtype(), op, [&]<class T>() {
    adam_loop<T>(p.data<T>(), grad.data<T>(), m.data<T>(), v.data<T>(), v_max.defined() ? v_max.data<T>() : nullptr,
                 p.numel(), t, rule);
  });
}

void Adam::step() {
  NoGradGuard no_grad;
  for (const Group& group : groups_) {
    const AdamOptions& o = group.options;
    const detail::AdamRule rule{o.lr, o.betas, o.eps, o.weight_decay, o.amsgrad, o.maximize, false};
    for (const Tensor& p : group.params)
      if (p.has_grad()) detail::adam_update(p, state_of(p), rule, "Adam.step");
  }
}

}  // namespace tapegrad::optim
