// Adam's and AdamW's step: the scalars of step t, then the loop of adam_kernel.cpp over the
// parameter (split across threads when large: elementwise, so the same bits either way). The
// rules are in adam.hpp and adamw.hpp.
#include "adam.hpp"

#include <cmath>

#include "../core/parallel.hpp"
#include "adam_kernel.hpp"
#include "adamw.hpp"

namespace tapegrad::optim {

void detail::check_adam_options(const std::string& name, double lr, const std::array<double, 2>& betas, double eps,
                                double weight_decay) {
  check_option(lr >= 0, name, "learning rate", lr);
  check_option(eps >= 0, name, "epsilon value", eps);
  check_option(betas[0] >= 0 && betas[0] < 1, name, "beta parameter at index 0", betas[0]);
  check_option(betas[1] >= 0 && betas[1] < 1, name, "beta parameter at index 1", betas[1]);
  check_option(weight_decay >= 0, name, "weight_decay value", weight_decay);
}

template <class T, double D> void detail::adam_update(ParamStep<T>& s, const AdamFamilyOptions<D>& o, bool decoupled) {
  const double t = static_cast<double>(s.state.step);
  const AdamScalars r{.neg_step = -(o.lr / (1 - std::pow(o.betas[0], t))),  // bias corrections in double
                      .bc2_sqrt = std::sqrt(1 - std::pow(o.betas[1], t)),
                      .beta1 = o.betas[0],
                      .beta2 = o.betas[1],
                      .eps = o.eps,
                      .weight_decay = o.weight_decay,
                      .shrink = 1 - o.lr * o.weight_decay,
                      .decay = decoupled             ? AdamDecay::decoupled
                               : o.weight_decay != 0 ? AdamDecay::coupled
                                                     : AdamDecay::none,
                      .amsgrad = o.amsgrad,
                      .maximize = o.maximize};
  T *p = s.p, *m = s.buffer("exp_avg"), *v = s.buffer("exp_avg_sq");
  T* v_max = o.amsgrad ? s.buffer("max_exp_avg_sq") : nullptr;
  const T* g = s.g;
  const Isa isa = active_isa();
  ::tapegrad::detail::parallel_for(s.n, [&](std::int64_t lo, std::int64_t hi) {
    adam_kernel<T>(isa, p + lo, g + lo, m + lo, v + lo, v_max ? v_max + lo : nullptr, hi - lo, r);
  });
}

void Adam::step() {
  update_each([](auto& s, const AdamOptions& o) { detail::adam_update(s, o, /*decoupled=*/false); });
}

void AdamW::step() {
  update_each([](auto& s, const AdamWOptions& o) { detail::adam_update(s, o, /*decoupled=*/true); });
}

}  // namespace tapegrad::optim
