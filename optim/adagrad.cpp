// Adagrad's step: one fused loop per parameter (the rule is in adagrad.hpp).
#include "adagrad.hpp"

#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tapegrad::optim {

void AdagradOptions::validate(const std::string& name) const {
  detail::check_option(lr >= 0, name, "learning rate", lr);
  detail::check_option(lr_decay >= 0, name, "lr_decay value", lr_decay);
  detail::check_option(weight_decay >= 0, name, "weight_decay value", weight_decay);
  detail::check_option(initial_accumulator_value >= 0, name, "initial_accumulator_value value",
                       initial_accumulator_value);
  detail::check_option(eps >= 0, name, "epsilon value", eps);
}

namespace {

// p, g, sum: n values each; clr is the decayed lr of this step.
template <class T> void adagrad_update(T* p, const T* g, T* sum, std::int64_t n, double clr, const AdagradOptions& o) {
  const T neg_clr = static_cast<T>(-clr), wd = static_cast<T>(o.weight_decay), eps = static_cast<T>(o.eps);
  const bool decay = o.weight_decay != 0;
  for (std::int64_t i = 0; i < n; ++i) {
    T d = o.maximize ? -g[i] : g[i];
    if (decay) d = d + wd * p[i];
    sum[i] = sum[i] + d * d;
    p[i] = p[i] + neg_clr * d / (std::sqrt(sum[i]) + eps);
  }
}

}  // namespace

void Adagrad::step() {
  NoGradGuard no_grad;
  for (const Group& group : groups_) {
    const AdagradOptions& o = group.options;
    for (const Tensor& p : group.params) {
      if (!p.has_grad()) continue;
      ParamState& st = state_of(p);
      if (!st.has("sum")) st.buffers["sum"] = full_like(p, o.initial_accumulator_value);
      const std::int64_t t = ++st.step;
      const double clr = o.lr / (1 + static_cast<double>(t - 1) * o.lr_decay);
      const Tensor grad = p.grad();
      const Tensor& sum = st.buffers["sum"];
      tapegrad::detail::bump_version(p);
      dispatch_float(p.dtype(), "Adagrad.step", [&]<class T>() {
        adagrad_update<T>(p.data<T>(), grad.data<T>(), sum.data<T>(), p.numel(), clr, o);
      });
    }
  }
}

}  // namespace tapegrad::optim
