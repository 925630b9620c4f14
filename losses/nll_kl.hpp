#pragma once
// Losses on log-probabilities, as torch.nn.functional: nll_loss and kl_div.
#include <cstdint>

#include "../autograd/tensor.hpp"
#include "reduction.hpp"

namespace tapegrad::losses {

/// Options of nll_loss (as torch.nn.NLLLoss). `reduction` is always the last field.
struct NLLLossOptions {
  Tensor weight;                     ///< optional [C] rescaling weight per class (a constant: no gradient)
  std::int64_t ignore_index = -100;  ///< targets equal to it add nothing (loss, gradient, divisor)
  Reduction reduction = Reduction::mean;
};
/// Negative log-likelihood: loss = -w_t input[t] per sample (0 where t == ignore_index).
/// input (log-probabilities) is [N, C], [N, C, d1, ...] or [C]; target is int64 of the input's
/// shape without the class dim (0-d for [C]), values in [0, C) or ignore_index. mean divides by
/// Σ w_t over the non-ignored samples (NaN if there are none, as PyTorch); none returns one loss
/// per sample. Errors as cross_entropy's (ShapeError, DTypeError, IndexError), naming nll_loss.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options = {});

/// Options of kl_div (as torch.nn.KLDivLoss). `reduction` is always the last field.
struct KLDivLossOptions {
  bool log_target = false;  ///< the target holds log-probabilities
  Reduction reduction = Reduction::mean;
};
/// Kullback-Leibler divergence with input holding log-probabilities:
/// target (log q - input) elementwise, with 0 where target == 0 (torch.xlogy), or with
/// log_target, e^target (target - input). Reductions: none, sum, mean (over every element, as
/// PyTorch, which warns that it is not the true KL divergence), batchmean (the sum divided by
/// input.size(0); the plain sum for a 0-d input). input and target have one shape and float
/// dtype (tapegrad does not broadcast them). Gradients flow to both; as PyTorch, the target's
/// gradient is NaN where the target is 0 (log_target = false).
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivLossOptions& options = {});

}  // namespace tapegrad::losses
