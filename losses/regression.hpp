#pragma once
// Regression losses, as torch.nn.functional: mse_loss, l1_loss, smooth_l1_loss, huber_loss.
// input and target are float tensors of one dtype and ONE shape: unlike PyTorch, which
// broadcasts a mismatched target with a warning, tapegrad throws ShapeError. Each loss is
// composed from differentiable ops, so gradients flow to input and target, and twice.
#include "../autograd/tensor.hpp"
#include "reduction.hpp"

namespace tapegrad::losses {

/// Options of mse_loss (as torch.nn.MSELoss). `reduction` is always the last field.
struct MSELossOptions {
  Reduction reduction = Reduction::mean;
};
/// (input - target)², reduced (mean: over every element).
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossOptions& options = {});

/// Options of l1_loss (as torch.nn.L1Loss).
struct L1LossOptions {
  Reduction reduction = Reduction::mean;
};
/// |input - target|, reduced. The gradient at input == target is 0, as PyTorch.
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossOptions& options = {});

/// Options of smooth_l1_loss (as torch.nn.SmoothL1Loss).
struct SmoothL1LossOptions {
  double beta = 1.0;  ///< where the quadratic part ends; >= 0 (0 gives l1_loss)
  Reduction reduction = Reduction::mean;
};
/// With z = |input - target|: 0.5 z² / beta where z < beta, else z - 0.5 beta; reduced.
/// beta < 0 throws ValueError.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossOptions& options = {});

/// Options of huber_loss (as torch.nn.HuberLoss).
struct HuberLossOptions {
  double delta = 1.0;  ///< where the quadratic part ends; > 0
  Reduction reduction = Reduction::mean;
};
/// With z = |input - target|: 0.5 z² where z < delta, else delta (z - 0.5 delta); reduced.
/// delta <= 0 throws ValueError.
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options = {});

}  // namespace tapegrad::losses
