#pragma once
// More activation modules, as torch.nn's: thin Module wrappers over the functions in
// autograd/ops/activation_extra.hpp. None has parameters. As the modules in activation.hpp,
// they take no `inplace` argument (tapegrad's activations always return a new tensor).
#include <cstdint>
#include <string>

#include "../autograd/ops/activation_extra.hpp"
#include "module.hpp"

namespace tapegrad::nn {

/// x clamped to [min_val, max_val], gradient 0 at the bounds. Prints as
/// `Hardtanh(min_val=-1.0, max_val=1.0)`. Throws ValueError unless min_val < max_val (torch's
/// constructor asserts the same).
class Hardtanh : public Module {
 public:
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Hardtanh"; }
  std::string extra_repr() const override;
  double min_val;  ///< lower bound of the linear region
  double max_val;  ///< upper bound of the linear region
};

/// min(max(x, 0), 6). Prints as `ReLU6()`.
class ReLU6 : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ReLU6"; }
};

/// min(max(x + 3, 0), 6) / 6. Prints as `Hardsigmoid()`.
class Hardsigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Hardsigmoid"; }
};

/// x * hardsigmoid(x). Prints as `Hardswish()`.
class Hardswish : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Hardswish"; }
};

/// scale * elu(x, alpha) with torch's fixed alpha and scale. Prints as `SELU()`.
class SELU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SELU"; }
};

/// x where x > 0, else alpha * (e^(x/alpha) - 1). Prints as `CELU(alpha=1.0)`. alpha == 0
/// throws ValueError at forward, as torch.
class CELU : public Module {
 public:
  explicit CELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "CELU"; }
  std::string extra_repr() const override;
  double alpha;  ///< scale of the negative branch
};

/// x * tanh(softplus(x)). Prints as `Mish()`.
class Mish : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Mish"; }
};

/// log(sigmoid(x)), finite for any finite x. Prints as `LogSigmoid()`.
class LogSigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LogSigmoid"; }
};

/// x / (1 + |x|). Prints as `Softsign()`.
class Softsign : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softsign"; }
};

/// x - tanh(x). Prints as `Tanhshrink()`.
class Tanhshrink : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Tanhshrink"; }
};

/// softmax(-x) along dim. Unlike torch (where dim may be None, deprecated), dim is required,
/// as for Softmax. Prints as `Softmin(dim=1)`.
class Softmin : public Module {
 public:
  explicit Softmin(std::int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softmin"; }
  std::string extra_repr() const override;
  std::int64_t dim;  ///< the dim normalised over
};

}  // namespace tapegrad::nn
