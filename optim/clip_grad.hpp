#pragma once
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_: both change the
// gradients of a parameter list in place (parameters without a gradient are left out).
#include <vector>

#include "../autograd/tensor.hpp"

namespace tapegrad::optim {

/// Scales the gradients so that their joint norm (as if all were concatenated into one vector)
/// is at most max_norm, as torch.nn.utils.clip_grad_norm_:
///
///   total = norm of (norm_type-norm of each gradient), i.e. the norm_type-norm of everything
///   coef  = min(max_norm / (total + 1e-6), 1)             (the 1e-6 as PyTorch has it)
///   g     = g * coef                                      (for every gradient, even if coef is 1)
///
/// norm_type is any p > 0, INFINITY (largest |g|), -INFINITY (smallest |g|) or 0 (the count of
/// non-zero entries, applied per gradient and then to those counts, as torch.norm does).
/// Returns the total norm BEFORE clipping, a 0-d tensor of the gradients' dtype (a float32 0
/// when no parameter has a gradient). The arithmetic is in the gradients' dtype except the
/// per-gradient sums, which run in double (PyTorch sums float32 in float32; results agree to
/// float32 rounding). With error_if_nonfinite, a NaN or infinite total throws ValueError before
/// anything changes; otherwise such a total makes the gradients NaN or 0, as in PyTorch.
/// Throws DTypeError if the gradients do not all have the same dtype.
Tensor clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every gradient entry to [-clip_value, clip_value] in place, as
/// torch.nn.utils.clip_grad_value_ (NaN entries stay NaN).
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace tapegrad::optim
