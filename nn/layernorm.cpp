// LayerNorm: parameters around nn::layer_norm.
#include "layernorm.hpp"

#include "../autograd/grad_mode.hpp"
#include "functional.hpp"

namespace tapegrad::nn {

LayerNorm::LayerNorm(const Shape& shape, double eps_, bool affine)
    : normalized_shape(shape), eps(eps_), elementwise_affine(affine) {
  if (shape.empty()) fail<ValueError>("LayerNorm: normalized_shape must have at least one dim, got []");
  weight = register_parameter("weight", affine ? empty(shape) : Tensor());
  bias = register_parameter("bias", affine ? empty(shape) : Tensor());
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!elementwise_affine) return;
  NoGradGuard no_grad;
  weight.fill_(1.0);
  bias.zero_();
}

Tensor LayerNorm::forward(const Tensor& x) { return layer_norm(x, normalized_shape, weight, bias, eps); }

// torch prints normalized_shape as a Python tuple: (5,) or (3, 4)
std::string LayerNorm::extra_repr() const {
  const std::string dims = normalized_shape.size() == 1
                               ? fmt::format("({},)", normalized_shape[0])
                               : fmt::format("({})", fmt::join(normalized_shape.begin(), normalized_shape.end(), ", "));
  return fmt::format("{}, eps={}, elementwise_affine={}", dims, format_float(eps),
                     elementwise_affine ? "True" : "False");
}

}  // namespace tapegrad::nn
