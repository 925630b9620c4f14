#pragma once
// Functional forms of the normalisation and lookup layers, as torch.nn.functional: batch_norm,
// layer_norm, embedding. Each is composed from the engine's differentiable ops (or, for
// embedding, one recorded op whose backward is written with them), so double backward works.
#include <cstdint>
#include <optional>

#include "../autograd/tensor.hpp"

namespace tapegrad::nn {

/// Batch normalisation over dim 1, as torch.nn.functional.batch_norm: x is [N, C, ...] (at least
/// 2 dims; BatchNorm1d accepts [N, C] and [N, C, L]); every other tensor is [C] of x's dtype, and
/// any may be undefined (weight/bias: no affine step; running stats: none kept).
///
/// training = true: normalises with the batch's mean and BIASED variance over every dim but 1,
///   y = (x - mean) / sqrt(var + eps) * weight + bias, and, if the running stats are given,
///   updates them in place (not recorded, as under no_grad) with the UNBIASED variance:
///   running_mean = (1 - momentum) * running_mean + momentum * mean
///   running_var  = (1 - momentum) * running_var  + momentum * var * n / (n - 1)
///   where n = numel / C. Needs n > 1 (ValueError otherwise, as PyTorch).
/// training = false: normalises with running_mean and running_var (both required; ValueError
///   otherwise). No gradient flows into the running stats (PyTorch's is not defined either).
/// Errors: ShapeError for a wrong rank or a [C] tensor of another size, DTypeError for mixed or
/// int64 dtypes, naming "batch_norm".
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

/// Layer normalisation over the last normalized_shape.size() dims (at least one), as
/// torch.nn.functional.layer_norm: y = (x - mean) / sqrt(var + eps) * weight + bias with the
/// mean and BIASED variance over those dims. x's trailing dims must equal normalized_shape;
/// weight and bias (optional, each may be undefined) have normalized_shape and x's dtype.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

/// Row lookup, as torch.nn.functional.embedding: indices (int64, any shape, values in
/// [0, num_embeddings)) select rows of weight [num_embeddings, embedding_dim]; the result has
/// shape indices.shape + [embedding_dim]. The gradient of weight sums g over repeated indices
/// (index_add). padding_idx (negative counts from the end, as torch) names a row that receives
/// no gradient; its value is returned as stored. Out-of-range indices are an IndexError; torch's
/// max_norm, scale_grad_by_freq and sparse options are not supported.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx = std::nullopt);

}  // namespace tapegrad::nn
