// RMSprop's step: one fused loop per parameter (the rule is in rmsprop.hpp).
#include "rmsprop.hpp"

#include <cmath>

namespace tapegrad::optim {

void RMSpropOptions::validate(const std::string& name) const {
  detail::check_option(lr >= 0, name, "learning rate", lr);
  detail::check_option(eps >= 0, name, "epsilon value", eps);
  detail::check_option(momentum >= 0, name, "momentum value", momentum);
  detail::check_option(weight_decay >= 0, name, "weight_decay value", weight_decay);
  detail::check_option(alpha >= 0, name, "alpha value", alpha);
}

namespace {

// p, g, sq (square_avg): n values each; ga (grad_avg) null unless centered, buf null unless
// momentum > 0.
template <class T>
void rmsprop_update(T* p, const T* g, T* sq, T* ga, T* buf, std::int64_t n, const RMSpropOptions& o) {
  const T lr = static_cast<T>(o.lr), alpha = static_cast<T>(o.alpha), rest = static_cast<T>(1 - o.alpha);
  const T eps = static_cast<T>(o.eps), wd = static_cast<T>(o.weight_decay), mu = static_cast<T>(o.momentum);
  const bool decay = o.weight_decay != 0;
  for (std::int64_t i = 0; i < n; ++i) {
    T d = o.maximize ? -g[i] : g[i];
    if (decay) d = d + wd * p[i];
    sq[i] = sq[i] * alpha + rest * d * d;
    T avg;
    if (ga) {
      ga[i] = ga[i] * alpha + rest * d;
      avg = std::sqrt(sq[i] - ga[i] * ga[i]) + eps;
    } else {
      avg = std::sqrt(sq[i]) + eps;
    }
    if (buf) {
      buf[i] = buf[i] * mu + d / avg;
      p[i] = p[i] + (-lr) * buf[i];
    } else {
      p[i] = p[i] + (-lr) * d / avg;
    }
  }
}

}  // namespace

void RMSprop::step() {
  // a buffer switched on later (e.g. momentum by OneCycleLR) starts at 0
  update_each([](auto& s, const RMSpropOptions& o) {
    rmsprop_update(s.p, s.g, s.buffer("square_avg"), o.centered ? s.buffer("grad_avg") : nullptr,
                   o.momentum > 0 ? s.buffer("momentum_buffer") : nullptr, s.n, o);
  });
}

}  // namespace tapegrad::optim
