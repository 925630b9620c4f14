// BatchNorm1d: bookkeeping around nn::batch_norm (which computes and updates the statistics).
#include "batchnorm.hpp"

#include "../autograd/grad_mode.hpp"
#include "functional.hpp"

namespace tapegrad::nn {

BatchNorm1d::BatchNorm1d(std::int64_t num_features_, double eps_, std::optional<double> momentum_, bool affine_,
                         bool track_running_stats_)
    : num_features(num_features_),
      eps(eps_),
      momentum(momentum_),
      affine(affine_),
      track_running_stats(track_running_stats_) {
  if (num_features < 0) fail<ValueError>("BatchNorm1d: num_features must be non-negative, got {}", num_features);
  const Shape c{num_features};
  weight = register_parameter("weight", affine ? empty(c) : Tensor());
  bias = register_parameter("bias", affine ? empty(c) : Tensor());
  running_mean = register_buffer("running_mean", track_running_stats ? empty(c) : Tensor());
  running_var = register_buffer("running_var", track_running_stats ? empty(c) : Tensor());
  num_batches_tracked =
      register_buffer("num_batches_tracked", track_running_stats ? zeros({}, {.dtype = DType::i64}) : Tensor());
  reset_parameters();
}

void BatchNorm1d::reset_running_stats() {
  if (!track_running_stats) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void BatchNorm1d::reset_parameters() {
  reset_running_stats();
  if (!affine) return;
  NoGradGuard no_grad;
  weight.fill_(1.0);
  bias.zero_();
}

// As torch's _BatchNorm.forward: in training with tracking, count the batch and pick the
// averaging factor (momentum, or 1 / num_batches_tracked for the cumulative average); use the
// batch's statistics in training or when no running statistics are kept.
Tensor BatchNorm1d::forward(const Tensor& x) {
  if (x.dim() != 2 && x.dim() != 3)
    fail<ShapeError>("BatchNorm1d: expected a 2-D or 3-D input ([N, C] or [N, C, L]), got shape {}", x.shape());
  if (x.size(1) != num_features)
    fail<ShapeError>("BatchNorm1d: expected {} channels in dim 1, got input of shape {}", num_features, x.shape());
  double factor = momentum.value_or(0.0);
  if (is_training() && track_running_stats) {
    std::int64_t& count = *num_batches_tracked.data<std::int64_t>();
    count += 1;
    if (!momentum) factor = 1.0 / static_cast<double>(count);
  }
  const bool use_batch_stats = is_training() || !track_running_stats;
  return batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats, factor, eps);
}

std::string BatchNorm1d::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features, format_float(eps),
                     momentum ? format_float(*momentum) : "None", affine ? "True" : "False",
                     track_running_stats ? "True" : "False");
}

}  // namespace tapegrad::nn
