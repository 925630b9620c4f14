// More activation functions. Each: check, forward (one evaluated pass), record the backward
// rule right below it. Rules are written with differentiable ops, so double backward works.
// The piecewise-linear ones (hardtanh, relu6, hardsigmoid, hardswish) take at each breakpoint
// the side PyTorch's rule takes (its scalar CPU and its CUDA kernels); written with where(),
// NaN inputs take the branch PyTorch's comparisons send them to. The smooth ones (selu, celu,
// mish, logsigmoid) take exponentials only of arguments that cannot overflow; softsign,
// tanhshrink and softmin are composed, as in PyTorch.
#include "activation_extra.hpp"

#include <xtensor/xoperation.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "../node.hpp"
#include "activation.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"

namespace tapegrad {

namespace {

// the element type of an xtensor expression
template <class E> using value_of = typename std::decay_t<E>::value_type;

// PyTorch's SELU constants (torch.nn.SELU)
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

// DTypeError naming op unless x is float32 or float64 (for the ops composed of others)
void check_float(const Tensor& x, const char* op) {
  dispatch_float(x.dtype(), op, []<class T>() {});
}

// softplus(x) = max(x, 0) + log1p(e^-|x|) everywhere (no switch to x at a threshold), so its
// derivative is exactly sigmoid(x)
Tensor softplus_exact(const Tensor& x) { return softplus(x, 1.0, std::numeric_limits<double>::infinity()); }

// PyTorch's hardsigmoid gradient multiplies by 1.0f / 6.0f, a float32 constant, in float64 too
constexpr double kOneSixthF32 = static_cast<double>(1.0f / 6.0f);

// hardtanh under the name the user called (relu6 or hardtanh), for the dtype error;
// hardtanh(x) = min(max(x, lo), hi), NaN stays NaN (both comparisons are false);
// dx = 0 where x <= lo or x >= hi, else g (NaN passes g)
Tensor hardtanh_impl(const Tensor& x, double lo, double hi, const char* op) {
  Tensor out = kernels::unary(x, op, [lo, hi](auto&& e) {
    using T = value_of<decltype(e)>;
    return xt::where(e < static_cast<T>(lo), static_cast<T>(lo),
                     xt::where(e > static_cast<T>(hi), static_cast<T>(hi), e));
  });
  record(out, {"hardtanh", "dx = g where min_val < x < max_val, else 0 (0 at the bounds)"}, {x},
         [x = save(x), lo, hi](const Tensor& g) {
           const Tensor& xv = x.unpack();
           const Tensor zero = detail::scalar_like(g, 0.0);
           return GradList{where(xv <= lo, zero, where(xv >= hi, zero, g))};
         });
  return out;
}

}  // namespace

Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  if (min_val > max_val)
    fail<ValueError>("hardtanh: min_val cannot be greater than max_val, got min_val={} and max_val={}", min_val,
                     max_val);
  return hardtanh_impl(x, min_val, max_val, "hardtanh");
}

Tensor relu6(const Tensor& x) { return hardtanh_impl(x, 0.0, 6.0, "relu6"); }

// hardsigmoid(x) = min(max(x + 3, 0), 6) / 6; dx = g/6 where -3 < x < 3, else 0 (NaN too)
Tensor hardsigmoid(const Tensor& x) {
  Tensor out = kernels::unary(x, "hardsigmoid", [](auto&& e) {
    using T = value_of<decltype(e)>;
    // where(), not maximum/minimum, so that NaN stays NaN
    return xt::where(e + T(3) < T(0), T(0), xt::where(e + T(3) > T(6), T(6), e + T(3))) / T(6);
  });
  record(out, {"hardsigmoid", "dx = g / 6 where -3 < x < 3, else 0"}, {x}, [x = save(x)](const Tensor& g) {
    const Tensor& xv = x.unpack();
    return GradList{where((xv > -3.0) * (xv < 3.0), g * kOneSixthF32, detail::scalar_like(g, 0.0))};
  });
  return out;
}

// hardswish(x) = x * min(max(x + 3, 0), 6) / 6;
// dx = 0 for x < -3, g (x/3 + 1/2) for -3 <= x <= 3, g for x > 3 (and for NaN)
Tensor hardswish(const Tensor& x) {
  Tensor out = kernels::unary(x, "hardswish", [](auto&& e) {
    using T = value_of<decltype(e)>;
    return e * xt::where(e + T(3) < T(0), T(0), xt::where(e + T(3) > T(6), T(6), e + T(3))) / T(6);
  });
  record(out, {"hardswish", "dx = 0 for x < -3, g * (x/3 + 1/2) for -3 <= x <= 3, g for x > 3"}, {x},
         [x = save(x)](const Tensor& g) {
           const Tensor& xv = x.unpack();
           return GradList{where(xv < -3.0, detail::scalar_like(g, 0.0), where(xv <= 3.0, g * (xv / 3.0 + 0.5), g))};
         });
  return out;
}

// selu(x) = scale x for x > 0, scale alpha (e^x - 1) for x <= 0;
// dx = g scale for x > 0 (and NaN), g scale alpha e^x for x <= 0
// (e^min(x, 0), so the unused branch never overflows into a NaN under double backward)
Tensor selu(const Tensor& x) {
  Tensor out = kernels::unary(x, "selu", [](auto&& e) {
    using T = value_of<decltype(e)>;
    return xt::where(e <= T(0), xt::expm1(e) * (T(kSeluAlpha) * T(kSeluScale)), e * T(kSeluScale));
  });
  record(out, {"elu", "dx = g * scale where x > 0, else g * scale * alpha * e^x"}, {x},
         [xs = save(x)](const Tensor& g) {
           const Tensor& x = xs.unpack();
           const Tensor neg = g * (exp(clamp(x, std::nullopt, 0.0)) * (kSeluAlpha * kSeluScale));
           return GradList{where(x <= 0.0, neg, g * kSeluScale)};
         });
  return out;
}

// celu(x) = x for x > 0, alpha (e^(x/alpha) - 1) for x <= 0;
// dx = g for x > 0 (and NaN), g e^(x/alpha) for x <= 0
Tensor celu(const Tensor& x, double alpha) {
  if (alpha == 0.0) fail<ValueError>("celu: alpha cannot be 0 (it divides x), got alpha={}", alpha);
  // x / alpha as PyTorch computes it: x * (1 / alpha)
  const double inv_alpha = 1.0 / alpha;
  Tensor out = kernels::unary(x, "celu", [alpha, inv_alpha](auto&& e) {
    using T = value_of<decltype(e)>;
    return xt::where(e <= T(0), xt::expm1(e * static_cast<T>(inv_alpha)) * static_cast<T>(alpha), e);
  });
  record(out, {"celu", "dx = g where x > 0, else g * e^(x / alpha)"}, {x}, [xs = save(x), inv_alpha](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{where(x <= 0.0, g * exp(clamp(x, std::nullopt, 0.0) * inv_alpha), g)};
  });
  return out;
}

// mish(x) = x t, t = tanh(softplus(x)); dx = g (t + x sigmoid(x) (1 - t²))
Tensor mish(const Tensor& x) {
  Tensor out = kernels::unary(x, "mish", [](auto&& e) {
    using T = value_of<decltype(e)>;
    return e * xt::tanh(xt::maximum(e, T(0)) + xt::log1p(xt::exp(-xt::abs(e))));
  });
  record(out, {"mish", "dx = g * (t + x * sigmoid(x) * (1 - t^2)), t = tanh(softplus(x))"}, {x},
         [xs = save(x)](const Tensor& g) {
           const Tensor& x = xs.unpack();
           const Tensor t = tanh(softplus_exact(x));
           return GradList{mul(g, t + x * sigmoid(x) * (1.0 - t * t))};
         });
  return out;
}

// logsigmoid(x) = log σ(x) = min(x, 0) - log1p(e^-|x|); dx = g σ(-x)
Tensor logsigmoid(const Tensor& x) {
  Tensor out = kernels::unary(x, "logsigmoid", [](auto&& e) {
    using T = value_of<decltype(e)>;
    return xt::minimum(e, T(0)) - xt::log1p(xt::exp(-xt::abs(e)));
  });
  // PyTorch's op is log_sigmoid (LogSigmoidBackward0)
  record(out, {"log_sigmoid", "dx = g * sigmoid(-x)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{mul(g, sigmoid(neg(x.unpack())))}; });
  return out;
}

// softsign(x) = x / (|x| + 1), composed (DivBackward0, as PyTorch)
Tensor softsign(const Tensor& x) {
  check_float(x, "softsign");
  return div(x, abs(x) + 1.0);
}

// tanhshrink(x) = x - tanh(x), composed (SubBackward0, as PyTorch)
Tensor tanhshrink(const Tensor& x) {
  check_float(x, "tanhshrink");
  return sub(x, tanh(x));
}

// softmin(x, dim) = softmax(-x, dim), composed (SoftmaxBackward0, as PyTorch)
Tensor softmin(const Tensor& x, std::int64_t dim) {
  check_float(x, "softmin");
  const std::int64_t d = wrap_dim(dim, x.dim(), "softmin");
  return softmax(neg(x), d);
}

}  // namespace tapegrad
