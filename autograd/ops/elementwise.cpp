// Elementwise ops. Each: check, forward (evaluated), record the backward rule right below it.
// Binary rules sum the gradient back to each input's shape with sum_to.
#include "elementwise.hpp"

#include <cmath>

#include "../../core/parallel.hpp"
#include "../node.hpp"
#include "../tensor_kernels.hpp"
#include "../values.hpp"
#include "broadcast.hpp"

namespace tapegrad {

namespace detail {
Tensor scalar_like(const Tensor& x, double v) { return scalar_tensor(v, {.dtype = x.dtype()}); }

}  // namespace detail

using kernels::binary;
using kernels::unary;

// a + b; da = g, db = g
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "add", [](auto&& x, auto&& y) { return x + y; });
  record(out, {"add", "da = sum_to(g), db = sum_to(g)"}, {a, b}, [as = a.shape(), bs = b.shape()](const Tensor& g) {
    return GradList{sum_to(g, as), sum_to(g, bs)};
  });
  return out;
}

// a - b; da = g, db = -g
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "sub", [](auto&& x, auto&& y) { return x - y; });
  record(out, {"sub", "da = sum_to(g), db = sum_to(-g)"}, {a, b}, [as = a.shape(), bs = b.shape()](const Tensor& g) {
    return GradList{sum_to(g, as), sum_to(neg(g), bs)};
  });
  return out;
}

// a * b; da = g * b, db = g * a
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "mul", [](auto&& x, auto&& y) { return x * y; });
  record(out, {"mul", "da = g * b, db = g * a"}, {a, b}, [a = save(a), b = save(b)](const Tensor& g) {
    return GradList{a.requires_grad() ? sum_to(mul(g, b.unpack()), a.shape()) : Tensor(),
                    b.requires_grad() ? sum_to(mul(g, a.unpack()), b.shape()) : Tensor()};
  });
  return out;
}

// a / b; da = g / b, db = -g * a / b^2
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "div", [](auto&& x, auto&& y) { return x / y; });
  record(out, {"div", "da = g / b, db = -g * a / b^2"}, {a, b}, [a = save(a), b = save(b)](const Tensor& g) {
    Tensor da, db;
    if (a.requires_grad()) da = sum_to(div(g, b.unpack()), a.shape());
    if (b.requires_grad()) {
      const Tensor& bv = b.unpack();
      db = sum_to(neg(div(mul(g, a.unpack()), mul(bv, bv))), b.shape());
    }
    return GradList{da, db};
  });
  return out;
}

// -x; dx = -g
Tensor neg(const Tensor& x) {
  Tensor out = unary(x, "neg", [](auto&& e) { return -e; });
  record(out, {"neg", "dx = -g"}, {x}, [](const Tensor& g) { return GradList{neg(g)}; });
  return out;
}

namespace {
// std::pow elementwise with broadcasting (exact corner cases: 0^0 = 1, negative bases with
// integral exponents), where a SIMD exp(y log x) would not be
Tensor pow_kernel(const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "pow");
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "pow");
  const Tensor ab = a.shape() == shape ? a : expand(a.detach(), shape);
  const Tensor bb = b.shape() == shape ? b : expand(b.detach(), shape);
  Tensor out = detail::make_tensor(shape, a.dtype());
  dispatch_float(a.dtype(), "pow", [&]<class T>() {
    const T *x = ab.data<T>(), *y = bb.data<T>();
    T* o = out.data<T>();
    for (std::int64_t i = 0, n = out.numel(); i < n; ++i) o[i] = std::pow(x[i], y[i]);
  });
  return out;
}
}  // namespace

// x^p; dx = g * p * x^(p-1), and 0 for p == 0
Tensor pow(const Tensor& x, double p) {
  Tensor out =
      p == 2.0 ? unary(x, "pow", [](auto&& e) { return e * e; }) : pow_kernel(x.detach(), detail::scalar_like(x, p));
  record(out, {"pow", "dx = g * p * x^(p-1) (0 for p = 0)"}, {x}, [x = save(x), p](const Tensor& g) {
    if (p == 0.0) return GradList{zeros(x.shape(), {.dtype = x.dtype()})};
    const Tensor& xv = x.unpack();
    return GradList{mul(g, mul(detail::scalar_like(xv, p), pow(xv, p - 1.0)))};
  });
  return out;
}

// a^b; da = g * b * a^(b-1), 0 where b == 0; db = g * a^b * log(a), 0 where a == 0 and b >= 0
Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor out = pow_kernel(a, b);
  record(out, {"pow", "da = g * b * a^(b-1) (0 where b = 0), db = g * a^b * log(a) (0 where a = 0 and b >= 0)", 1},
         {a, b}, [as = save(a), bs = save(b)](const Tensor& g) {
           Tensor da, db;
           const Tensor &a = as.unpack(), &b = bs.unpack();
           const Tensor zero = detail::scalar_like(a, 0.0);
           if (a.requires_grad())
             da = sum_to(where(eq(b, zero), zero, mul(g, mul(b, pow(a, sub(b, detail::scalar_like(b, 1.0)))))),
                         a.shape());
           if (b.requires_grad()) {
             const Tensor at_zero = mul(eq(a, zero), ge(b, zero));
             db = sum_to(where(at_zero, zero, mul(g, mul(pow(a, b), log(a)))), b.shape());
           }
           return GradList{da, db};
         });
  return out;
}

// e^x; dx = g * e^x
Tensor exp(const Tensor& x) {
  Tensor out = unary(x, "exp", [](auto&& e) { return xt::exp(e); });
  record(out, {"exp", "dx = g * e^x"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    return GradList{mul(g, saved_or_recomputed(y, [&] { return exp(x.unpack()); }))};
  });
  return out;
}

// log x; dx = g / x
Tensor log(const Tensor& x) {
  Tensor out = unary(x, "log", [](auto&& e) { return xt::log(e); });
  record(out, {"log", "dx = g / x"}, {x}, [x = save(x)](const Tensor& g) { return GradList{div(g, x.unpack())}; });
  return out;
}

// sqrt x; dx = g / (2 sqrt x)
Tensor sqrt(const Tensor& x) {
  Tensor out = unary(x, "sqrt", [](auto&& e) { return xt::sqrt(e); });
  record(out, {"sqrt", "dx = g / (2 sqrt(x))"}, {x}, [x = save(x), y = save_output(out)](const Tensor& g) {
    const Tensor root = saved_or_recomputed(y, [&] { return sqrt(x.unpack()); });
    return GradList{div(g, mul(detail::scalar_like(root, 2.0), root))};
  });
  return out;
}

// |x|; dx = g * sign(x)
Tensor abs(const Tensor& x) {
  Tensor out = unary(x, "abs", [](auto&& e) { return xt::abs(e); });
  record(out, {"abs", "dx = g * sign(x)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{mul(g, sign(x.unpack()))}; });
  return out;
}

// sign x; dx = 0
Tensor sign(const Tensor& x) {
  Tensor out = unary(x, "sign", [](auto&& e) { return xt::sign(e); });
  record(out, {"sign", "dx = 0"}, {x},
         [s = x.shape(), d = x.dtype()](const Tensor&) { return GradList{zeros(s, {.dtype = d})}; });
  return out;
}

// clamp(x, lo, hi); dx = g where lo <= x <= hi, else 0
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const double l = lo.value_or(-INFINITY), h = hi.value_or(INFINITY);
  Tensor out = dispatch_float(x.dtype(), "clamp", [&]<class T>() {
    // as torch.clamp: min is applied first, then max (so min > max gives max everywhere)
    return unary(x, "clamp", [l = static_cast<T>(l), h = static_cast<T>(h)](auto&& e) {
      return xt::minimum(xt::maximum(e, l), h);
    });
  });
  record(out, {"clamp", "dx = g where min <= x <= max, else 0", 1}, {x}, [xs = save(x), l, h](const Tensor& g) {
    const Tensor& x = xs.unpack();
    return GradList{mul(g, mul(ge(x, detail::scalar_like(x, l)), le(x, detail::scalar_like(x, h))))};
  });
  return out;
}

namespace {
// d max(a, b): a's share is 1 where a > b, 1/2 where a == b, 0 where a < b
Tensor share_of_first(const Tensor& a, const Tensor& b, bool first_larger) {
  const Tensor wins = first_larger ? gt(a, b) : lt(a, b);
  return add(wins, mul(eq(a, b), detail::scalar_like(a, 0.5)));
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "maximum", [](auto&& x, auto&& y) { return xt::maximum(x, y); });
  record(out, {"maximum", "da = g where a > b (g/2 at ties), db = g where b > a (g/2 at ties)"}, {a, b},
         [as = save(a), bs = save(b)](const Tensor& g) {
           const Tensor &a = as.unpack(), &b = bs.unpack();
           return GradList{sum_to(mul(g, share_of_first(a, b, true)), a.shape()),
                           sum_to(mul(g, share_of_first(b, a, true)), b.shape())};
         });
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = binary(a, b, "minimum", [](auto&& x, auto&& y) { return xt::minimum(x, y); });
  record(out, {"minimum", "da = g where a < b (g/2 at ties), db = g where b < a (g/2 at ties)"}, {a, b},
         [as = save(a), bs = save(b)](const Tensor& g) {
           const Tensor &a = as.unpack(), &b = bs.unpack();
           return GradList{sum_to(mul(g, share_of_first(a, b, false)), a.shape()),
                           sum_to(mul(g, share_of_first(b, a, false)), b.shape())};
         });
  return out;
}

// where(c, a, b); da = where(c, g, 0), db = where(c, 0, g)
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "where");
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  // the condition read in its own dtype (nonzero, NaN included, is true), then as 0/1 in a's:
  // converting it first would turn a float64 1e-300 into a float32 0
  const Tensor c = cond.dtype() == a.dtype() ? cond : ne(cond.detach(), 0.0).to(a.dtype());
  Tensor out = detail::make_tensor(shape, a.dtype());
  dispatch_float(a.dtype(), "where", [&]<class T>() {
    const auto s = kernels::xshape(shape);
    auto o = kernels::nd<T>(out);
    xt::noalias(o) = xt::where(xt::not_equal(xt::broadcast(kernels::nd<T>(c), s), T(0)),
                               xt::broadcast(kernels::nd<T>(a), s), xt::broadcast(kernels::nd<T>(b), s));
  });
  record(out, {"where", "da = g where cond, else 0; db = g where not cond, else 0"}, {a, b},
         [cs = save(c), as = a.shape(), bs = b.shape()](const Tensor& g) {
           const Tensor zero = detail::scalar_like(g, 0.0);
           const Tensor& c = cs.unpack();
           return GradList{sum_to(where(c, g, zero), as), sum_to(where(c, zero, g), bs)};
         });
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, detail::scalar_like(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, detail::scalar_like(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, detail::scalar_like(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, detail::scalar_like(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(detail::scalar_like(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(detail::scalar_like(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(detail::scalar_like(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(detail::scalar_like(b, a), b); }

// ---- dtype conversion and copies ---------------------------------------------------------------

// to(dtype); dx = g.to(x.dtype)
Tensor to(const Tensor& x, DType dtype) {
  if (dtype == x.dtype()) return x;
  if (x.requires_grad() && !is_floating(dtype))
    fail<DTypeError>("to: a tensor that requires grad cannot be converted to {}", dtype_name(dtype));
  Tensor out = detail::make_tensor(x.shape(), dtype);
  dispatch_all(x.dtype(), [&]<class S>() {
    dispatch_all(dtype, [&]<class D>() {
      const S* s = x.data<S>();
      D* d = out.data<D>();
      for (std::int64_t i = 0, n = x.numel(); i < n; ++i) d[i] = static_cast<D>(s[i]);
    });
  });
  record(out, {"to_copy", "dx = g converted back to x's dtype"}, {x},
         [from = x.dtype()](const Tensor& g) { return GradList{g.to(from)}; });
  return out;
}

// clone; dx = g
Tensor clone(const Tensor& x) {
  Tensor out = detail::copy_values(x);
  record(out, {"clone", "dx = g"}, {x}, [](const Tensor& g) { return GradList{g}; });
  return out;
}

}  // namespace tapegrad
