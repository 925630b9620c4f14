// Binary cross-entropy. Each is one recorded elementwise op (forward kernel, backward rule
// right below, written with differentiable ops) followed by the reduction.
#include "bce.hpp"

#include <algorithm>
#include <cmath>

#include "../autograd/node.hpp"
#include "../autograd/ops/activation.hpp"
#include "../autograd/ops/broadcast.hpp"
#include "../autograd/ops/elementwise.hpp"

namespace tapegrad::losses {

namespace {
// w broadcast to shape (or undefined), detached: weights are constants
Tensor expanded(const Tensor& w, const Shape& shape) {
  if (!w.defined()) return w;
  return w.shape() == shape ? w.detach() : expand(w.detach(), shape);
}
}  // namespace

// x, y [*] -> l [*] = -w (y max(log x, -100) + (1 - y) max(log1p(-x), -100))
// dx = g w (x - y) / max(x (1 - x), ε); dy = -g w logit(x)   (PyTorch's rules; ε is PyTorch's
// EPSILON, the float 1e-12 = 9.99999996e-13)
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCELossOptions& options) {
  const char* op = "binary_cross_entropy";
  detail::check_float_pair(input, target, op);
  detail::check_broadcast_weight(options.weight, input, op, "weight");
  detail::check_reduction(options.reduction, op);
  const Tensor w = expanded(options.weight, input.shape());
  Tensor loss = tapegrad::detail::make_tensor(input.shape(), input.dtype());
  dispatch_float(input.dtype(), op, [&]<class T>() {
    const T *x = input.data<T>(), *y = target.data<T>();
    const T* wp = w.defined() ? w.data<T>() : nullptr;
    T* l = loss.data<T>();
    for (std::int64_t i = 0, n = input.numel(); i < n; ++i) {
      if (!(x[i] >= T(0) && x[i] <= T(1)))
        fail<ValueError>("{}: all elements of input should be between 0 and 1, got {} at flat index {}", op, x[i], i);
      const T v = (y[i] - T(1)) * std::max(T(std::log1p(-x[i])), T(-100)) - y[i] * std::max(T(std::log(x[i])), T(-100));
      l[i] = wp ? v * wp[i] : v;
    }
  });
  record(loss, {"binary_cross_entropy", "dx = g * w * (x - y) / (x (1 - x)), dy = -g * w * log(x / (1 - x))"},
         {input, target}, [xs = save(input), ys = save(target), ws = save(w)](const Tensor& g) {
           const Tensor &x = xs.unpack(), &y = ys.unpack(), &w = ws.unpack();
           const Tensor gw = w.defined() ? g * w : g;
           Tensor dx, dy;
           if (x.requires_grad())
             dx = gw * (x - y) / maximum((1.0 - x) * x, tapegrad::detail::scalar_like(x, static_cast<double>(1e-12f)));
           if (y.requires_grad()) dy = -(gw * log(x / (1.0 - x)));
           return GradList{dx, dy};
         });
  return detail::reduce(loss, options.reduction);
}

// x, y [*] -> l [*] = w ((1 - y) x + λ sp), λ = 1 + (pw - 1) y, sp = softplus(-x) = log1p(e^-|x|) + max(-x, 0)
// dx = g w (λ σ(x) - pw y);  dy = g w ((pw - 1) sp - x)   (pw = 1 when absent)
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options) {
  const char* op = "binary_cross_entropy_with_logits";
  detail::check_float_pair(input, target, op);
  detail::check_broadcast_weight(options.weight, input, op, "weight");
  detail::check_broadcast_weight(options.pos_weight, input, op, "pos_weight");
  detail::check_reduction(options.reduction, op);
  const Tensor w = expanded(options.weight, input.shape());
  const Tensor pw = expanded(options.pos_weight, input.shape());
  Tensor loss = tapegrad::detail::make_tensor(input.shape(), input.dtype());
  dispatch_float(input.dtype(), op, [&]<class T>() {
    const T *x = input.data<T>(), *y = target.data<T>();
    const T* wp = w.defined() ? w.data<T>() : nullptr;
    const T* pp = pw.defined() ? pw.data<T>() : nullptr;
    T* l = loss.data<T>();
    for (std::int64_t i = 0, n = input.numel(); i < n; ++i) {
      const T sp = std::log1p(std::exp(-std::abs(x[i]))) + std::max(-x[i], T(0));
      const T lambda = pp ? T(1) + (pp[i] - T(1)) * y[i] : T(1);
      const T v = (T(1) - y[i]) * x[i] + lambda * sp;
      l[i] = wp ? v * wp[i] : v;
    }
  });
  record(loss,
         {"binary_cross_entropy_with_logits",
          "dx = g * w * (sigmoid(x) - y) (with pos_weight: ((1 + (pw-1) y) sigmoid(x) - pw y))"},
         {input, target}, [xs = save(input), ys = save(target), ws = save(w), pws = save(pw)](const Tensor& g) {
           const Tensor &x = xs.unpack(), &y = ys.unpack(), &w = ws.unpack(), &pw = pws.unpack();
           const Tensor gw = w.defined() ? g * w : g;
           Tensor dx, dy;
           if (x.requires_grad())
             dx = pw.defined() ? gw * ((1.0 + (pw - 1.0) * y) * sigmoid(x) - pw * y) : gw * (sigmoid(x) - y);
           if (y.requires_grad()) {
             const double no_threshold = INFINITY;
             dy = pw.defined() ? gw * ((pw - 1.0) * softplus(-x, 1.0, no_threshold) - x) : -(gw * x);
           }
           return GradList{dx, dy};
         });
  return detail::reduce(loss, options.reduction);
}

}  // namespace tapegrad::losses
