#pragma once
// Embedding: a lookup table of learned vectors, as torch.nn.Embedding.
#include <cstdint>
#include <optional>
#include <string>

#include "../autograd/random.hpp"
#include "module.hpp"

namespace tapegrad::nn {

/// A table weight [num_embeddings, embedding_dim]; forward(indices) returns the rows the int64
/// indices name, shape indices.shape + [embedding_dim] (see nn::embedding). Initialised as
/// torch: weight ~ N(0, 1) drawn from `generator` (default_generator() when null; tapegrad's
/// numbers, not torch's), with the padding_idx row set to zero. padding_idx (negative counts
/// from the end, stored wrapped as torch) never receives a gradient. Float32; convert with
/// to(DType::f64). Prints as `Embedding(10, 3, padding_idx=0)`. torch's max_norm,
/// scale_grad_by_freq and sparse are not offered. Throws ValueError for negative sizes or a
/// padding_idx outside [-num_embeddings, num_embeddings).
class Embedding : public Module {
 public:
  Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim,
            std::optional<std::int64_t> padding_idx = std::nullopt, Generator* generator = nullptr);

  /// indices (int64, any shape) -> [*indices.shape, embedding_dim].
  Tensor forward(const Tensor& indices) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;
  /// Draws the weight from N(0, 1) again and zeroes the padding row (in place).
  void reset_parameters(Generator* generator);
  void reset_parameters() override { reset_parameters(nullptr); }

  std::int64_t num_embeddings, embedding_dim;
  std::optional<std::int64_t> padding_idx;  ///< in [0, num_embeddings) once constructed
  Tensor weight;                            ///< [num_embeddings, embedding_dim]
};

}  // namespace tapegrad::nn
