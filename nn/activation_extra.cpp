// More activation modules: each forward is one call to the functional op; extra_repr prints
// the options as torch does.
#include "activation_extra.hpp"

namespace tapegrad::nn {

Hardtanh::Hardtanh(double min_val, double max_val) : min_val(min_val), max_val(max_val) {
  // torch.nn.Hardtanh: assert self.max_val > self.min_val
  if (!(max_val > min_val))
    fail<ValueError>("Hardtanh: max_val must be greater than min_val, got min_val={} and max_val={}",
                     format_float(min_val), format_float(max_val));
}
Tensor Hardtanh::forward(const Tensor& x) { return hardtanh(x, min_val, max_val); }
std::string Hardtanh::extra_repr() const {
  return fmt::format("min_val={}, max_val={}", format_float(min_val), format_float(max_val));
}

Tensor ReLU6::forward(const Tensor& x) { return relu6(x); }

Tensor Hardsigmoid::forward(const Tensor& x) { return hardsigmoid(x); }

Tensor Hardswish::forward(const Tensor& x) { return hardswish(x); }

Tensor SELU::forward(const Tensor& x) { return selu(x); }

Tensor CELU::forward(const Tensor& x) { return celu(x, alpha); }
std::string CELU::extra_repr() const { return "alpha=" + format_float(alpha); }

Tensor Mish::forward(const Tensor& x) { return mish(x); }

Tensor LogSigmoid::forward(const Tensor& x) { return logsigmoid(x); }

Tensor Softsign::forward(const Tensor& x) { return softsign(x); }

Tensor Tanhshrink::forward(const Tensor& x) { return tanhshrink(x); }

Tensor Softmin::forward(const Tensor& x) { return softmin(x, dim); }
std::string Softmin::extra_repr() const { return fmt::format("dim={}", dim); }

}  // namespace tapegrad::nn
