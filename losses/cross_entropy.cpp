// Fused cross-entropy. Shapes: x [N, C, d...] viewed as [outer, C, inner]; one sample per
// (outer, inner) position, a lane of C logits with stride inner. Per sample, with
// lse = m + log Σ_c e^(x_c - m), m = max_c x_c, and log p_c = (x_c - m) - log Σ e^(x_c - m):
//   loss = -Σ_c a_c log p_c,   a_c the weighted (and smoothed) target distribution, A = Σ_c a_c
//   dx_c = s (A p_c - a_c),    p_c = e^(x_c - lse), s the sample's upstream gradient / divisor
//   dq_c = -s (1 - ε) w_c log p_c   (probability targets only)
// Sums run in double; lse is saved (float64) so the backward never stores softmax.
#include "cross_entropy.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "../autograd/node.hpp"
#include "../autograd/ops/activation.hpp"
#include "../autograd/ops/elementwise.hpp"
#include "../autograd/ops/reduce.hpp"
#include "../autograd/ops/shape_ops.hpp"
#include "class_targets.hpp"

namespace tapegrad::losses {

namespace {

// What one cross-entropy call computes with, whatever the target kind.
struct CeSpec {
  detail::ClassLayout l;
  const std::int64_t* t = nullptr;  // class targets, or null for probabilities
  std::vector<double> w;            // per-class weight (all 1 without weight)
  double w_sum = 0;                 // Σ_c w_c
  double eps = 0;                   // label smoothing
  std::int64_t ignore = -100;
};

CeSpec make_spec(const detail::ClassLayout& l, const Tensor& target, const Tensor& weight,
                 const CrossEntropyOptions& o) {
  CeSpec s;
  s.l = l;
  s.eps = o.label_smoothing;
  s.ignore = o.ignore_index;
  if (target.dtype() == DType::i64) s.t = target.data<std::int64_t>();
  s.w = weight.defined() ? weight.to_vector() : std::vector<double>(static_cast<std::size_t>(l.classes), 1.0);
  for (double v : s.w) s.w_sum += v;
  return s;
}

// a_c of sample i in lane form: the class target's (1 - ε) w_t [c == t] + (ε / C) w_c, or the
// probability target's w_c ((1 - ε) q_c + ε / C)
template <class T> double coefficient(const CeSpec& s, std::int64_t i, std::int64_t c, const T* q) {
  const double smooth = s.eps / static_cast<double>(s.l.classes);
  if (s.t) return (c == s.t[i] ? (1.0 - s.eps) * s.w[c] : 0.0) + smooth * s.w[c];
  return s.w[c] * (static_cast<double>(q[c * s.l.inner]) * (1.0 - s.eps) + smooth);
}

// Forward over every sample: loss[i] (0 where ignored) and lse[i]. x, q point at lane starts.
template <class T> void ce_forward(const CeSpec& s, const T* x, const T* q, double* loss, double* lse) {
  const auto& l = s.l;
  for (std::int64_t o = 0; o < l.outer; ++o)
    for (std::int64_t k = 0; k < l.inner; ++k) {
      const std::int64_t i = o * l.inner + k, base = o * l.classes * l.inner + k;
      const T* xl = x + base;
      double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
      for (std::int64_t c = 0; c < l.classes; ++c) m = std::max(m, static_cast<double>(xl[c * l.inner]));
      for (std::int64_t c = 0; c < l.classes; ++c) sum += std::exp(static_cast<double>(xl[c * l.inner]) - m);
      const double log_sum = std::log(sum);
      lse[i] = m + log_sum;
      const auto log_p = [&](std::int64_t c) { return (static_cast<double>(xl[c * l.inner]) - m) - log_sum; };
      if (s.t && s.t[i] == s.ignore) {
        loss[i] = 0.0;
      } else if (s.t && s.eps == 0.0) {
        loss[i] = -s.w[s.t[i]] * log_p(s.t[i]);  // plain NLL: one log p per sample
      } else {
        double v = 0.0;
        for (std::int64_t c = 0; c < l.classes; ++c) v -= coefficient<T>(s, i, c, q ? q + base : nullptr) * log_p(c);
        loss[i] = v;
      }
    }
}

// Backward kernel: dx (and dq if wanted) given each sample's scale s_i.
template <class T>
void ce_backward(const CeSpec& s, const T* x, const T* q, const double* lse, const std::vector<double>& scale, T* dx,
                 T* dq) {
  const auto& l = s.l;
  for (std::int64_t o = 0; o < l.outer; ++o)
    for (std::int64_t k = 0; k < l.inner; ++k) {
      const std::int64_t i = o * l.inner + k, base = o * l.classes * l.inner + k;
      const bool ignored = s.t && s.t[i] == s.ignore;
      const double si = scale[static_cast<std::size_t>(i)];
      const T* ql = q ? q + base : nullptr;
      double a_total = 0.0;
      if (s.t) {
        a_total = ignored ? 0.0 : (1.0 - s.eps) * s.w[s.t[i]] + s.eps / static_cast<double>(l.classes) * s.w_sum;
      } else {
        for (std::int64_t c = 0; c < l.classes; ++c) a_total += coefficient<T>(s, i, c, ql);
      }
      for (std::int64_t c = 0; c < l.classes; ++c) {
        const std::int64_t j = base + c * l.inner;
        const double log_p = static_cast<double>(x[j]) - lse[i];
        if (dx) dx[j] = ignored ? T(0) : static_cast<T>(si * (a_total * std::exp(log_p) - coefficient<T>(s, i, c, ql)));
        if (dq) dq[j] = static_cast<T>(-si * (1.0 - s.eps) * s.w[c] * log_p);
      }
    }
}

// The same gradients from differentiable ops (used under create_graph).
GradList ce_backward_composed(const Tensor& x, const Tensor& target, const Tensor& weight, const detail::ClassLayout& l,
                              const CrossEntropyOptions& o, const Tensor& scale) {
  const std::int64_t cd = l.class_dim;
  Shape wshape(std::vector<std::int64_t>(static_cast<std::size_t>(x.dim()), 1));
  wshape[cd] = l.classes;
  const Tensor wv = weight.defined() ? reshape(weight, wshape) : Tensor();
  if (target.dtype() == DType::i64) {
    const Tensor a = detail::class_coefficients(x, target, weight, l, o.ignore_index, o.label_smoothing);
    return GradList{scale * (sum(a, {cd}, true) * softmax(x, cd) - a)};
  }
  const double smooth = o.label_smoothing / static_cast<double>(l.classes);
  const Tensor q = target * (1.0 - o.label_smoothing) + smooth;
  const Tensor a = wv.defined() ? q * wv : q;
  Tensor dx, dq;
  if (x.requires_grad()) dx = scale * (sum(a, {cd}, true) * softmax(x, cd) - a);
  if (target.requires_grad()) {
    const Tensor lp = log_softmax(x, cd) * (o.label_smoothing - 1.0);
    dq = scale * (wv.defined() ? lp * wv : lp);
  }
  return GradList{dx, dq};
}

void check_options(const Tensor& input, const Tensor& target, const Tensor& weight, const detail::ClassLayout& l,
                   const CrossEntropyOptions& o) {
  const char* op = "cross_entropy";
  detail::check_reduction(o.reduction, op);
  detail::check_class_weight(input, weight, l, op);
  if (!(o.label_smoothing >= 0.0 && o.label_smoothing <= 1.0))
    fail<ValueError>("{}: label_smoothing must be between 0.0 and 1.0, got {}", op, o.label_smoothing);
  if (target.dtype() == DType::i64 || target.shape() == l.sample_shape) {
    detail::check_class_target(input, target, l, o.ignore_index, op);
    return;
  }
  if (target.dtype() != input.dtype())
    fail<DTypeError>("{}: probability target dtype {} differs from input dtype {}", op, dtype_name(target.dtype()),
                     dtype_name(input.dtype()));
  if (target.shape() != input.shape())
    fail<ShapeError>(
        "{}: input shape {} needs a class-index target of shape {} (int64) or a probability target of "
        "shape {}, got {}",
        op, input.shape(), l.sample_shape, input.shape(), target.shape());
  if (o.ignore_index >= 0)
    fail<ValueError>("{}: ignore_index ({}) is not supported for probability targets", op, o.ignore_index);
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options) {
  const auto l = detail::class_layout(input, "cross_entropy");
  check_options(input, target, options.weight, l, options);
  const Tensor weight = options.weight.defined() ? options.weight.detach() : Tensor();
  const bool prob = target.dtype() != DType::i64;
  const CeSpec spec = make_spec(l, target, weight, options);
  const Reduction r = options.reduction;
  // the mean's divisor: Σ w_t over non-ignored samples, or the sample count for probabilities
  const double divisor =
      prob ? static_cast<double>(l.samples()) : detail::class_weight_total(target, weight, options.ignore_index);

  std::vector<double> loss(static_cast<std::size_t>(l.samples()));
  Tensor lse = tapegrad::detail::make_tensor(l.sample_shape, DType::f64);
  Tensor out = tapegrad::detail::make_tensor(r == Reduction::none ? l.sample_shape : Shape{}, input.dtype());
  dispatch_float(input.dtype(), "cross_entropy", [&]<class T>() {
    ce_forward<T>(spec, input.data<T>(), prob ? target.data<T>() : nullptr, loss.data(), lse.data<double>());
    T* o = out.data<T>();
    if (r == Reduction::none) {
      for (std::size_t i = 0; i < loss.size(); ++i) o[i] = static_cast<T>(loss[i]);
    } else {
      double total = 0.0;
      for (double v : loss) total += v;
      o[0] = static_cast<T>(r == Reduction::mean ? total / divisor : total);
    }
  });

  const std::vector<Tensor> inputs = prob ? std::vector<Tensor>{input, target} : std::vector<Tensor>{input};
  CrossEntropyOptions scalars = options;  // the rule keeps the detached weight separately
  scalars.weight = Tensor();
  // PyTorch's cross_entropy ends in nll_loss, so its grad_fn is NllLossBackward0; here the two
  // are one fused op
  record(
      out,
      {"nll_loss",
       "cross_entropy: dx = g * (softmax(x) - one_hot(t)) * w / divisor (smoothed targets if label_smoothing)"},
      inputs,
      [xs = save(input), ts = save(target), ws = save(weight), spec, options = scalars, lse, divisor](const Tensor& g) {
        const Tensor &x = xs.unpack(), &target = ts.unpack(), &weight = ws.unpack();
        const auto& l = spec.l;
        if (GradMode::is_enabled())  // create_graph: differentiable ops instead of the kernel
          return ce_backward_composed(x, target, weight, l, options,
                                      detail::sample_scale(g, l, options.reduction, divisor));
        const bool prob = !spec.t;
        // each sample's scale: g_i (none), g / divisor (mean; 0 if nothing counted), g (sum)
        std::vector<double> scale =
            g.dim() == 0 ? std::vector<double>(static_cast<std::size_t>(l.samples()), g.item()) : g.to_vector();
        if (options.reduction == Reduction::mean)
          for (double& v : scale) v = divisor == 0.0 ? 0.0 : v / divisor;
        Tensor dx = x.requires_grad() ? tapegrad::detail::make_tensor(x.shape(), x.dtype()) : Tensor();
        Tensor dq = prob && target.requires_grad() ? tapegrad::detail::make_tensor(x.shape(), x.dtype()) : Tensor();
        dispatch_float(x.dtype(), "cross_entropy", [&]<class T>() {
          ce_backward<T>(spec, x.data<T>(), prob ? target.data<T>() : nullptr, lse.data<double>(), scale,
                         dx.defined() ? dx.data<T>() : nullptr, dq.defined() ? dq.data<T>() : nullptr);
        });
        return prob ? GradList{dx, dq} : GradList{dx};
      });
  return out;
}

}  // namespace tapegrad::losses
