// Activation functions. Each: check, forward (one evaluated pass over contiguous data), record
// the backward rule right below it. Rules are composed of differentiable ops. Where a rule
// reuses the forward's output, it uses the saved (detached) values when grad mode is off, and
// recomputes the output from x when it is on (create_graph), so double backward is exact.
#include "activation.hpp"

#include <xtensor/xoperation.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "../node.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "reduce.hpp"

namespace tapegrad {

using kernels::Lanes;
using kernels::lanes_around;

namespace {

// out = f<T>(x) elementwise (split across threads when large); f maps a flat view of x to an
// xtensor expression
template <class F> Tensor map_float(const Tensor& x, const char* op, F&& f) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), op, [&]<class T>() {
    detail::parallel_for(x.numel(), [&](std::int64_t lo, std::int64_t hi) {
      auto o = kernels::flat<T>(out, lo, hi);
      const auto e = kernels::flat<T>(x, lo, hi);
      xt::noalias(o) = f.template operator()<T>(e);
    });
  });
  return out;
}

constexpr double kSqrt2OverPi = 0.79788456080286535588;  // √(2/π)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/√(2π)
constexpr double kGeluKappa = 0.044715;
constexpr double kInvSqrt2 = 0.70710678118654752440;  // 1/√2

// φ(x) = e^(-x²/2) / √(2π), the standard normal density
Tensor normal_pdf(const Tensor& x) { return exp(x * x * -0.5) * kInvSqrt2Pi; }

// Φ(x) = erfc(-x/√2) / 2, the standard normal CDF (erfc keeps the left tail accurate);
// dx = g φ(x)
Tensor normal_cdf(const Tensor& x) {
  Tensor out = map_float(x, "gelu", []<class T>(const auto& e) { return T(0.5) * xt::erfc(e * T(-kInvSqrt2)); });
  record(out, {"normal_cdf", "dx = g * φ(x) (the standard normal density)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{mul(g, normal_pdf(x.unpack()))}; });
  return out;
}

// softmax (or log_softmax) of each lane x[o, :, k]: m = max_j x, s = Σ_j e^(x - m);
// y = e^(x - m) / s, or log y = (x - m) - log s. Sums accumulate in double.
template <class T> void softmax_kernel(const T* x, T* y, Lanes l, bool log) {
  T m1;
  double s1;
  std::vector<T> mbuf;
  std::vector<double> sbuf;
  T* mx = &m1;
  double* sm = &s1;
  if (l.inner > 1) {
    mbuf.resize(static_cast<std::size_t>(l.inner));
    sbuf.resize(static_cast<std::size_t>(l.inner));
    mx = mbuf.data();
    sm = sbuf.data();
  }
  const std::int64_t block = l.n * l.inner;
  for (std::int64_t o = 0; o < l.outer; ++o) {
    const T* xb = x + o * block;
    T* yb = y + o * block;
    for (std::int64_t k = 0; k < l.inner; ++k) {
      mx[k] = -std::numeric_limits<T>::infinity();
      sm[k] = 0.0;
    }
    for (std::int64_t j = 0; j < l.n; ++j)
      for (std::int64_t k = 0; k < l.inner; ++k) mx[k] = std::max(mx[k], xb[j * l.inner + k]);
    for (std::int64_t j = 0; j < l.n; ++j)
      for (std::int64_t k = 0; k < l.inner; ++k) {
        const T e = std::exp(xb[j * l.inner + k] - mx[k]);  // NaN when the lane's max is -inf, as PyTorch
        if (!log) yb[j * l.inner + k] = e;
        sm[k] += e;
      }
    for (std::int64_t j = 0; j < l.n; ++j)
      for (std::int64_t k = 0; k < l.inner; ++k) {
        const std::int64_t i = j * l.inner + k;
        yb[i] = log ? (xb[i] - mx[k]) - static_cast<T>(std::log(sm[k])) : static_cast<T>(yb[i] / sm[k]);
      }
  }
}

Tensor softmax_forward(const Tensor& x, std::int64_t d, bool log, const char* op) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), op,
                 [&]<class T>() { softmax_kernel<T>(x.data<T>(), out.data<T>(), lanes_around(x.shape(), d), log); });
  return out;
}

}  // namespace

// relu(x) = max(x, 0) (NaN stays NaN); dx = g * [x > 0]
Tensor relu(const Tensor& x) {
  Tensor out = map_float(x, "relu", []<class T>(const auto& e) { return xt::where(e < T(0), T(0), e); });
  // the mask reads the output (y > 0 exactly where x > 0), as PyTorch's rule does
  record(out, {"relu", "dx = g * [x > 0]"}, {x},
         [y = save_output(out)](const Tensor& g) { return GradList{mul(g, y.unpack() > 0.0)}; });
  return out;
}

// leaky_relu(x) = x if x > 0 else a x; dx = g if x > 0 else a g
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  Tensor out = map_float(x, "leaky_relu", [a = negative_slope]<class T>(const auto& e) {
    return xt::where(e > T(0), e, e * static_cast<T>(a));
  });
  record(out, {"leaky_relu", "dx = g where x > 0, else slope * g"}, {x},
         [x = save(x), a = negative_slope](const Tensor& g) { return GradList{where(x.unpack() > 0.0, g, g * a)}; });
  return out;
}

// σ(x) with z = e^-|x| in (0, 1]: 1/(1+z) for x >= 0, z/(1+z) for x < 0;
// dx = g σ (1 - σ)
Tensor sigmoid(const Tensor& x) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  dispatch_float(x.dtype(), "sigmoid", [&]<class T>() {
    auto o = kernels::flat<T>(out);
    const auto e = kernels::flat<T>(x);
    xt::noalias(o) = xt::exp(-xt::abs(e));
    xt::noalias(o) = xt::where(e >= T(0), T(1), o) / (T(1) + o);
  });
  record(out, {"sigmoid", "dx = g * s * (1 - s), s = sigmoid(x)"}, {x},
         [x = save(x), y = save_output(out)](const Tensor& g) {
           const Tensor s = saved_or_recomputed(y, [&] { return sigmoid(x.unpack()); });
           return GradList{mul(g, s * (1.0 - s))};
         });
  return out;
}

// tanh x; dx = g (1 - tanh² x)
Tensor tanh(const Tensor& x) {
  Tensor out = map_float(x, "tanh", []<class T>(const auto& e) { return xt::tanh(e); });
  record(out, {"tanh", "dx = g * (1 - tanh(x)^2)"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    const Tensor t = saved_or_recomputed(y, [&] { return tanh(x.unpack()); });
    return GradList{mul(g, 1.0 - t * t)};
  });
  return out;
}

// exact:  gelu(x) = x Φ(x);                dx = g (Φ(x) + x φ(x))
// tanh:   gelu(x) = x/2 (1 + tanh(u)),    u = √(2/π) (x + κ x³), t = tanh(u),
//         dx = g (½(1 + t) + ½ x (1 - t²) √(2/π) (1 + 3κ x²))
Tensor gelu(const Tensor& x, GeluApprox approximate) {
  Tensor out;
  if (approximate == GeluApprox::none) {
    out = map_float(x, "gelu", []<class T>(const auto& e) { return T(0.5) * e * xt::erfc(e * T(-kInvSqrt2)); });
  } else {
    out = map_float(x, "gelu", []<class T>(const auto& e) {
      return T(0.5) * e * (T(1) + xt::tanh(T(kSqrt2OverPi) * (e + T(kGeluKappa) * e * e * e)));
    });
  }
  record(out, {"gelu", "dx = g * (Φ(x) + x φ(x)) (tanh form for approximate)"}, {x},
         [xs = save(x), approximate](const Tensor& g) {
           const Tensor& x = xs.unpack();
           if (approximate == GeluApprox::none) return GradList{mul(g, normal_cdf(x) + x * normal_pdf(x))};
           const Tensor x2 = x * x;
           const Tensor t = tanh((x + x2 * x * kGeluKappa) * kSqrt2OverPi);
           const Tensor d =
               (1.0 + t) * 0.5 + x * (1.0 - t * t) * (1.0 + x2 * (3.0 * kGeluKappa)) * (0.5 * kSqrt2OverPi);
           return GradList{mul(g, d)};
         });
  return out;
}

Tensor gelu(const Tensor& x, std::string_view approximate) {
  if (approximate == "none") return gelu(x, GeluApprox::none);
  if (approximate == "tanh") return gelu(x, GeluApprox::tanh);
  fail<ValueError>("gelu: approximate must be 'none' or 'tanh', got '{}'", approximate);
}

// silu(x) = x σ(x) = x / (1 + e^-x); dx = g σ (1 + x (1 - σ))
Tensor silu(const Tensor& x) {
  Tensor out = map_float(x, "silu", []<class T>(const auto& e) { return e / (T(1) + xt::exp(-e)); });
  record(out, {"silu", "dx = g * s * (1 + x (1 - s)), s = sigmoid(x)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    const Tensor s = sigmoid(x);
    return GradList{mul(g, s * (1.0 + x * (1.0 - s)))};
  });
  return out;
}

// elu(x) = x if x > 0 else α (e^x - 1); dx = g if x > 0 else g α e^x
// (e^min(x, 0), so the unused branch never overflows into a NaN under double backward)
Tensor elu(const Tensor& x, double alpha) {
  Tensor out = map_float(x, "elu", [alpha]<class T>(const auto& e) {
    return xt::where(e > T(0), e, static_cast<T>(alpha) * xt::expm1(e));
  });
  record(out, {"elu", "dx = g where x > 0, else g * alpha * e^x"}, {x}, [xs = save(x), alpha](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{where(x > 0.0, g, g * (exp(clamp(x, std::nullopt, 0.0)) * alpha))};
  });
  return out;
}

// softplus(x) = x if βx > threshold else (max(βx, 0) + log1p(e^-|βx|)) / β;
// dx = g if βx > threshold else g σ(βx)
Tensor softplus(const Tensor& x, double beta, double threshold) {
  Tensor out = map_float(x, "softplus", [beta, threshold]<class T>(const auto& e) {
    // scalars enter the lazy expression as prvalues (xtensor would keep a reference to a local)
    return xt::where(e * T(beta) > T(threshold), e,
                     (xt::maximum(e * T(beta), T(0)) + xt::log1p(xt::exp(-xt::abs(e * T(beta))))) / T(beta));
  });
  record(out, {"softplus", "dx = g * sigmoid(beta x) (g where beta x > threshold)"}, {x},
         [x = save(x), beta, threshold](const Tensor& g) {
           const Tensor bx = x.unpack() * beta;
           return GradList{where(bx > threshold, g, g * sigmoid(bx))};
         });
  return out;
}

// x [..., n, ...] -> y, softmax along dim d; dx = y (g - Σ_d g y)
Tensor softmax(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "softmax");
  Tensor out = softmax_forward(x, d, false, "softmax");
  record(out, {"softmax", "dx = y * (g - sum_d(g * y)), y = softmax(x)"}, {x},
         [x = save(x), d, ys = save_output(out)](const Tensor& g) {
           const Tensor y = saved_or_recomputed(ys, [&] { return softmax(x.unpack(), d); });
           return GradList{mul(y, g - sum(g * y, {d}, true))};
         });
  return out;
}

// x [..., n, ...] -> y = log softmax along dim d; dx = g - e^y Σ_d g
Tensor log_softmax(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "log_softmax");
  Tensor out = softmax_forward(x, d, true, "log_softmax");
  record(out, {"log_softmax", "dx = g - e^y * sum_d(g), y = log_softmax(x)"}, {x},
         [x = save(x), d, ys = save_output(out)](const Tensor& g) {
           const Tensor y = saved_or_recomputed(ys, [&] { return log_softmax(x.unpack(), d); });
           return GradList{g - exp(y) * sum(g, {d}, true)};
         });
  return out;
}

}  // namespace tapegrad
