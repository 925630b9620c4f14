#pragma once
// BatchNorm1d: batch normalisation over dim 1 with running statistics, as torch.nn.BatchNorm1d.
#include <cstdint>
#include <optional>
#include <string>

#include "module.hpp"

namespace tapegrad::nn {

/// Batch normalisation of [N, C] or [N, C, L] inputs over every dim but 1, as
/// torch.nn.BatchNorm1d (see nn::batch_norm for the formulas):
/// - training: normalises with the batch mean and BIASED variance, and (when
///   track_running_stats) updates running_mean / running_var in place with the UNBIASED
///   variance, `running = (1 - momentum) * running + momentum * batch_stat`, and adds one to
///   num_batches_tracked. momentum = nullopt (torch's momentum=None) uses the cumulative
///   average instead: momentum = 1 / num_batches_tracked.
/// - eval: normalises with running_mean and running_var (or with the batch's statistics when
///   track_running_stats is false, as torch).
/// Parameters (affine): weight [C] = 1, bias [C] = 0. Buffers (track_running_stats):
/// running_mean [C] = 0, running_var [C] = 1, num_batches_tracked (0-d int64) = 0; state_dict
/// keys are torch's: weight, bias, running_mean, running_var, num_batches_tracked. Float32;
/// convert with to(DType::f64) (num_batches_tracked stays int64). Prints as
/// `BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`.
/// Errors: ValueError for num_features < 0; forward throws ShapeError for an input that is not
/// 2-D or 3-D or has another channel count, ValueError for one value per channel in training.
class BatchNorm1d : public Module {
 public:
  explicit BatchNorm1d(std::int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true);

  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "BatchNorm1d"; }
  std::string extra_repr() const override;
  /// running_mean = 0, running_var = 1, num_batches_tracked = 0 (in place).
  void reset_running_stats();
  /// reset_running_stats(), then weight = 1 and bias = 0 (in place).
  void reset_parameters() override;

  std::int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine, track_running_stats;
  Tensor weight;               ///< [C], or undefined without affine
  Tensor bias;                 ///< [C], or undefined without affine
  Tensor running_mean;         ///< [C], or undefined without track_running_stats
  Tensor running_var;          ///< [C], or undefined without track_running_stats
  Tensor num_batches_tracked;  ///< 0-d int64, or undefined without track_running_stats
};

}  // namespace tapegrad::nn
