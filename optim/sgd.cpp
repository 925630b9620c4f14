// SGD's step: one fused loop per parameter (the rule is in sgd.hpp).
#include "sgd.hpp"

namespace tapegrad::optim {

void SGDOptions::validate(const std::string& name) const {
  if (std::isnan(lr))
    fail<ValueError>("{}: lr is required (PyTorch 1.13 has no default); pass e.g. {{.lr = 0.01}}", name);
  detail::check_option(lr >= 0, name, "learning rate", lr);
  detail::check_option(momentum >= 0, name, "momentum value", momentum);
  detail::check_option(weight_decay >= 0, name, "weight_decay value", weight_decay);
  if (nesterov && (momentum <= 0 || dampening != 0))
    fail<ValueError>("{}: Nesterov momentum requires a momentum and zero dampening (got momentum {}, dampening {})",
                     name, momentum, dampening);
}

namespace {

// p, g, buf: n values each (buf null without momentum). Scalars are rounded to T first, as
// PyTorch does for a Python number meeting a tensor.
template <class T> void sgd_update(T* p, const T* g, T* buf, bool first_step, std::int64_t n, const SGDOptions& o) {
  const T lr = static_cast<T>(o.lr), wd = static_cast<T>(o.weight_decay), mu = static_cast<T>(o.momentum);
  const T keep = static_cast<T>(1 - o.dampening);
  const bool decay = o.weight_decay != 0;
  for (std::int64_t i = 0; i < n; ++i) {
    T d = o.maximize ? -g[i] : g[i];
    if (decay) d = d + wd * p[i];
    if (buf) {
      buf[i] = first_step ? d : buf[i] * mu + keep * d;
      d = o.nesterov ? d + mu * buf[i] : buf[i];
    }
    p[i] = p[i] + (-lr) * d;
  }
}

}  // namespace

void SGD::step() {
  update_each([](auto& s, const SGDOptions& o) {
    const bool first_step = o.momentum != 0 && !s.state.has("momentum_buffer");
    sgd_update(s.p, s.g, o.momentum != 0 ? s.buffer("momentum_buffer") : nullptr, first_step, s.n, o);
  });
}

}  // namespace tapegrad::optim
