// Activation modules: each forward is one call to the functional op; extra_repr prints the
// options as torch does.
#include "activation.hpp"

#include <cmath>

#include "../autograd/ops/shape_ops.hpp"

namespace tapegrad::nn {

namespace {
// Softplus prints torch 1.13's integer defaults as integers
std::string int_or_float(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::abs(v) < 1e15)
    return fmt::format("{}", static_cast<std::int64_t>(v));
  return format_float(v);
}
}  // namespace

Tensor ReLU::forward(const Tensor& x) { return relu(x); }

Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, negative_slope); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + format_float(negative_slope); }

Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }

Tensor Tanh::forward(const Tensor& x) { return tanh(x); }

GELU::GELU(std::string_view approx) {
  if (approx == "none") approximate = GeluApprox::none;
  else if (approx == "tanh") approximate = GeluApprox::tanh;
  else fail<ValueError>("GELU: approximate must be 'none' or 'tanh', got '{}'", approx);
}
Tensor GELU::forward(const Tensor& x) { return gelu(x, approximate); }
std::string GELU::extra_repr() const {
  return fmt::format("approximate='{}'", approximate == GeluApprox::none ? "none" : "tanh");
}

Tensor SiLU::forward(const Tensor& x) { return silu(x); }

Tensor ELU::forward(const Tensor& x) { return elu(x, alpha); }
std::string ELU::extra_repr() const { return "alpha=" + format_float(alpha); }

Tensor Softplus::forward(const Tensor& x) { return softplus(x, beta, threshold); }
std::string Softplus::extra_repr() const {
  return fmt::format("beta={}, threshold={}", int_or_float(beta), int_or_float(threshold));
}

Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim); }

Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, dim); }
std::string LogSoftmax::extra_repr() const { return fmt::format("dim={}", dim); }

Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_dim, end_dim); }
std::string Flatten::extra_repr() const { return fmt::format("start_dim={}, end_dim={}", start_dim, end_dim); }

}  // namespace tapegrad::nn
