// Exponentials, logarithms, powers and the error function. Each: forward (one evaluated pass),
// record the backward rule right below it. Rules are PyTorch's formulas, written with
// differentiable ops; rules that read the output recompute it from x under create_graph, so
// double backward is exact.
#include "unary_math.hpp"

#include <cmath>

#include "../node.hpp"
#include "../../core/parallel.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "masking.hpp"

namespace tapegrad {

using kernels::unary;

namespace {
constexpr double kLn2 = 0.69314718055994530942;
constexpr double kLn10 = 2.30258509299404568402;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;  // 2/√π

// the scalar type of an xtensor expression (float or double)
template <class E> using value_of = typename std::decay_t<E>::value_type;
}  // namespace

// log(1 + x); dx = g / (x + 1)
Tensor log1p(const Tensor& x) {
  Tensor out = unary(x, "log1p", [](auto&& e) { return xt::log1p(e); });
  // "log1_p" is PyTorch's snake name for Log1PBackward0
  record(out, {"log1_p", "dx = g / (x + 1)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g / (x.unpack() + 1.0)}; });
  return out;
}

// y = e^x - 1; dx = g (y + 1)
Tensor expm1(const Tensor& x) {
  Tensor out = unary(x, "expm1", [](auto&& e) { return xt::expm1(e); });
  record(out, {"expm1", "dx = g * (y + 1), y = expm1(x)"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    return GradList{g * (saved_or_recomputed(y, [&] { return expm1(x.unpack()); }) + 1.0)};
  });
  return out;
}

// log₂ x; dx = g / (x ln 2)
Tensor log2(const Tensor& x) {
  Tensor out = unary(x, "log2", [](auto&& e) { return xt::log2(e); });
  record(out, {"log2", "dx = g / (x * ln 2)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g / (x.unpack() * kLn2)}; });
  return out;
}

// log₁₀ x; dx = g / (x ln 10)
Tensor log10(const Tensor& x) {
  Tensor out = unary(x, "log10", [](auto&& e) { return xt::log10(e); });
  record(out, {"log10", "dx = g / (x * ln 10)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g / (x.unpack() * kLn10)}; });
  return out;
}

// y = 2^x; dx = g y ln 2
Tensor exp2(const Tensor& x) {
  Tensor out = unary(x, "exp2", [](auto&& e) { return xt::exp2(e); });
  record(out, {"exp2", "dx = g * y * ln 2, y = 2^x"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    return GradList{g * saved_or_recomputed(y, [&] { return exp2(x.unpack()); }) * kLn2};
  });
  return out;
}

// y = 1/x; dx = -g y²
Tensor reciprocal(const Tensor& x) {
  Tensor out = unary(x, "reciprocal", [](auto&& e) { return value_of<decltype(e)>(1) / e; });
  record(out, {"reciprocal", "dx = -g * y^2, y = 1/x"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    const Tensor r = saved_or_recomputed(y, [&] { return reciprocal(x.unpack()); });
    return GradList{-g * (r * r)};
  });
  return out;
}

// y = 1/√x; dx = -g y³ / 2
Tensor rsqrt(const Tensor& x) {
  Tensor out = unary(x, "rsqrt", [](auto&& e) { return value_of<decltype(e)>(1) / xt::sqrt(e); });
  record(out, {"rsqrt", "dx = -0.5 * g * y^3, y = 1/sqrt(x)"}, {x},
         [x = save(x), y = save_output(out)](const Tensor& g) {
           const Tensor r = saved_or_recomputed(y, [&] { return rsqrt(x.unpack()); });
           return GradList{-0.5 * g * pow(r, 3.0)};
         });
  return out;
}

// x²; dx = g 2x (recorded as pow(x, 2), as torch.square is)
Tensor square(const Tensor& x) {
  Tensor out = unary(x, "square", [](auto&& e) { return e * e; });
  record(out, {"pow", "dx = g * 2x"}, {x}, [x = save(x)](const Tensor& g) { return GradList{g * (x.unpack() * 2.0)}; });
  return out;
}

// erf x; dx = g 2/√π e^(-x²)
Tensor erf(const Tensor& x) {
  Tensor out = unary(x, "erf", [](auto&& e) { return xt::erf(e); });
  record(out, {"erf", "dx = g * 2/sqrt(pi) * e^(-x^2)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{kTwoOverSqrtPi * exp(-(x * x)) * g};
  });
  return out;
}

// erfc x = 1 - erf x; dx = -g 2/√π e^(-x²)
Tensor erfc(const Tensor& x) {
  Tensor out = unary(x, "erfc", [](auto&& e) { return xt::erfc(e); });
  record(out, {"erfc", "dx = -g * 2/sqrt(pi) * e^(-x^2)"}, {x}, [xs = save(x)](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{-kTwoOverSqrtPi * exp(-(x * x)) * g};
  });
  return out;
}

// y = s^x for a scalar s; dx = g y ln s, and for s == 0: 0 where x >= 0 (y ln s = -inf where x < 0)
Tensor pow(double base, const Tensor& exponent) {
  Tensor out = detail::make_tensor(exponent.shape(), exponent.dtype());
  dispatch_float(exponent.dtype(), "pow", [&]<class T>() {
    // std::pow for its exact corner cases (1^NaN = 1, 0^0 = 1, negative bases with integral exponents)
    const T s = static_cast<T>(base);
    const T* e = exponent.data<T>();
    T* o = out.data<T>();
    detail::parallel_for(out.numel(), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) o[i] = std::pow(s, e[i]);
    });
  });
  record(out, {"pow", "dx = g * y * log(base), y = base^x (for base 0: 0 where x >= 0)", 2}, {exponent},
         [xs = save(exponent), ys = save_output(out), base](const Tensor& g) {
           const Tensor d = saved_or_recomputed(ys, [&] { return pow(base, xs.unpack()); }) * std::log(base);
           if (base != 0.0) return GradList{g * d};
           return GradList{g * where(xs.unpack() >= 0.0, 0.0, d)};
         });
  return out;
}

}  // namespace tapegrad
