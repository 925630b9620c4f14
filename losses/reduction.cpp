// Reduction names and the input checks shared by every loss.
#include "reduction.hpp"

#include "../autograd/ops/reduce.hpp"

namespace tapegrad::losses {

Reduction parse_reduction(std::string_view name) {
  if (name == "none") return Reduction::none;
  if (name == "mean") return Reduction::mean;
  if (name == "sum") return Reduction::sum;
  if (name == "batchmean") return Reduction::batchmean;
  fail<ValueError>("invalid reduction '{}': expected 'none', 'mean', 'sum' or (kl_div only) 'batchmean'", name);
}

std::string_view reduction_name(Reduction r) {
  switch (r) {
    case Reduction::none: return "none";
    case Reduction::mean: return "mean";
    case Reduction::sum: return "sum";
    case Reduction::batchmean: return "batchmean";
  }
  return "?";
}

namespace detail {

void check_reduction(Reduction r, const char* op, bool allow_batchmean) {
  switch (r) {
    case Reduction::none:
    case Reduction::mean:
    case Reduction::sum: return;
    case Reduction::batchmean:
      if (allow_batchmean) return;
      fail<ValueError>("{}: reduction 'batchmean' is only valid for kl_div; use none, mean or sum", op);
  }
  fail<ValueError>("{}: invalid reduction value {}; use Reduction::none, mean or sum", op, static_cast<int>(r));
}

void check_float_pair(const Tensor& input, const Tensor& target, const char* op) {
  if (!is_floating(input.dtype()))
    fail<DTypeError>("{}: input must be float32 or float64, got {}", op, dtype_name(input.dtype()));
  if (target.dtype() != input.dtype())
    fail<DTypeError>("{}: target dtype {} differs from input dtype {} (convert one with .to())", op,
                     dtype_name(target.dtype()), dtype_name(input.dtype()));
  if (input.shape() != target.shape())
    fail<ShapeError>("{}: input shape {} and target shape {} differ (losses do not broadcast the target)", op,
                     input.shape(), target.shape());
}

void check_broadcast_weight(const Tensor& w, const Tensor& input, const char* op, const char* what) {
  if (!w.defined()) return;
  if (w.dtype() != input.dtype())
    fail<DTypeError>("{}: {} dtype {} differs from input dtype {}", op, what, dtype_name(w.dtype()),
                     dtype_name(input.dtype()));
  bool ok = w.dim() <= input.dim();
  for (std::int64_t i = 1; ok && i <= w.dim(); ++i) {
    const std::int64_t a = w.shape()[w.dim() - i], b = input.shape()[input.dim() - i];
    ok = a == b || a == 1;
  }
  if (!ok)
    fail<ShapeError>("{}: {} of shape {} does not broadcast to the input shape {}", op, what, w.shape(), input.shape());
}

Tensor reduce(const Tensor& loss, Reduction r) {
  switch (r) {
    case Reduction::mean: return mean(loss);
    case Reduction::sum: return sum(loss);
    default: return loss;
  }
}

}  // namespace detail
}  // namespace tapegrad::losses
