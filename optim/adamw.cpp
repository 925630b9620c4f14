// AdamW's step: one fused loop per parameter (the rule is in adamw.hpp).
#include "adamw.hpp"

#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tapegrad::optim {

void AdamWOptions::validate(const std::string& name) const {
  detail::check_adam_options(name, lr, betas, eps, weight_decay);
}

namespace {

// p, g, m, v: n values each; v_max null unless amsgrad; t is this step's number.
template <class T>
void adamw_update(T* p, const T* g, T* m, T* v, T* v_max, std::int64_t n, std::int64_t t, const AdamWOptions& o) {
  const double bc1 = 1 - std::pow(o.betas[0], static_cast<double>(t));
  const double bc2 = 1 - std::pow(o.betas[1], static_cast<double>(t));
  const T neg_step = static_cast<T>(-(o.lr / bc1)), bc2_sqrt = static_cast<T>(std::sqrt(bc2));
  const T b1 = static_cast<T>(o.betas[0]), rest1 = static_cast<T>(1 - o.betas[0]);
  const T b2 = static_cast<T>(o.betas[1]), rest2 = static_cast<T>(1 - o.betas[1]);
  const T eps = static_cast<T>(o.eps), shrink = static_cast<T>(1 - o.lr * o.weight_decay);
  for (std::int64_t i = 0; i < n; ++i) {
    p[i] = p[i] * shrink;
    const T d = o.maximize ? -g[i] : g[i];
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

void AdamW::step() {
  NoGradGuard no_grad;
  for (const Group& group : groups_) {
    const AdamWOptions& o = group.options;
    for (const Tensor& p : group.params) {
      if (!p.has_grad()) continue;
      ParamState& st = state_of(p);
      auto buffer = [&](const char* name) -> Tensor& {
        Tensor& b = st.buffers[name];
        if (!b.defined()) b = zeros_like(p);
        return b;
      };
      const std::int64_t t = ++st.step;
      Tensor m = buffer("exp_avg"), v = buffer("exp_avg_sq");
      Tensor v_max = o.amsgrad ? buffer("max_exp_avg_sq") : Tensor();
      const Tensor grad = p.grad();
      dispatch_float(p.dtype(), "AdamW.step", [&]<class T>() {
        adamw_update<T>(p.data<T>(), grad.data<T>(), m.data<T>(), v.data<T>(),
                        v_max.defined() ? v_max.data<T>() : nullptr, p.numel(), t, o);
      });
    }
  }
}

}  // namespace tapegrad::optim
