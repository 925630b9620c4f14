// Adagrad's step: one fused loop per parameter (the rule is in adagrad.hpp).
#include "adagrad.hpp"

#include <cmath>

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
  update_each([](auto& s, const AdagradOptions& o) {
    const double clr = o.lr / (1 + static_cast<double>(s.state.step - 1) * o.lr_decay);  // the decayed lr
    adagrad_update(s.p, s.g, s.buffer("sum", o.initial_accumulator_value), s.n, clr, o);
  });
}

}  // namespace tapegrad::optim
