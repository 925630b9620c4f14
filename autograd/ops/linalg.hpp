#pragma once
// Linear algebra: matrix products through one kernel (ops/gemm.hpp: tapegrad's own on AVX-512
// CPUs, OpenBLAS elsewhere), never copying a transposed operand; its transpose flags do that work.
#include "../tensor.hpp"

namespace tapegrad {

/// The primitive every product is built on: op(a) @ op(b), where op transposes the last two
/// dims when its flag is set. a is [..., M, K] ([..., K, M] if trans_a), b is [..., K, N]
/// ([..., N, K] if trans_b); both need at least 2 dims. The leading (batch) dims broadcast as
/// in NumPy; the result is [batch..., M, N]. Its backward is written with mm_flags itself, so
/// no transposed copy is ever made and double backward works. `mm_flags(x, w, false, true)`
/// is x @ wᵀ. Not a PyTorch function (torch copies or views instead).
/// Throws ShapeError (inner dims differ, < 2 dims, batch dims that do not broadcast) and
/// DTypeError (mixed dtypes, int64).
Tensor mm_flags(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b);

/// Matrix product with torch.matmul's rules:
/// - 1-D · 1-D: the dot product, a 0-d tensor;
/// - 2-D @ 2-D: the matrix product [M, K] @ [K, N] -> [M, N];
/// - 1-D @ 2-D or more: a [K] is taken as [1, K] and the prepended dim is removed afterwards;
/// - 2-D or more @ 1-D: b [K] is taken as [K, 1] and the appended dim is removed afterwards;
/// - N-D: batched, the batch dims (all but the last two) broadcast, e.g.
///   [2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2].
/// Throws ShapeError for a 0-d operand, inner dims that differ
/// (`matmul: shapes [3, 4] and [5, 2] cannot be multiplied (4 != 5)`) and batch dims that do
/// not broadcast; DTypeError for mixed dtypes (no promotion) or int64 (PyTorch allows integer
/// matmul; tapegrad's int64 holds indices only).
Tensor matmul(const Tensor& a, const Tensor& b);

/// 2-D matrix product [M, K] @ [K, N] -> [M, N], as torch.mm (no broadcasting).
Tensor mm(const Tensor& a, const Tensor& b);

/// Batched matrix product [B, M, K] @ [B, K, N] -> [B, M, N], as torch.bmm (equal batch
/// sizes, no broadcasting).
Tensor bmm(const Tensor& a, const Tensor& b);

/// Dot product of two 1-D tensors of equal length, a 0-d tensor, as torch.dot.
Tensor dot(const Tensor& a, const Tensor& b);

/// x @ wᵀ + bias as torch.nn.functional.linear, in one fused op (the bias is added by the
/// same gemm call). x is [..., in] (1-D allowed), w is [out, in], bias is [out] or undefined
/// (no bias); the result is [..., out]. Unlike PyTorch, w must be 2-D and bias exactly [out].
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias = Tensor());

}  // namespace tapegrad
