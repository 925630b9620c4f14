#pragma once
// Dropout, as torch.nn.Dropout: inverted scaling in training, the identity in eval.
#include <string>

#include "../autograd/random.hpp"
#include "module.hpp"

namespace tapegrad::nn {

/// In training mode, zeroes each element with probability p and scales the others by
/// 1 / (1 - p), so the expected output equals the input; in eval mode (or with p = 0) returns
/// the input itself. p = 1 gives zeros. The mask is drawn from `generator` (or from
/// default_generator() when null), so manual_seed makes runs reproducible; the numbers are
/// tapegrad's own, not PyTorch's for the same seed. The generator must outlive the module.
/// The gradient is the upstream gradient times the same mask. Prints as
/// `Dropout(p=0.5, inplace=False)` (there is no in-place mode). Throws ValueError unless
/// 0 <= p <= 1.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* generator = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;

  double p;              ///< probability of zeroing an element
  Generator* generator;  ///< source of the mask; null: default_generator()
};

}  // namespace tapegrad::nn
