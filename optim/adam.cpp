// Adam's step: one fused loop per parameter (the rule is in adam.hpp).
#include "adam.hpp"

#include <cmath>
#include <type_traits>

#include "../autograd/grad_mode.hpp"
#include "../autograd/parallel.hpp"

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

// The common case (no amsgrad, no maximize) as branch-free loops that the compiler vectorises,
// one per kind of weight decay; the same operations in the same order as adam_loop, so the
// results are bit for bit the same. Built for AVX-512, AVX2 and baseline x86-64; the loader
// picks the best the CPU has (GCC's target_clones).
enum class Decay { none, coupled, decoupled };

struct FastRule {
  double neg_step, bc2_sqrt, b1, rest1, b2, rest2, eps, wd, shrink;
};

template <class T, Decay D>
__attribute__((always_inline)) inline void adam_fast_loop(T* __restrict p, const T* __restrict g, T* __restrict m,
                                                          T* __restrict v, std::int64_t n, const FastRule& r) {
  const T neg_step = static_cast<T>(r.neg_step), bc2_sqrt = static_cast<T>(r.bc2_sqrt);
  const T b1 = static_cast<T>(r.b1), rest1 = static_cast<T>(r.rest1), b2 = static_cast<T>(r.b2);
  const T rest2 = static_cast<T>(r.rest2), eps = static_cast<T>(r.eps), wd = static_cast<T>(r.wd);
  const T shrink = static_cast<T>(r.shrink);
  for (std::int64_t i = 0; i < n; ++i) {
    T pi = p[i], d = g[i];
    if constexpr (D == Decay::decoupled) pi = pi * shrink;
    if constexpr (D == Decay::coupled) d = d + wd * pi;
    const T mi = m[i] * b1 + rest1 * d;
    const T vi = v[i] * b2 + rest2 * d * d;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi + neg_step * mi / (std::sqrt(vi) / bc2_sqrt + eps);
  }
}

template <class T>
__attribute__((always_inline)) inline void adam_fast(T* p, const T* g, T* m, T* v, std::int64_t n, Decay decay,
                                                     const FastRule& r) {
  switch (decay) {
    case Decay::none: return adam_fast_loop<T, Decay::none>(p, g, m, v, n, r);
    case Decay::coupled: return adam_fast_loop<T, Decay::coupled>(p, g, m, v, n, r);
    case Decay::decoupled: return adam_fast_loop<T, Decay::decoupled>(p, g, m, v, n, r);
  }
}

#define TAPEGRAD_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
TAPEGRAD_CPU_CLONES void adam_fast_f32(float* p, const float* g, float* m, float* v, std::int64_t n, Decay decay,
                                       const FastRule& r) {
  adam_fast<float>(p, g, m, v, n, decay, r);
}
TAPEGRAD_CPU_CLONES void adam_fast_f64(double* p, const double* g, double* m, double* v, std::int64_t n, Decay decay,
                                       const FastRule& r) {
  adam_fast<double>(p, g, m, v, n, decay, r);
}
#undef TAPEGRAD_CPU_CLONES

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
  ::tapegrad::detail::bump_version(p);
  if (!rule.amsgrad && !rule.maximize) {
    const double bc1 = 1 - std::pow(rule.betas[0], static_cast<double>(t));
    const double bc2 = 1 - std::pow(rule.betas[1], static_cast<double>(t));
    const FastRule r{-(rule.lr / bc1), std::sqrt(bc2),         rule.betas[0], 1 - rule.betas[0],
                     rule.betas[1],    1 - rule.betas[1],       rule.eps,      rule.weight_decay,
                     1 - rule.lr * rule.weight_decay};
    const Decay decay = rule.decoupled ? Decay::decoupled : rule.weight_decay != 0 ? Decay::coupled : Decay::none;
    dispatch_float(p.dtype(), op, [&]<class T>() {
      T *pp = p.data<T>(), *pm = m.data<T>(), *pv = v.data<T>();
      const T* pg = grad.data<T>();
      // elementwise, so a large parameter is split across threads (same bits either way)
      ::tapegrad::detail::parallel_for(p.numel(), [&](std::int64_t lo, std::int64_t hi) {
        if constexpr (std::is_same_v<T, float>)
          adam_fast_f32(pp + lo, pg + lo, pm + lo, pv + lo, hi - lo, decay, r);
        else
          adam_fast_f64(pp + lo, pg + lo, pm + lo, pv + lo, hi - lo, decay, r);
      });
    });
    return;
  }
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
