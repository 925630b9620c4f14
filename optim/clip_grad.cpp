// clip_grad_norm_ and clip_grad_value_ (the rules are in clip_grad.hpp).
#include "clip_grad.hpp"

#include <algorithm>
#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tapegrad::optim {

namespace {

// The norm_type-norm of n values, as torch.norm: sums in double, the result in T.
template <class T> T p_norm(const T* x, std::int64_t n, double p) {
  if (std::isinf(p)) {
    double r = p > 0 ? 0.0 : INFINITY;  // torch: -inf norm of nothing is inf
    for (std::int64_t i = 0; i < n; ++i) {
      const double a = std::abs(static_cast<double>(x[i]));
      if (std::isnan(a)) return static_cast<T>(a);
      r = p > 0 ? std::max(r, a) : std::min(r, a);
    }
    return static_cast<T>(r);
  }
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = std::abs(static_cast<double>(x[i]));
    if (p == 0) sum += a != 0 ? 1.0 : 0.0;
    else if (p == 1) sum += a;
    else if (p == 2) sum += a * a;
    else sum += std::pow(a, p);
  }
  if (p == 0 || p == 1) return static_cast<T>(sum);
  if (p == 2) return static_cast<T>(std::sqrt(sum));
  return static_cast<T>(std::pow(sum, 1.0 / p));
}

}  // namespace

Tensor clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.has_grad()) grads.push_back(p.grad());
  if (grads.empty()) return scalar_tensor(0.0);
  for (const Tensor& g : grads)
    if (g.dtype() != grads[0].dtype())
      fail<DTypeError>("clip_grad_norm_: gradients of different dtypes ({} and {}); convert the parameters to one",
                       dtype_name(grads[0].dtype()), dtype_name(g.dtype()));

  return dispatch_float(grads[0].dtype(), "clip_grad_norm_", [&]<class T>() {
    // each gradient's norm, then the norm of those norms (torch.norm(torch.stack(norms)))
    std::vector<T> norms;
    for (const Tensor& g : grads) norms.push_back(p_norm<T>(g.data<T>(), g.numel(), norm_type));
    const T total = p_norm<T>(norms.data(), static_cast<std::int64_t>(norms.size()), norm_type);
    if (error_if_nonfinite && !std::isfinite(total))
      fail<ValueError>(
          "clip_grad_norm_: the total norm of order {} for gradients from `parameters` is non-finite "
          "({}), so it cannot be clipped; pass error_if_nonfinite = false to scale by it anyway",
          norm_type, static_cast<double>(total));
    T coef = static_cast<T>(max_norm) / (total + static_cast<T>(1e-6));
    if (coef > T(1)) coef = T(1);  // clamp(max=1), NaN stays NaN
    for (const Tensor& g : grads) {
      tapegrad::detail::bump_version(g);
      T* d = g.data<T>();
      for (std::int64_t i = 0, n = g.numel(); i < n; ++i) d[i] = d[i] * coef;
    }
    return scalar_tensor(static_cast<double>(total), {.dtype = grads[0].dtype()});
  });
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  for (const Tensor& p : params) {
    if (!p.has_grad()) continue;
    const Tensor g = p.grad();
    tapegrad::detail::bump_version(g);
    dispatch_float(g.dtype(), "clip_grad_value_", [&]<class T>() {
      const T lo = static_cast<T>(-clip_value), hi = static_cast<T>(clip_value);
      T* d = g.data<T>();
      // clamp(min=lo, max=hi): min(max(x, lo), hi); NaN passes through
      for (std::int64_t i = 0, n = g.numel(); i < n; ++i) {
        if (d[i] < lo) d[i] = lo;
        if (d[i] > hi) d[i] = hi;
      }
    });
  }
}

}  // namespace tapegrad::optim
