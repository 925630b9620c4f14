// gradcheck itself: it passes correct gradients and reports the worst element of wrong ones.
#include <doctest/doctest.h>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
// x^2 with a deliberately wrong backward (the textbook slip: missing factor 2)
Tensor bad_square(const Tensor& x) {
  Tensor out;
  {
    NoGradGuard ng;
    out = x * x;
  }
  record(out, {"bad_square", "dx = g * x (wrong on purpose)"}, {x},
         [x = save(x)](const Tensor& g) { return GradList{g * x.unpack()}; });
  return out;
}
}  // namespace

TEST_CASE("gradcheck passes a correct gradient and converts float32 inputs to float64") {
  Tensor x = tensor({0.5, -1.0, 2.0}, {.requires_grad = true});  // float32 input
  GradcheckReport r = gradcheck([](const TL& v) { return v[0] * v[0] * v[0]; }, {x});
  CHECK(r);
  CHECK(r.ok);
  CHECK(r.message().find("passed") != std::string::npos);
}

TEST_CASE("gradcheck reports the input, the worst element, and both values on failure") {
  Tensor a = tensor({1.0, 2.0}, {.dtype = DType::f64, .requires_grad = true});
  Tensor x = tensor({1.0, 3.0, -2.0}, Shape{3}, {.dtype = DType::f64, .requires_grad = true});
  GradcheckReport r = gradcheck([](const TL& v) { return sum(v[0]) + bad_square(v[1]); }, {a, x});
  CHECK_FALSE(r);
  CHECK(r.input == 1);
  CHECK(r.index == std::vector<std::int64_t>{1});  // x = 3: numerical 6, analytical 3, the largest error
  CHECK(r.output_element == 1);
  CHECK(r.numerical == doctest::Approx(6.0).epsilon(1e-6));
  CHECK(r.analytical == 3.0);
  const std::string m = r.message();
  CHECK(m.find("failed at input 1 element [1]") != std::string::npos);
  CHECK(m.find("numerical 6") != std::string::npos);
}

TEST_CASE("gradcheck says why it could not run") {
  Tensor x = tensor({1.0}, {.dtype = DType::f64});
  CHECK(gradcheck([](const TL& v) { return v[0]; }, {x}).problem == "no input requires grad");
  Tensor y = tensor({1.0}, {.dtype = DType::f64, .requires_grad = true});
  GradcheckReport r = gradcheck([](const TL& v) -> Tensor { throw ValueError("boom"); }, {y});
  CHECK_FALSE(r);
  CHECK(r.problem.find("boom") != std::string::npos);
}

TEST_CASE("gradcheck options: a tight tolerance fails what the default passes") {
  Tensor x = tensor({1.0, 2.0}, {.dtype = DType::f64, .requires_grad = true});
  auto fn = [](const TL& v) { return exp(v[0]); };
  CHECK(gradcheck(fn, {x}));
  CHECK_FALSE(gradcheck(fn, {x}, {.eps = 1e-1, .atol = 1e-12, .rtol = 1e-12}));
}
