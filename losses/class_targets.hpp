#pragma once
// Internal: the layout and checks shared by cross_entropy and nll_loss, whose input has a class
// dim ([C], [N, C] or [N, C, d1, ...]) and whose target holds class indices or probabilities.
#include <cstdint>

#include "../autograd/tensor.hpp"
#include "reduction.hpp"

namespace tapegrad::losses::detail {

/// The input viewed as [outer, classes, inner]: outer = N (1 for a [C] input), inner = d1 * ...
/// A "sample" is one (outer, inner) position; samples index the target in row-major order.
struct ClassLayout {
  std::int64_t outer = 1, classes = 1, inner = 1;
  std::int64_t class_dim = 0;  ///< 0 for a [C] input, else 1
  Shape sample_shape;          ///< the input's shape without the class dim (the target's shape)
  std::int64_t samples() const { return outer * inner; }
};

/// Checks input is a float tensor with at least one dim (ShapeError / DTypeError naming op).
ClassLayout class_layout(const Tensor& input, const char* op);

/// Checks an int64 class-index target: shape == sample_shape (ShapeError naming both shapes),
/// every value in [0, C) or equal to ignore_index (IndexError naming the value and C).
/// A float target of the sample shape, or an int64 target of the input's shape, is a DTypeError.
void check_class_target(const Tensor& input, const Tensor& target, const ClassLayout& l, std::int64_t ignore_index,
                        const char* op);

/// Checks weight (if defined) is [C] of input's dtype (ShapeError / DTypeError naming op).
void check_class_weight(const Tensor& input, const Tensor& weight, const ClassLayout& l, const char* op);

/// Σ over non-ignored samples of weight[target] (their count when weight is undefined): the
/// divisor of a class-index loss's mean, as PyTorch.
double class_weight_total(const Tensor& target, const Tensor& weight, std::int64_t ignore_index);

/// The coefficients a [input's shape] with loss_i = -Σ_c a_ic log p_ic, as a constant tensor:
/// a_ic = (1 - ε) w_t [c == t] + (ε / C) w_c for a sample with class t, 0 for an ignored one.
Tensor class_coefficients(const Tensor& input, const Tensor& target, const Tensor& weight, const ClassLayout& l,
                          std::int64_t ignore_index, double label_smoothing);

/// The upstream gradient of a loss over samples, as a tensor that broadcasts against the input:
/// none: g [sample_shape] with the class dim reinserted as 1; mean: g / divisor (0 when divisor
/// is 0: every sample ignored gets a zero gradient, as PyTorch); sum: g. Differentiable in g.
Tensor sample_scale(const Tensor& g, const ClassLayout& l, Reduction r, double divisor);

}  // namespace tapegrad::losses::detail
