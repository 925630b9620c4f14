#pragma once
// Module forms of the losses, as torch.nn's: each holds its options (PyTorch's defaults) and
// calls the functional form. Weights are registered as buffers ("weight", "pos_weight"), so
// they appear in state_dict and follow to(dtype), as in PyTorch; options.weight is the same
// handle as the buffer (a copy of the module shares it, as every Module copy shares its
// tensors). Call them with two tensors:
//   losses::CrossEntropyLoss criterion({.label_smoothing = 0.1});
//   Tensor loss = criterion(model(x), y);
// The one-tensor forward(x) of nn::Module is hidden (a loss needs its target).
#include <string>

#include "../nn/module.hpp"
#include "bce.hpp"
#include "cross_entropy.hpp"
#include "nll_kl.hpp"
#include "regression.hpp"

namespace tapegrad::losses {

/// Base of the loss modules: a Module with forward(input, target) and operator() calling it.
class Loss : public nn::Module {
 public:
  /// The loss of input against target, reduced as the options say.
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
};

/// torch.nn.MSELoss: mse_loss with its options.
class MSELoss : public Loss {
 public:
  explicit MSELoss(MSELossOptions options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "MSELoss"; }
  MSELossOptions options;
};

/// torch.nn.L1Loss: l1_loss with its options.
class L1Loss : public Loss {
 public:
  explicit L1Loss(L1LossOptions options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "L1Loss"; }
  L1LossOptions options;
};

/// torch.nn.SmoothL1Loss: smooth_l1_loss with its options (beta = 1 by default).
class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(SmoothL1LossOptions options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "SmoothL1Loss"; }
  SmoothL1LossOptions options;
};

/// torch.nn.HuberLoss: huber_loss with its options (delta = 1 by default).
class HuberLoss : public Loss {
 public:
  explicit HuberLoss(HuberLossOptions options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "HuberLoss"; }
  HuberLossOptions options;
};

/// torch.nn.BCELoss: binary_cross_entropy; options.weight is the buffer "weight".
class BCELoss : public Loss {
 public:
  explicit BCELoss(BCELossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCELoss"; }
  BCELossOptions options;
};

/// torch.nn.BCEWithLogitsLoss: binary_cross_entropy_with_logits; options.weight and
/// options.pos_weight are the buffers "weight" and "pos_weight".
class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(BCEWithLogitsLossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCEWithLogitsLoss"; }
  BCEWithLogitsLossOptions options;
};

/// torch.nn.CrossEntropyLoss: cross_entropy; options.weight is the buffer "weight".
class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(CrossEntropyOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "CrossEntropyLoss"; }
  CrossEntropyOptions options;
};

/// torch.nn.NLLLoss: nll_loss; options.weight is the buffer "weight".
class NLLLoss : public Loss {
 public:
  explicit NLLLoss(NLLLossOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "NLLLoss"; }
  NLLLossOptions options;
};

/// torch.nn.KLDivLoss: kl_div with its options (reduction mean, log_target false by default,
/// as PyTorch; batchmean gives the true KL divergence per sample).
class KLDivLoss : public Loss {
 public:
  explicit KLDivLoss(KLDivLossOptions options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "KLDivLoss"; }
  KLDivLossOptions options;
};

}  // namespace tapegrad::losses
