// Linear layer: y [*, out] = x [*, in] @ weight [out, in]ᵀ + bias [out], one fused gemm.
#include "linear.hpp"

#include <cmath>

#include "../autograd/ops/linalg.hpp"
#include "init.hpp"

namespace tapegrad::nn {

Linear::Linear(std::int64_t in, std::int64_t out, bool has_bias) : in_features(in), out_features(out) {
  if (in < 0 || out < 0)
    fail<ValueError>("Linear: in_features ({}) and out_features ({}) must be non-negative", in, out);
  weight = register_parameter("weight", empty(Shape{out, in}));
  bias = register_parameter("bias", has_bias ? empty(Shape{out}) : Tensor());
  draw_initial_values();
}

// torch.nn.Linear.reset_parameters: kaiming_uniform_(w, a = √5) gives bound
// gain √(3 / fan_in) with gain = √(2 / (1 + 5)), i.e. 1/√fan_in; the bias uses the same bound
// (0 when fan_in is 0)
void Linear::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features,
                     bias.defined() ? "True" : "False");
}

}  // namespace tapegrad::nn
