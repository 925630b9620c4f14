#pragma once
// Binary cross-entropy on probabilities and on logits, as torch.nn.functional.
// input and target are float tensors of one dtype and one shape (ShapeError otherwise; PyTorch
// raises too). weight and pos_weight are constants: no gradient flows into them (PyTorch
// refuses to differentiate them).
#include "../autograd/tensor.hpp"
#include "reduction.hpp"

namespace tapegrad::losses {

/// Options of binary_cross_entropy (as torch.nn.BCELoss). `reduction` is always the last field.
struct BCELossOptions {
  Tensor weight;  ///< optional rescaling weight, broadcast to the input's shape
  Reduction reduction = Reduction::mean;
};
/// -weight (y log x + (1 - y) log(1 - x)) with each log clamped below at -100, as PyTorch, so
/// x = 0 or 1 gives a finite loss; reduced (mean: over every element). input must lie in [0, 1]
/// (ValueError otherwise, as PyTorch). Gradients, as PyTorch:
/// dx = g w (x - y) / max(x (1 - x), 1e-12f), dy = -g w log(x / (1 - x)).
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCELossOptions& options = {});

/// Options of binary_cross_entropy_with_logits (as torch.nn.BCEWithLogitsLoss).
struct BCEWithLogitsLossOptions {
  Tensor weight;      ///< optional rescaling weight, broadcast to the input's shape
  Tensor pos_weight;  ///< optional weight of the positive term, broadcast to the input's shape (e.g. [C])
  Reduction reduction = Reduction::mean;
};
/// weight ((1 - y) x + (1 + (pw - 1) y) softplus(-x)), softplus(-x) = log1p(e^-|x|) + max(-x, 0):
/// -log σ(x) computed without overflow, finite for any |x| (1e4 included); reduced.
/// PyTorch evaluates softplus as log(e^-m + e^(-x-m)) + m; the values agree to rounding.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options = {});

}  // namespace tapegrad::losses
