#pragma once
// Cross-entropy between logits and class indices or class probabilities, as
// torch.nn.functional.cross_entropy (PyTorch 1.13 semantics), as ONE fused, stable op: each
// sample's log-softmax (log-sum-exp shifted by the max) and its negative log-likelihood are
// computed together; softmax never appears as a node of the graph.
#include <cstdint>

#include "../autograd/tensor.hpp"
#include "reduction.hpp"

namespace tapegrad::losses {

/// Options of cross_entropy (as torch.nn.CrossEntropyLoss). `reduction` is always the last field:
/// `cross_entropy(x, y, {.weight = w, .ignore_index = 3, .label_smoothing = 0.1})`.
struct CrossEntropyOptions {
  Tensor weight;                     ///< optional [C] rescaling weight per class (a constant: no gradient)
  std::int64_t ignore_index = -100;  ///< class-index targets equal to it add nothing (loss, gradient, divisor)
  double label_smoothing = 0.0;      ///< ε in [0, 1]: the target becomes (1 - ε) target + ε / C
  Reduction reduction = Reduction::mean;
};

/// Cross-entropy of logits `input` against `target`, with the class dim at 1:
///
/// - input [N, C] or [N, C, d1, ...], or [C] (one sample; the target is then 0-d).
/// - Class indices: target int64 of the input's shape without the class dim, values in [0, C)
///   or ignore_index (IndexError otherwise). Per sample, with log p = log_softmax(input):
///   loss = (1 - ε) w_t (-log p_t) + (ε / C) Σ_c w_c (-log p_c), and 0 where t == ignore_index.
///   mean divides the sum by Σ w_t over the non-ignored samples (their count without weight),
///   so a batch whose samples are all ignored gives NaN (and a zero gradient), as PyTorch.
/// - Class probabilities: target float of the input's shape and dtype (ignore_index must stay
///   negative, as PyTorch): loss = -Σ_c w_c ((1 - ε) q_c + ε / C) log p_c; mean divides by the
///   number of samples (numel / C). The target gets a gradient too.
/// - reduction none returns one loss per sample (the target's shape; 0-d for a [C] input).
///
/// Gradient: dinput = (A softmax - a) g / divisor with a_c the weighted target distribution and
/// A = Σ_c a_c, computed by a kernel from the saved log-sum-exp. With create_graph the rule is
/// built from softmax and differentiable ops instead, so double backward works.
/// Errors: ShapeError (shapes, weight not [C]), DTypeError (target or weight dtype), IndexError
/// (class out of range), ValueError (label_smoothing outside [0, 1], ignore_index >= 0 with
/// probabilities, reduction batchmean), each naming cross_entropy.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options = {});

}  // namespace tapegrad::losses
