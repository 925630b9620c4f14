#pragma once
// The Adam/AdamW update loop (adam.hpp gives the formula), written once and built for each
// instruction set (autograd/isa.hpp); every build gives the same bits (no fused multiply-adds:
// the library is compiled with -ffp-contract=off, and sqrt and division are correctly rounded).
// Internal to the optimizers; exposed for the test that compares the builds.
#include <cstdint>

#include "../core/isa.hpp"

namespace tapegrad::optim::detail {

enum class AdamDecay { none, coupled, decoupled };

/// The per-step scalars, in double; the loop rounds them to T once.
struct AdamScalars {
  double neg_step;  ///< -lr / (1 - beta1^t)
  double bc2_sqrt;  ///< sqrt(1 - beta2^t)
  double beta1, beta2, eps, weight_decay;
  double shrink;  ///< 1 - lr * weight_decay (AdamW)
  AdamDecay decay;
  bool amsgrad, maximize;
};

/// Updates n elements of p, m, v (and v_max when amsgrad; null otherwise) with gradient g, using
/// the kernel built for `isa` (which the CPU must support), or for active_isa().
template <class T>
void adam_kernel(Isa isa, T* p, const T* g, T* m, T* v, T* v_max, std::int64_t n, const AdamScalars& r);
template <class T> void adam_kernel(T* p, const T* g, T* m, T* v, T* v_max, std::int64_t n, const AdamScalars& r) {
  adam_kernel<T>(active_isa(), p, g, m, v, v_max, n, r);
}

}  // namespace tapegrad::optim::detail
