#pragma once
// gradcheck: compares the analytical gradients autograd computes with central differences,
// like torch.autograd.gradcheck. Usable from any test framework or a plain program.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace tapegrad {

/// Tolerances, with torch.autograd.gradcheck's defaults. An element passes when
/// |analytical - numerical| <= atol + rtol * |numerical|.
struct GradcheckOptions {
  double eps = 1e-6;   ///< step of the central difference (f(x+eps) - f(x-eps)) / 2eps
  double atol = 1e-5;
  double rtol = 1e-3;
};

/// What gradcheck found. Converts to true when every element passed; printing it (or
/// `message()`) describes the worst element.
struct GradcheckReport {
  bool ok = true;
  std::size_t input = 0;            ///< index of the input holding the worst element
  std::vector<std::int64_t> index;  ///< the worst element's index within that input
  std::int64_t output_element = 0;  ///< flat index of the output element of the worst entry
  double numerical = 0;             ///< d output / d input by central differences
  double analytical = 0;            ///< the same by autograd
  double error = 0;                 ///< |analytical - numerical|
  double allowed = 0;               ///< atol + rtol * |numerical| at that element
  std::string problem;              ///< set when the check could not run (e.g. fn threw)

  explicit operator bool() const { return ok; }
  std::string message() const;
};
std::ostream& operator<<(std::ostream& os, const GradcheckReport& r);

/// The function under test: takes the inputs, returns one tensor (any shape).
using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

/// Checks every d output[j] / d input[i][k] for the inputs that require grad. The inputs are
/// copied to float64 first (the check is meaningless in float32); fn is called with the copies.
/// Inputs that do not require grad are passed through unchanged and not checked.
GradcheckReport gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions options = {});

}  // namespace tapegrad
