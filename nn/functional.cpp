// batch_norm, layer_norm and embedding. The normalisations are compositions of recorded ops
// (their gradients, and second derivatives, come from those ops); embedding is one recorded op
// whose backward is an index_add.
#include "functional.hpp"

#include <cstring>

#include "../autograd/grad_mode.hpp"
#include "../autograd/node.hpp"
#include "../autograd/ops/elementwise.hpp"
#include "../autograd/ops/index.hpp"
#include "../autograd/ops/reduce.hpp"
#include "../autograd/ops/shape_ops.hpp"

namespace tapegrad::nn {

namespace {
// A per-channel tensor must be [C] with x's dtype (or undefined).
void check_channel_tensor(const Tensor& t, const char* what, std::int64_t c, const Tensor& x, const char* op) {
  if (!t.defined()) return;
  if (t.shape() != Shape{c})
    fail<ShapeError>("{}: {} has shape {} but input {} has {} channels (expected [{}])", op, what, t.shape(), x.shape(),
                     c, c);
  if (t.dtype() != x.dtype())
    fail<DTypeError>("{}: {} is {} but input is {}; convert one with .to()", op, what, dtype_name(t.dtype()),
                     dtype_name(x.dtype()));
}

void check_float_input(const Tensor& x, const char* op) {
  if (!is_floating(x.dtype()))
    fail<DTypeError>("{}: expected a float32 or float64 input, got int64 (shape {})", op, x.shape());
}

// (x - mean) / sqrt(var + eps), then * weight + bias where given (both broadcast against x)
Tensor normalise(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight, const Tensor& bias,
                 double eps) {
  Tensor y = div(sub(x, mean), sqrt(add(var, detail::scalar_like(x, eps))));
  if (weight.defined()) y = mul(y, weight);
  if (bias.defined()) y = add(y, bias);
  return y;
}
}  // namespace

// x [N, C, d...]; statistics over every dim but 1, kept as [1, C, 1...] to broadcast against x;
// weight, bias, running stats [C] viewed as [1, C, 1...].
//   training: y = (x - mean_b) / sqrt(var_b + eps) * w + b, var_b biased;
//             rm <- (1 - m) rm + m mean_b, rv <- (1 - m) rv + m var_b n / (n - 1), not recorded
//   eval:     y = (x - rm) / sqrt(rv + eps) * w + b
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  constexpr const char* op = "batch_norm";
  check_float_input(x, op);
  if (x.dim() < 2) fail<ShapeError>("batch_norm: expected an input of shape [N, C, ...], got {}", x.shape());
  const std::int64_t c = x.size(1);
  check_channel_tensor(running_mean, "running_mean", c, x, op);
  check_channel_tensor(running_var, "running_var", c, x, op);
  check_channel_tensor(weight, "weight", c, x, op);
  check_channel_tensor(bias, "bias", c, x, op);
  if (running_mean.defined() != running_var.defined())
    fail<ValueError>("batch_norm: running_mean and running_var must both be given or both be undefined");
  if (!training && !running_mean.defined())
    fail<ValueError>("batch_norm: running_mean and running_var must be given when training is false");

  Dims dims{0};
  Shape stat_shape(std::vector<std::int64_t>(static_cast<std::size_t>(x.dim()), 1));
  stat_shape[1] = c;
  for (std::int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  const auto per_channel = [&](const Tensor& t) { return t.defined() ? reshape(t, stat_shape) : t; };

  if (!training)
    return normalise(x, per_channel(running_mean.detach()), per_channel(running_var.detach()), per_channel(weight),
                     per_channel(bias), eps);

  const std::int64_t n = c == 0 ? 0 : x.numel() / c;
  if (n <= 1)
    fail<ValueError>("batch_norm: expected more than 1 value per channel when training, got input of shape {}",
                     x.shape());
  const Tensor mean_b = mean(x, dims, true);
  const Tensor var_b = var(x, dims, /*unbiased=*/false, true);
  if (running_mean.defined()) {
    NoGradGuard no_grad;
    const Tensor m = detail::scalar_like(x, momentum), keep = detail::scalar_like(x, 1.0 - momentum);
    const Tensor unbias = detail::scalar_like(x, static_cast<double>(n) / static_cast<double>(n - 1));
    const Tensor new_mean = add(mul(keep, running_mean), mul(m, reshape(mean_b.detach(), {c})));
    const Tensor new_var = add(mul(keep, running_var), mul(m, mul(reshape(var_b.detach(), {c}), unbias)));
    Tensor(running_mean).copy_(new_mean);
    Tensor(running_var).copy_(new_var);
  }
  return normalise(x, mean_b, var_b, per_channel(weight), per_channel(bias), eps);
}

// x [..., n1, ..., nk] with normalized_shape [n1, ..., nk]; mean and biased var over the last k
// dims, kept; weight and bias [n1, ..., nk] broadcast from the right.
//   y = (x - mean) / sqrt(var + eps) * w + b
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  check_float_input(x, "layer_norm");
  const std::int64_t k = normalized_shape.size();
  if (k == 0) fail<ShapeError>("layer_norm: normalized_shape must have at least one dim, got []");
  bool fits = x.dim() >= k;
  for (std::int64_t i = 0; fits && i < k; ++i) fits = x.shape()[x.dim() - k + i] == normalized_shape[i];
  if (!fits)
    fail<ShapeError>("layer_norm: normalized_shape {} does not match the last {} dims of input of shape {}",
                     normalized_shape, k, x.shape());
  for (const auto& [t, what] : {std::pair{&weight, "weight"}, std::pair{&bias, "bias"}}) {
    if (!t->defined()) continue;
    if (t->shape() != normalized_shape)
      fail<ShapeError>("layer_norm: {} has shape {} but normalized_shape is {}", what, t->shape(), normalized_shape);
    if (t->dtype() != x.dtype())
      fail<DTypeError>("layer_norm: {} is {} but input is {}; convert one with .to()", what, dtype_name(t->dtype()),
                       dtype_name(x.dtype()));
  }
  Dims dims;
  for (std::int64_t i = -k; i < 0; ++i) dims.push_back(i);
  return normalise(x, mean(x, dims, true), var(x, dims, /*unbiased=*/false, true), weight, bias, eps);
}

// indices [i...] (int64), weight [V, D] -> out [i..., D], out[p] = weight[indices[p]];
// dweight = index_add(zeros [V, D], 0, indices, g [n, D]) with g's rows at padding_idx zeroed
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx) {
  if (indices.dtype() != DType::i64)
    fail<DTypeError>("embedding: indices must be int64, got {} (shape {})", dtype_name(indices.dtype()),
                     indices.shape());
  check_float_input(weight, "embedding");
  if (weight.dim() != 2)
    fail<ShapeError>("embedding: weight must be [num_embeddings, embedding_dim], got {}", weight.shape());
  if (indices.dim() >= kMaxDims)
    fail<ShapeError>("embedding: indices of shape {} would give a result with more than {} dims", indices.shape(),
                     kMaxDims);
  const std::int64_t v = weight.size(0), d = weight.size(1), n = indices.numel();
  if (padding_idx) {
    if (*padding_idx < -v || *padding_idx >= v)
      fail<ValueError>("embedding: padding_idx {} must be within [-{}, {}) (num_embeddings {})", *padding_idx, v, v, v);
    if (*padding_idx < 0) *padding_idx += v;
  }
  const std::int64_t* idx = indices.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i)
    if (idx[i] < 0 || idx[i] >= v)
      fail<IndexError>("embedding: index {} is out of range for {} embeddings (indices of shape {})", idx[i], v,
                       indices.shape());

  Shape out_shape = indices.shape();
  out_shape.push_back(d);
  Tensor out = detail::make_tensor(out_shape, weight.dtype());
  const std::size_t row_bytes = static_cast<std::size_t>(d) * element_size(weight.dtype());
  const auto* src = static_cast<const unsigned char*>(weight.impl()->storage->data());
  auto* dst = static_cast<unsigned char*>(out.impl()->storage->data());
  for (std::int64_t i = 0; i < n; ++i)
    if (row_bytes > 0) std::memcpy(dst + i * row_bytes, src + idx[i] * row_bytes, row_bytes);

  record(out, {"embedding", "dweight[i] += g row for each index i (padding_idx rows get 0)"}, {weight},
         [saved = save(indices), ws = weight.shape(), n, d, padding_idx](const Tensor& g) {
           const Tensor flat = detail::alias(saved.unpack(), Shape{n});
           Tensor rows = reshape(g, {n, d});
           if (padding_idx) {
             // keep [n, 1]: 0 where the index is padding_idx, else 1
             Tensor keep = detail::make_tensor({n, 1}, g.dtype());
             const std::int64_t* ix = flat.data<std::int64_t>();
             dispatch_float(g.dtype(), "embedding", [&]<class T>() {
               T* k = keep.data<T>();
               for (std::int64_t i = 0; i < n; ++i) k[i] = ix[i] == *padding_idx ? T(0) : T(1);
             });
             rows = mul(rows, keep);
           }
           return GradList{index_add(zeros(ws, {.dtype = g.dtype()}), 0, flat, rows)};
         });
  return out;
}

}  // namespace tapegrad::nn
