// Reductions. sum is the primitive; mean, var, std and logsumexp are composed from
// differentiable ops, so their backward rules come from the chain rule; norm is one recorded
// op with its own rule. The extremes (max, min, argmax, argmin) live in reduce_extreme.cpp.
#include "reduce.hpp"

#include <xtensor/xreducer.hpp>

#include <algorithm>
#include <cmath>

#include "../node.hpp"
#include "broadcast.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "../values.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace detail {

std::vector<std::int64_t> reduction_dims(const Dims& dims, std::int64_t ndim, const char* op) {
  std::vector<std::int64_t> out;
  if (dims.empty()) {
    for (std::int64_t i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (auto d : dims) {
    const std::int64_t w = wrap_dim(d, ndim, op);
    if (std::find(out.begin(), out.end(), w) != out.end())
      fail<ValueError>("{}: dim {} appears more than once in the dims list", op, w);
    out.push_back(w);
  }
  if (ndim == 0) out.clear();  // dim 0 / -1 of a 0-d tensor reduces nothing
  std::sort(out.begin(), out.end());
  return out;
}

Shape keepdim_shape(const Shape& shape, const std::vector<std::int64_t>& dims) {
  Shape s = shape;
  for (auto d : dims) s[d] = 1;
  return s;
}

Shape reduced_shape(const Shape& shape, const std::vector<std::int64_t>& dims) {
  Shape s;
  for (std::int64_t i = 0; i < shape.size(); ++i)
    if (std::find(dims.begin(), dims.end(), i) == dims.end()) s.push_back(shape[i]);
  return s;
}

}  // namespace detail

namespace {
// Σ x over dims in the keepdim shape, a new tensor (never x's own storage, even when nothing
// is reduced); int64 sums stay int64, as torch.sum
Tensor sum_values(const Tensor& x, const Shape& kept) {
  NoGradGuard no_grad;
  Tensor s = sum_to(x.detach(), kept);
  if (s.impl()->storage == x.impl()->storage) s = detail::copy_values(s);
  return s;
}
}  // namespace

// out = sum of x over dims; dx = g (reshaped to the keepdim shape) expanded to x's shape
Tensor sum(const Tensor& x, const Dims& dims_in, bool keepdim) {
  const auto dims = detail::reduction_dims(dims_in, x.dim(), "sum");
  const Shape kept = detail::keepdim_shape(x.shape(), dims);
  Tensor out = detail::alias(sum_values(x, kept), keepdim ? kept : detail::reduced_shape(x.shape(), dims));
  record(out, {"sum", "dx = g expanded to x's shape (every element gets g)", dims_in.empty() ? 0 : 1}, {x},
         [xs = x.shape(), kept](const Tensor& g) { return GradList{expand(reshape(g, kept), xs)}; });
  return out;
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }

// mean = sum / N over the N reduced elements; dx = g / N expanded to x's shape
Tensor mean(const Tensor& x, const Dims& dims_in, bool keepdim) {
  if (x.dtype() == DType::i64)
    fail<DTypeError>(
        "mean: an int64 tensor (shape {}) has no mean; convert it first, e.g. x.to(DType::f32) (PyTorch "
        "refuses integer means too)",
        x.shape());
  const auto dims = detail::reduction_dims(dims_in, x.dim(), "mean");
  std::int64_t n = 1;
  for (auto d : dims) n *= x.shape()[d];
  const Shape kept = detail::keepdim_shape(x.shape(), dims);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = detail::alias(div(sum_values(x, kept), detail::scalar_like(x, static_cast<double>(n))),
                        keepdim ? kept : detail::reduced_shape(x.shape(), dims));
  }
  record(out, {"mean", "dx = g / N expanded to x's shape (N elements reduced)", dims_in.empty() ? 0 : 1}, {x},
         [xs = x.shape(), kept, n](const Tensor& g) {
           return GradList{div(expand(reshape(g, kept), xs), detail::scalar_like(g, static_cast<double>(n)))};
         });
  return out;
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

namespace {
void check_float(const Tensor& x, const char* op) {
  if (!is_floating(x.dtype()))
    fail<DTypeError>("{}: expected a float32 or float64 tensor, got int64 (shape {}); convert with .to()", op,
                     x.shape());
}

// var = sum((x - mean)^2) / (N - unbiased) over dims; N - 1 = 0 gives 0/0 = nan as PyTorch
Tensor var_impl(const Tensor& x, const Dims& dims_in, bool unbiased, bool keepdim, const char* op) {
  check_float(x, op);
  const auto dims = detail::reduction_dims(dims_in, x.dim(), op);
  std::int64_t n = 1;
  for (auto d : dims) n *= x.shape()[d];
  const Tensor dev = sub(x, mean(x, dims, true));
  return div(sum(mul(dev, dev), dims, keepdim), detail::scalar_like(x, static_cast<double>(n - (unbiased ? 1 : 0))));
}
}  // namespace

Tensor var(const Tensor& x, const Dims& dims, bool unbiased, bool keepdim) {
  return var_impl(x, dims, unbiased, keepdim, "var");
}
Tensor var(const Tensor& x, bool unbiased) { return var_impl(x, {}, unbiased, false, "var"); }
Tensor var(const Tensor& x, std::initializer_list<std::int64_t> dims, bool unbiased, bool keepdim) {
  return var_impl(x, Dims(dims), unbiased, keepdim, "var");
}

// std = sqrt(var); d std = g / (2 std), taken as 0 where std == 0 (PyTorch's convention):
// sqrt reads 1 there, so neither the rule nor its derivative meets 1/0
Tensor std(const Tensor& x, const Dims& dims, bool unbiased, bool keepdim) {
  const Tensor v = var_impl(x, dims, unbiased, keepdim, "std");
  const Tensor zero = detail::scalar_like(v, 0.0), at_zero = eq(v, zero);
  return where(at_zero, zero, sqrt(where(at_zero, detail::scalar_like(v, 1.0), v)));
}
Tensor std(const Tensor& x, bool unbiased) { return std(x, Dims{}, unbiased, false); }
Tensor std(const Tensor& x, std::initializer_list<std::int64_t> dims, bool unbiased, bool keepdim) {
  return std(x, Dims(dims), unbiased, keepdim);
}

// logsumexp = log(sum(exp(x - m))) + m over dims, m the detached max (0 where it is ±inf, so
// a slice of all -inf gives -inf); the chain rule gives dx = g * softmax(x) over the slice
Tensor logsumexp(const Tensor& x, const Dims& dims_in, bool keepdim) {
  check_float(x, "logsumexp");
  const auto dims = detail::reduction_dims(dims_in, x.dim(), "logsumexp");
  Tensor m = detail::amax_detached(x, dims);
  dispatch_float(m.dtype(), "logsumexp", [&]<class T>() {
    T* p = m.data<T>();
    for (std::int64_t i = 0, n = m.numel(); i < n; ++i)
      if (std::isinf(p[i])) p[i] = T(0);
  });
  const Tensor shift = keepdim ? m : detail::alias(m, detail::reduced_shape(x.shape(), dims));
  return add(log(sum(exp(sub(x, m)), dims, keepdim)), shift);
}

namespace {
// d norm / dx for g and n = norm(x) in the keepdim shape, written with recorded ops:
//   p = 1:    sign(x) g
//   p = 2:    x g / n
//   p = inf:  sign(x) g / count at each x with |x| == n (or NaN), else 0
//   other p:  sign(x) |x|^(p-1) g / n^(p-1)
// with 0 where n == 0 (and, for p < 1, where x == 0); the masked spots read a safe 1 so that
// no 0 * inf appears in the rule or its own derivative
Tensor norm_backward(const Tensor& x, double p, const std::vector<std::int64_t>& dims, const Tensor& g,
                     const Tensor& n) {
  const Tensor zero = detail::scalar_like(x, 0.0), one = detail::scalar_like(x, 1.0);
  if (p == 1.0) return mul(sign(x), g);
  if (std::isinf(p)) {
    const Tensor ax = abs(x.detach());
    const Tensor mask = add(eq(ax, n.detach()), ne(ax, ax));
    return mul(mul(sign(x), mask), div(g, sum(mask, dims, true)));
  }
  const Tensor n_zero = eq(n, zero);
  const Tensor safe_n = where(n_zero, one, n);
  if (p == 2.0) return mul(x, where(n_zero, zero, div(g, safe_n)));
  Tensor coef;
  if (p >= 2.0) {
    coef = mul(x, pow(abs(x), p - 2.0));
  } else if (p > 1.0) {
    coef = mul(sign(x), pow(abs(x), p - 1.0));
  } else {
    const Tensor x_zero = eq(x, zero);
    coef = where(x_zero, zero, mul(sign(x), pow(where(x_zero, one, abs(x)), p - 1.0)));
  }
  return mul(coef, where(n_zero, zero, div(g, pow(safe_n, p - 1.0))));
}
}  // namespace

// norm = (sum |x|^p)^(1/p) over dims (max |x| for p = inf), one recorded op whose rule is
// norm_backward; inside a create_graph backward n is recomputed so d n / dx is recorded too
Tensor norm(const Tensor& x, double p, const Dims& dims_in, bool keepdim) {
  check_float(x, "norm");
  if (!(p > 0.0)) fail<ValueError>("norm: p must be > 0 or inf, got {} (shape {})", p, x.shape());
  const auto dims = detail::reduction_dims(dims_in, x.dim(), "norm");
  const Shape kept = detail::keepdim_shape(x.shape(), dims);
  Tensor nk;  // the norm in the keepdim shape, not recorded
  {
    NoGradGuard no_grad;
    const Tensor a = abs(x.detach());
    if (std::isinf(p)) {
      for (auto d : dims)
        if (x.shape()[d] == 0) fail<ValueError>("norm: p = inf over dim {} of extent 0 (shape {})", d, x.shape());
      nk = detail::amax_detached(a, dims);
    } else if (p == 1.0) {
      nk = sum(a, dims, true);
    } else if (p == 2.0) {
      nk = sqrt(sum(mul(a, a), dims, true));
    } else {
      nk = pow(sum(pow(a, p), dims, true), 1.0 / p);
    }
  }
  Tensor out = detail::alias(nk, keepdim ? kept : detail::reduced_shape(x.shape(), dims));
  record(out, {"norm", "dx = g * sign(x) |x|^(p-1) / norm^(p-1)", 1}, {x},
         [xs = save(x), p, dims, kept, ns = save(nk)](const Tensor& g) {
           const Tensor& x = xs.unpack();
           const Tensor n = saved_or_recomputed(ns, [&] { return norm(x, p, dims, true); });
           return GradList{norm_backward(x, p, dims, reshape(g, kept), n)};
         });
  return out;
}

Tensor norm(const Tensor& x, double p) { return norm(x, p, {}, false); }

}  // namespace tapegrad
