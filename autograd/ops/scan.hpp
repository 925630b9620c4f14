#pragma once
// Scans along one dim: cumsum and cumprod, as torch.cumsum / torch.cumprod. Dims may be negative;
// a 0-d tensor takes dim 0 or -1 (and comes back unchanged).
#include <cstdint>

#include "../tensor.hpp"

namespace tapegrad {

/// out_i = x_0 + ... + x_i along dim. int64 gives int64 (values only); float32 sums are
/// accumulated in float64, as PyTorch's CPU kernel. Backward: the reversed cumsum of g.
Tensor cumsum(const Tensor& x, std::int64_t dim);
/// out_i = x_0 * ... * x_i along dim. int64 gives int64 (values only). The gradient
/// dx_i = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j is computed without division, so zeros in x (one
/// or several) give PyTorch's gradients exactly; the backward is itself differentiable.
Tensor cumprod(const Tensor& x, std::int64_t dim);

namespace detail {
/// The linear recurrence along dim (a and b of one shape, float):
///   forward: out_k = b_k + a_k out_{k-1}          (out_{-1} = 0)
///   reverse: out_i = b_i + a_{i+1} out_{i+1}      (out_n = 0)
/// Differentiable in a and b; its backward is the same recurrence run the other way.
Tensor linear_scan(const Tensor& b, const Tensor& a, std::int64_t dim, bool reverse);
/// cumprod's gradient given x, y = cumprod(x, dim) and g (all of x's shape, x at least 1-d):
/// y_{i-1} * r_i with r_i = g_i + x_{i+1} r_{i+1}. Composed of differentiable ops.
Tensor cumprod_backward(const Tensor& x, const Tensor& y, const Tensor& g, std::int64_t dim);
}  // namespace detail

}  // namespace tapegrad
