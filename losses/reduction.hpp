#pragma once
// The `reduction` option every loss takes, and the checks the loss functions share.
#include <string_view>

#include "../autograd/tensor.hpp"

namespace tapegrad::losses {

/// How a loss combines its per-element values, as PyTorch's `reduction` argument:
/// none (one value per element or sample), mean (PyTorch's divisor for each loss), sum.
/// batchmean (the sum divided by the batch size input.size(0)) is valid for kl_div only; every
/// other loss throws ValueError for it.
enum class Reduction { none, mean, sum, batchmean };

/// "none" | "mean" | "sum" | "batchmean" -> Reduction, for callers holding PyTorch's strings.
/// Anything else throws ValueError ("invalid reduction 'avg' ...").
Reduction parse_reduction(std::string_view name);

/// The string PyTorch uses for r ("none", "mean", "sum", "batchmean").
std::string_view reduction_name(Reduction r);

namespace detail {
/// Throws ValueError naming op unless r is none, mean or sum (or batchmean, if allowed).
void check_reduction(Reduction r, const char* op, bool allow_batchmean = false);
/// Throws unless input and target are float tensors of one dtype (DTypeError) and one shape
/// (ShapeError naming op and both shapes: losses do not broadcast their target).
void check_float_pair(const Tensor& input, const Tensor& target, const char* op);
/// Throws unless w (if defined) has input's float dtype (DTypeError) and broadcasts to input's
/// shape (ShapeError); `what` names the option, e.g. "weight".
void check_broadcast_weight(const Tensor& w, const Tensor& input, const char* op, const char* what);
/// none: loss itself; mean: mean(loss); sum: sum(loss) (differentiable ops).
Tensor reduce(const Tensor& loss, Reduction r);
}  // namespace detail

}  // namespace tapegrad::losses
