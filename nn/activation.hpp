#pragma once
// Activation modules, as torch.nn's: thin Module wrappers over the functions in
// autograd/ops/activation.hpp, plus Identity and Flatten. None has parameters.
#include <cstdint>
#include <string>
#include <string_view>

#include "../autograd/ops/activation.hpp"
#include "module.hpp"

namespace tapegrad::nn {

/// max(x, 0). Prints as `ReLU()`.
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ReLU"; }
};

/// x where x > 0, else negative_slope * x. Prints as `LeakyReLU(negative_slope=0.01)`.
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;  ///< slope for x < 0
};

/// 1 / (1 + e^-x). Prints as `Sigmoid()`.
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sigmoid"; }
};

/// tanh(x). Prints as `Tanh()`.
class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Tanh"; }
};

/// Gaussian error linear unit, exact ("none", the default) or the tanh approximation
/// ("tanh"). Prints as `GELU(approximate='none')`. Throws ValueError for another string.
class GELU : public Module {
 public:
  explicit GELU(std::string_view approximate = "none");
  explicit GELU(GeluApprox approximate) : approximate(approximate) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override;
  GeluApprox approximate;  ///< exact or tanh form
};

/// x * sigmoid(x). Prints as `SiLU()`.
class SiLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SiLU"; }
};

/// x where x > 0, else alpha * (e^x - 1). Prints as `ELU(alpha=1.0)`.
class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha;  ///< scale of the negative branch
};

/// log(1 + e^(beta x)) / beta, and x where beta x > threshold. Prints as
/// `Softplus(beta=1, threshold=20)`: integral values print without ".0", as torch 1.13 prints
/// its integer defaults (torch prints `beta=2.0` for a float 2.0 that it was given).
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0) : beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softplus"; }
  std::string extra_repr() const override;
  double beta;       ///< sharpness
  double threshold;  ///< where beta * x > threshold the output is x itself
};

/// softmax along dim. Unlike torch (where dim may be None, deprecated), dim is required.
/// Prints as `Softmax(dim=1)`.
class Softmax : public Module {
 public:
  explicit Softmax(std::int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override;
  std::int64_t dim;  ///< the dim normalised over
};

/// log_softmax along dim (required, as Softmax). Prints as `LogSoftmax(dim=1)`.
class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(std::int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override;
  std::int64_t dim;  ///< the dim normalised over
};

/// Returns its input (the same tensor). Prints as `Identity()`.
class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Identity"; }
};

/// Merges dims start_dim..end_dim into one (by default all but the batch dim):
/// [N, C, H, W] -> [N, C*H*W]. Prints as `Flatten(start_dim=1, end_dim=-1)`.
class Flatten : public Module {
 public:
  explicit Flatten(std::int64_t start_dim = 1, std::int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  std::int64_t start_dim;  ///< first dim merged
  std::int64_t end_dim;    ///< last dim merged (inclusive)
};

}  // namespace tapegrad::nn
