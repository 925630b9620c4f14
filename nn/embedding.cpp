// Embedding: a weight table around nn::embedding, initialised N(0, 1) with a zero padding row.
#include "embedding.hpp"

#include "../autograd/grad_mode.hpp"
#include "functional.hpp"
#include "init.hpp"

namespace tapegrad::nn {

Embedding::Embedding(std::int64_t num, std::int64_t dim, std::optional<std::int64_t> pad, Generator* generator)
    : num_embeddings(num), embedding_dim(dim), padding_idx(pad) {
  if (num < 0 || dim < 0)
    fail<ValueError>("Embedding: num_embeddings ({}) and embedding_dim ({}) must be non-negative", num, dim);
  if (padding_idx) {
    if (*padding_idx < -num || *padding_idx >= num)
      fail<ValueError>("Embedding: padding_idx {} must be within [-{}, {}) (num_embeddings {})", *padding_idx, num, num,
                       num);
    if (*padding_idx < 0) *padding_idx += num;
  }
  weight = register_parameter("weight", empty(Shape{num, dim}));
  if (generator) reset_parameters(generator);
  else draw_initial_values();  // from the default generator: Sequential may redraw it in order
}

// weight ~ N(0, 1); weight[padding_idx] = 0
void Embedding::reset_parameters(Generator* generator) {
  init::normal_(weight, 0.0, 1.0, generator);
  if (!padding_idx) return;
  NoGradGuard no_grad;
  detail::bump_version(weight);
  dispatch_float(weight.dtype(), "Embedding", [&]<class T>() {
    T* row = weight.data<T>() + *padding_idx * embedding_dim;
    for (std::int64_t j = 0; j < embedding_dim; ++j) row[j] = T(0);
  });
}

Tensor Embedding::forward(const Tensor& indices) { return embedding(indices, weight, padding_idx); }

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", num_embeddings, embedding_dim);
  if (padding_idx) s += fmt::format(", padding_idx={}", *padding_idx);
  return s;
}

}  // namespace tapegrad::nn
