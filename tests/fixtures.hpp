#pragma once
// Reads the fixtures that tests/fixtures/generate.py writes from PyTorch, and compares tensors.
// File format (tests/fixtures/<family>.txt), one tensor a line:
//   name dtype ndim d0 d1 ... v0 v1 ...      (dtype: float32 | float64 | int64; values %.17g)
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <functional>
#include <map>
#include <string>

namespace fixtures {

/// The tensors of one family file, by name. Loaded once; a missing file or name fails loudly.
class Family {
 public:
  explicit Family(const std::string& family);
  /// The tensor called name (throws std::runtime_error naming the file if absent).
  tapegrad::Tensor operator[](const std::string& name) const;
  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  /// Names starting with prefix (e.g. every case of one op).
  std::vector<std::string> names(const std::string& prefix = "") const;
  std::size_t size() const { return tensors_.size(); }

 private:
  std::string path_;
  std::map<std::string, tapegrad::Tensor> tensors_;
};

/// The family loaded from TAPEGRAD_FIXTURE_DIR/<family>.txt (cached).
const Family& load(const std::string& family);

/// Empty if actual matches expected (same shape, and every element within
/// atol + rtol * |expected|, NaN matching NaN and inf matching inf); otherwise a description of
/// the first mismatch. Defaults: rtol 1e-12 / atol 1e-12 for float64, 1e-5 / 1e-6 for float32.
std::string mismatch(const tapegrad::Tensor& actual, const tapegrad::Tensor& expected, double rtol = -1,
                     double atol = -1);

/// Runs one fixture case written by Writer.case: loads name.in0..in{n-1} (float inputs become
/// leaves requiring grad), checks fn(inputs) against name.out and, where the fixture has
/// gradients, backward(name.gout) against name.grad{i}. Returns the mismatches ("" if none).
std::string check_case(const Family& fam, const std::string& name, std::size_t n_inputs,
                       const std::function<tapegrad::Tensor(const std::vector<tapegrad::Tensor>&)>& fn);

/// A float64 value worked by hand, compared to 1e-12 relative (doctest::Approx's default is
/// float32's 1e-5, far too loose for float64).
inline doctest::Approx approx64(double v) { return doctest::Approx(v).epsilon(1e-12); }

}  // namespace fixtures

/// CHECK a whole fixture case (see fixtures::check_case).
#define CHECK_CASE(fam, name, n, fn)                                             \
  do {                                                                           \
    const std::string tg_case_ = fixtures::check_case((fam), (name), (n), (fn)); \
    CHECK_MESSAGE(tg_case_.empty(), (name) << ": " << tg_case_);                 \
  } while (0)

/// CHECK that two tensors match within the dtype's default tolerance, printing the mismatch.
#define CHECK_CLOSE_T(actual, expected)                                        \
  do {                                                                         \
    const std::string tg_mismatch_ = fixtures::mismatch((actual), (expected)); \
    CHECK_MESSAGE(tg_mismatch_.empty(), tg_mismatch_);                         \
  } while (0)
/// As CHECK_CLOSE_T with explicit tolerances.
#define CHECK_CLOSE_TOL(actual, expected, rtol, atol)                                          \
  do {                                                                                         \
    const std::string tg_mismatch_ = fixtures::mismatch((actual), (expected), (rtol), (atol)); \
    CHECK_MESSAGE(tg_mismatch_.empty(), tg_mismatch_);                                         \
  } while (0)
