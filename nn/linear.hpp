#pragma once
// Linear: y = x @ Wᵀ + b, as torch.nn.Linear.
#include <cstdint>
#include <string>

#include "module.hpp"

namespace tapegrad::nn {

/// Fully connected layer y = x @ weightᵀ + bias, as torch.nn.Linear. `weight` is
/// [out_features, in_features] and `bias` [out_features] (undefined when bias = false). The
/// input is [*, in_features] (any number of leading dims, or 1-D); the output [*, out_features].
/// Initialised as PyTorch: weight and bias from U(-1/√in, 1/√in) (the weight through
/// kaiming_uniform_(a = √5)), drawn from default_generator() (seed it with manual_seed). The
/// forward is one fused gemm (tapegrad::linear), with no transposed copy of the weight.
/// Parameters are float32; convert the module with to(DType::f64).
class Linear : public Module {
 public:
  /// Throws ValueError for a negative size.
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true);

  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Linear"; }
  /// "in_features=784, out_features=128, bias=True".
  std::string extra_repr() const override;
  /// Draws new weights and bias with the default initialisation (in place).
  void reset_parameters() override;

  std::int64_t in_features;   ///< width of the input's last dim
  std::int64_t out_features;  ///< width of the output's last dim
  Tensor weight;              ///< [out_features, in_features]
  Tensor bias;                ///< [out_features], or undefined
};

}  // namespace tapegrad::nn
