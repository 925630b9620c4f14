#pragma once
// LayerNorm: normalisation over the last dims of each sample, as torch.nn.LayerNorm.
#include <cstdint>
#include <string>

#include "module.hpp"

namespace tapegrad::nn {

/// Layer normalisation over the last normalized_shape.size() dims, as torch.nn.LayerNorm:
/// y = (x - mean) / sqrt(var + eps) * weight + bias with the mean and BIASED variance over those
/// dims (see nn::layer_norm). The input's trailing dims must equal normalized_shape (ShapeError
/// otherwise). With elementwise_affine, weight (ones) and bias (zeros) have normalized_shape;
/// without, neither exists. Float32; convert with to(DType::f64). Prints as
/// `LayerNorm((5,), eps=1e-05, elementwise_affine=True)`. torch 2.1's bias=False option is not
/// offered. Throws ValueError for an empty normalized_shape.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(const Shape& normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  /// LayerNorm(5): normalises over a last dim of extent 5 with the defaults. (With options,
  /// write LayerNorm({5}, 1e-3, false); a second int overload would make LayerNorm({3, 4})
  /// ambiguous in C++.)
  explicit LayerNorm(std::int64_t normalized_size) : LayerNorm(Shape{normalized_size}) {}

  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;
  /// weight = 1, bias = 0 (in place).
  void reset_parameters() override;

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight;  ///< normalized_shape, or undefined without elementwise_affine
  Tensor bias;    ///< normalized_shape, or undefined without elementwise_affine
};

}  // namespace tapegrad::nn
