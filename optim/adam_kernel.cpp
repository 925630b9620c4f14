// Adam's loop, one template for every variant (decay kind, amsgrad, maximize as compile-time
// flags, so each is branch-free and vectorises), instantiated inside one function per
// instruction set.
#include "adam_kernel.hpp"

#include <cmath>

namespace tapegrad::optim::detail {
namespace {

template <class T, AdamDecay D, bool Amsgrad, bool Maximize>
[[gnu::always_inline]] inline void adam_loop(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                                             T* __restrict v_max, std::int64_t n, const AdamScalars& r) {
  const T neg_step = static_cast<T>(r.neg_step), bc2_sqrt = static_cast<T>(r.bc2_sqrt);
  const T b1 = static_cast<T>(r.beta1), rest1 = static_cast<T>(1 - r.beta1);
  const T b2 = static_cast<T>(r.beta2), rest2 = static_cast<T>(1 - r.beta2);
  const T eps = static_cast<T>(r.eps), wd = static_cast<T>(r.weight_decay), shrink = static_cast<T>(r.shrink);
  for (std::int64_t i = 0; i < n; ++i) {
    T pi = p[i], d = Maximize ? -g[i] : g[i];
    if constexpr (D == AdamDecay::decoupled) pi = pi * shrink;  // AdamW: p *= 1 - lr wd
    if constexpr (D == AdamDecay::coupled) d = d + wd * pi;     // Adam: g += wd p
    const T mi = m[i] * b1 + rest1 * d;                         // m = b1 m + (1 - b1) g
    const T vi = v[i] * b2 + rest2 * d * d;                     // v = b2 v + (1 - b2) g²
    m[i] = mi;
    v[i] = vi;
    T second = vi;
    if constexpr (Amsgrad) {  // v_max = max(v_max, v), NaN winning as torch.maximum
      const T mx = v_max[i];
      second = (mx != mx || mx > vi) ? mx : vi;
      v_max[i] = second;
    }
    p[i] = pi + neg_step * mi / (std::sqrt(second) / bc2_sqrt + eps);  // p -= lr/bc1 m / (√v/√bc2 + eps)
  }
}

template <class T, AdamDecay D>
[[gnu::always_inline]] inline void by_flags(T* p, const T* g, T* m, T* v, T* vm, std::int64_t n, const AdamScalars& r) {
  if (r.amsgrad) {
    if (r.maximize) adam_loop<T, D, true, true>(p, g, m, v, vm, n, r);
    else adam_loop<T, D, true, false>(p, g, m, v, vm, n, r);
  } else {
    if (r.maximize) adam_loop<T, D, false, true>(p, g, m, v, vm, n, r);
    else adam_loop<T, D, false, false>(p, g, m, v, vm, n, r);
  }
}

template <class T>
[[gnu::always_inline]] inline void any_variant(T* p, const T* g, T* m, T* v, T* vm, std::int64_t n,
                                               const AdamScalars& r) {
  switch (r.decay) {
    case AdamDecay::none: return by_flags<T, AdamDecay::none>(p, g, m, v, vm, n, r);
    case AdamDecay::coupled: return by_flags<T, AdamDecay::coupled>(p, g, m, v, vm, n, r);
    case AdamDecay::decoupled: return by_flags<T, AdamDecay::decoupled>(p, g, m, v, vm, n, r);
  }
}

// the same loop, compiled for each instruction set
void adam_baseline(float* p, const float* g, float* m, float* v, float* vm, std::int64_t n, const AdamScalars& r) {
  any_variant<float>(p, g, m, v, vm, n, r);
}
void adam_baseline(double* p, const double* g, double* m, double* v, double* vm, std::int64_t n, const AdamScalars& r) {
  any_variant<double>(p, g, m, v, vm, n, r);
}
[[gnu::target("avx2,fma")]] void adam_avx2(float* p, const float* g, float* m, float* v, float* vm, std::int64_t n,
                                           const AdamScalars& r) {
  any_variant<float>(p, g, m, v, vm, n, r);
}
[[gnu::target("avx2,fma")]] void adam_avx2(double* p, const double* g, double* m, double* v, double* vm, std::int64_t n,
                                           const AdamScalars& r) {
  any_variant<double>(p, g, m, v, vm, n, r);
}
[[gnu::target("avx512f,avx512vl,avx512bw,avx512dq")]] void adam_avx512(float* p, const float* g, float* m, float* v,
                                                                       float* vm, std::int64_t n,
                                                                       const AdamScalars& r) {
  any_variant<float>(p, g, m, v, vm, n, r);
}
[[gnu::target("avx512f,avx512vl,avx512bw,avx512dq")]] void adam_avx512(double* p, const double* g, double* m, double* v,
                                                                       double* vm, std::int64_t n,
                                                                       const AdamScalars& r) {
  any_variant<double>(p, g, m, v, vm, n, r);
}

}  // namespace

template <class T>
void adam_kernel(Isa isa, T* p, const T* g, T* m, T* v, T* v_max, std::int64_t n, const AdamScalars& r) {
  switch (isa) {
    case Isa::avx512: return adam_avx512(p, g, m, v, v_max, n, r);
    case Isa::avx2: return adam_avx2(p, g, m, v, v_max, n, r);
    case Isa::baseline: return adam_baseline(p, g, m, v, v_max, n, r);
  }
}

template void adam_kernel<float>(Isa, float*, const float*, float*, float*, float*, std::int64_t, const AdamScalars&);
template void adam_kernel<double>(Isa, double*, const double*, double*, double*, double*, std::int64_t,
                                  const AdamScalars&);

}  // namespace tapegrad::optim::detail
