// nn::LayerNorm against torch.nn.functional.layer_norm values and gradients (fixtures/norm.txt,
// ln_* from gen_norm.py) through the module's own parameters, gradcheck, defaults, bad input.
#include <doctest/doctest.h>
#include <tapegrad/nn/layernorm.hpp>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};

// Runs fixture case `name` (inputs x[, weight, bias]) through a LayerNorm whose parameters hold
// the fixture's weight and bias (or, without them, an affine-free LayerNorm).
void check_module_case(const fixtures::Family& fx, const std::string& name, const Shape& ns, bool affine,
                       double eps = 1e-5) {
  CAPTURE(name);
  nn::LayerNorm ln(ns, eps, affine);
  const Tensor x0 = fx[name + ".in0"];
  ln.to(x0.dtype());
  if (affine) {
    NoGradGuard no_grad;
    ln.weight.copy_(fx[name + ".in1"]);
    ln.bias.copy_(fx[name + ".in2"]);
  }
  Tensor x = x0.clone().requires_grad_(true);
  const Tensor out = ln(x);
  CHECK_CLOSE_T(out, fx[name + ".out"]);
  out.backward(fx[name + ".gout"]);
  CHECK_CLOSE_T(x.grad(), fx[name + ".grad0"]);
  if (affine) {
    CHECK_CLOSE_T(ln.weight.grad(), fx[name + ".grad1"]);
    CHECK_CLOSE_T(ln.bias.grad(), fx[name + ".grad2"]);
  }
}
}  // namespace

TEST_CASE("LayerNorm matches torch over the last 1 and 2 dims, with and without elementwise_affine") {
  const auto& fx = fixtures::load("norm");
  for (std::string tag : kTags) {
    check_module_case(fx, "ln_last1_affine_" + tag, {5}, true);
    check_module_case(fx, "ln_last1_plain_" + tag, {5}, false);
    check_module_case(fx, "ln_last2_affine_" + tag, {3, 4}, true);
    check_module_case(fx, "ln_last2_plain_" + tag, {3, 4}, false);
    check_module_case(fx, "ln_last1_eps_" + tag, {6}, true, 1e-1);
    check_module_case(fx, "ln_1d_" + tag, {7}, true);
  }
}

TEST_CASE("LayerNorm defaults, state_dict keys and repr are torch's") {
  nn::LayerNorm ln({3, 4});
  CHECK(ln.weight.shape() == Shape{3, 4});
  CHECK(ln.weight.to_vector() == std::vector<double>(12, 1.0));
  CHECK(ln.bias.to_vector() == std::vector<double>(12, 0.0));
  CHECK(ln.state_dict().keys() == std::vector<std::string>{"weight", "bias"});
  CHECK(ln.num_parameters() == 24);
  CHECK(ln.extra_repr() == "(3, 4), eps=1e-05, elementwise_affine=True");
  nn::LayerNorm ln5({5}, 1e-3, false);
  CHECK(nn::LayerNorm(5).normalized_shape == Shape{5});
  CHECK(ln5.normalized_shape == Shape{5});
  CHECK(ln5.extra_repr() == "(5,), eps=0.001, elementwise_affine=False");
  CHECK(ln5.parameters().empty());
  CHECK(ln5.state_dict().empty());
}

TEST_CASE("gradcheck: LayerNorm forward over 1 and 2 dims") {
  for (const Shape& ns : {Shape{4}, Shape{3, 4}}) {
    CAPTURE(ns);
    nn::LayerNorm ln(ns);
    ln.to(DType::f64);
    {
      NoGradGuard no_grad;
      ln.weight.copy_(randn(ns));
      ln.bias.copy_(randn(ns));
    }
    const Tensor x = randn({2, 3, 4}, {.dtype = DType::f64, .requires_grad = true});
    CHECK(gradcheck([&ln](const TL& v) { return ln(v[0]); }, {x}));
  }
}

TEST_CASE("LayerNorm rejects bad input, naming layer_norm or LayerNorm") {
  nn::LayerNorm ln({3, 4});
  CHECK_THROWS_WITH_AS(ln(randn({2, 4, 3})), doctest::Contains("layer_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(ln(randn({4})), doctest::Contains("layer_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(ln(randn({3, 4}, {.dtype = DType::f64})), doctest::Contains("layer_norm"), DTypeError);
  CHECK_THROWS_WITH_AS(nn::LayerNorm(Shape{}), doctest::Contains("LayerNorm"), ValueError);
}
