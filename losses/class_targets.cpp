// Layout, checks, divisors and coefficients shared by cross_entropy and nll_loss.
#include "class_targets.hpp"

#include "../autograd/ops/elementwise.hpp"
#include "../autograd/ops/shape_ops.hpp"

namespace tapegrad::losses::detail {

ClassLayout class_layout(const Tensor& input, const char* op) {
  if (!is_floating(input.dtype()))
    fail<DTypeError>("{}: input must be float32 or float64, got {}", op, dtype_name(input.dtype()));
  if (input.dim() == 0) fail<ShapeError>("{}: input must be [C], [N, C] or [N, C, d1, ...], got a 0-d tensor", op);
  ClassLayout l;
  l.class_dim = input.dim() == 1 ? 0 : 1;
  l.classes = input.shape()[l.class_dim];
  l.outer = l.class_dim == 0 ? 1 : input.shape()[0];
  for (std::int64_t d = 0; d < input.dim(); ++d) {
    if (d == l.class_dim) continue;
    l.sample_shape.push_back(input.shape()[d]);
    if (d > 1) l.inner *= input.shape()[d];
  }
  return l;
}

void check_class_target(const Tensor& input, const Tensor& target, const ClassLayout& l, std::int64_t ignore_index,
                        const char* op) {
  if (target.dtype() != DType::i64) {
    if (target.shape() == l.sample_shape)
      fail<DTypeError>("{}: class-index target must be int64, got {} of shape {}", op, dtype_name(target.dtype()),
                       target.shape());
    // other float targets are checked as probabilities by the caller
  } else if (target.shape() == input.shape() && input.shape() != l.sample_shape) {
    fail<DTypeError>("{}: a target of the input's shape {} holds class probabilities and must be {}, got int64", op,
                     input.shape(), dtype_name(input.dtype()));
  }
  if (target.shape() != l.sample_shape)
    fail<ShapeError>("{}: input shape {} needs a class-index target of shape {}, got {}", op, input.shape(),
                     l.sample_shape, target.shape());
  const std::int64_t* t = target.data<std::int64_t>();
  for (std::int64_t i = 0, n = target.numel(); i < n; ++i)
    if (t[i] != ignore_index && (t[i] < 0 || t[i] >= l.classes))
      fail<IndexError>("{}: target {} is out of bounds for {} classes (valid: 0 to {}, or ignore_index {})", op, t[i],
                       l.classes, l.classes - 1, ignore_index);
}

void check_class_weight(const Tensor& input, const Tensor& weight, const ClassLayout& l, const char* op) {
  if (!weight.defined()) return;
  if (weight.dtype() != input.dtype())
    fail<DTypeError>("{}: weight dtype {} differs from input dtype {}", op, dtype_name(weight.dtype()),
                     dtype_name(input.dtype()));
  if (weight.shape() != Shape{l.classes})
    fail<ShapeError>("{}: weight must have shape [{}] (one per class), got {}", op, l.classes, weight.shape());
}

double class_weight_total(const Tensor& target, const Tensor& weight, std::int64_t ignore_index) {
  const std::int64_t* t = target.data<std::int64_t>();
  const std::vector<double> w = weight.defined() ? weight.to_vector() : std::vector<double>{};
  double total = 0.0;
  for (std::int64_t i = 0, n = target.numel(); i < n; ++i)
    if (t[i] != ignore_index) total += w.empty() ? 1.0 : w[static_cast<std::size_t>(t[i])];
  return total;
}

// a [outer, C, inner]: a_ic = (1 - ε) w_t [c == t] + (ε / C) w_c, or 0 where t is ignored
Tensor class_coefficients(const Tensor& input, const Tensor& target, const Tensor& weight, const ClassLayout& l,
                          std::int64_t ignore_index, double label_smoothing) {
  Tensor a = zeros(input.shape(), {.dtype = input.dtype()});
  const std::int64_t* t = target.data<std::int64_t>();
  const std::vector<double> w = weight.defined() ? weight.to_vector() : std::vector<double>(l.classes, 1.0);
  const double eps = label_smoothing, smooth = eps / static_cast<double>(l.classes);
  dispatch_float(input.dtype(), "cross_entropy", [&]<class T>() {
    T* ap = a.data<T>();
    for (std::int64_t o = 0; o < l.outer; ++o)
      for (std::int64_t k = 0; k < l.inner; ++k) {
        const std::int64_t ti = t[o * l.inner + k];
        if (ti == ignore_index) continue;
        T* lane = ap + o * l.classes * l.inner + k;
        if (eps != 0.0)
          for (std::int64_t c = 0; c < l.classes; ++c) lane[c * l.inner] = static_cast<T>(smooth * w[c]);
        lane[ti * l.inner] += static_cast<T>((1.0 - eps) * w[ti]);
      }
  });
  return a;
}

Tensor sample_scale(const Tensor& g, const ClassLayout& l, Reduction r, double divisor) {
  if (r == Reduction::none) return l.class_dim == 0 ? g : unsqueeze(g, 1);
  if (r == Reduction::mean) return divisor == 0.0 ? g * 0.0 : g / divisor;
  return g;
}

}  // namespace tapegrad::losses::detail
