// nll_loss (one recorded op over the class layout of class_targets.hpp) and kl_div (composed).
#include "nll_kl.hpp"

#include <cmath>
#include <vector>

#include "../autograd/node.hpp"
#include "../autograd/ops/elementwise.hpp"
#include "../autograd/ops/reduce.hpp"
#include "class_targets.hpp"

namespace tapegrad::losses {

// x [outer, C, inner] (log-probabilities), t [outer, inner] -> loss_i = -w_t x[o, t, k];
// dx[o, c, k] = -s_i w_t [c == t] with s_i the sample's upstream gradient / divisor
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options) {
  const char* op = "nll_loss";
  const auto l = detail::class_layout(input, op);
  detail::check_reduction(options.reduction, op);
  detail::check_class_weight(input, options.weight, l, op);
  detail::check_class_target(input, target, l, options.ignore_index, op);
  const Tensor weight = options.weight.defined() ? options.weight.detach() : Tensor();
  const std::int64_t ignore = options.ignore_index;
  const Reduction r = options.reduction;
  const double divisor = detail::class_weight_total(target, weight, ignore);
  const std::vector<double> w = weight.defined() ? weight.to_vector() : std::vector<double>(l.classes, 1.0);
  const std::int64_t* t = target.data<std::int64_t>();

  Tensor out = tapegrad::detail::make_tensor(r == Reduction::none ? l.sample_shape : Shape{}, input.dtype());
  dispatch_float(input.dtype(), op, [&]<class T>() {
    const T* x = input.data<T>();
    T* o = out.data<T>();
    double total = 0.0;
    for (std::int64_t i = 0; i < l.samples(); ++i) {
      const std::int64_t ti = t[i];
      const double v =
          ti == ignore ? 0.0 : -w[ti] * static_cast<double>(x[(i / l.inner * l.classes + ti) * l.inner + i % l.inner]);
      if (r == Reduction::none) o[i] = static_cast<T>(v);
      total += v;
    }
    if (r != Reduction::none) o[0] = static_cast<T>(r == Reduction::mean ? total / divisor : total);
  });

  record(out, {"nll_loss", "dx = -g * w[t] / divisor at each sample's target class, 0 elsewhere"}, {input},
         [xs = save(input), ts = save(target), ws = save(weight), l, ignore, r, divisor](const Tensor& g) {
           const Tensor &x = xs.unpack(), &target = ts.unpack(), &weight = ws.unpack();
           if (GradMode::is_enabled())  // create_graph: -a * scale with a constant one-hot weights
             return GradList{-(detail::class_coefficients(x, target, weight, l, ignore, 0.0) *
                               detail::sample_scale(g, l, r, divisor))};
           const std::vector<double> gv = g.to_vector();
           const std::vector<double> w = weight.defined() ? weight.to_vector() : std::vector<double>(l.classes, 1.0);
           const std::int64_t* t = target.data<std::int64_t>();
           Tensor dx = zeros(x.shape(), {.dtype = x.dtype()});
           dispatch_float(x.dtype(), "nll_loss", [&]<class T>() {
             T* d = dx.data<T>();
             for (std::int64_t i = 0; i < l.samples(); ++i) {
               if (t[i] == ignore) continue;
               double s = r == Reduction::none ? gv[static_cast<std::size_t>(i)] : gv[0];
               if (r == Reduction::mean) s = divisor == 0.0 ? 0.0 : s / divisor;
               d[(i / l.inner * l.classes + t[i]) * l.inner + i % l.inner] = static_cast<T>(-w[t[i]] * s);
             }
           });
           return GradList{dx};
         });
  return out;
}

namespace {
// t log t, 0 where t == 0 (torch.xlogy(t, t)); dt = g (log t + t / t): NaN at t == 0, as PyTorch
Tensor xlogx(const Tensor& t) {
  Tensor out = tapegrad::detail::make_tensor(t.shape(), t.dtype());
  dispatch_float(t.dtype(), "kl_div", [&]<class T>() {
    const T* v = t.data<T>();
    T* o = out.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) o[i] = v[i] == T(0) ? T(0) : v[i] * std::log(v[i]);
  });
  record(out, {"xlogy", "dt = g * (log t + 1)"}, {t}, [ts = save(t)](const Tensor& g) {
    const Tensor& t = ts.unpack();
    return GradList{g * (log(t) + t / t)};
  });
  return out;
}
}  // namespace

// log_target: e^t (t - x); else xlogy(t, t) - t x.  dx = -e^t g or -t g
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivLossOptions& options) {
  detail::check_float_pair(input, target, "kl_div");
  detail::check_reduction(options.reduction, "kl_div", true);
  const Tensor loss = options.log_target ? exp(target) * (target - input) : xlogx(target) - target * input;
  if (options.reduction != Reduction::batchmean) return detail::reduce(loss, options.reduction);
  const Tensor total = sum(loss);
  return input.dim() == 0 ? total : total / static_cast<double>(input.shape()[0]);
}

}  // namespace tapegrad::losses
