// Activation functions: values and gradients against PyTorch (fixtures/activation.txt),
// gradcheck, double backward, stability at extreme inputs, and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;
using UnaryFn = std::function<Tensor(const Tensor&)>;

namespace {

const char* kTags[] = {"f64", "f32"};

// Every op as the fixtures name it, with the options each fixture used.
const std::vector<std::pair<std::string, UnaryFn>>& ops() {
  static const std::vector<std::pair<std::string, UnaryFn>> table = {
      {"relu", [](const Tensor& x) { return relu(x); }},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }},
      {"leaky_relu_0.2", [](const Tensor& x) { return leaky_relu(x, 0.2); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"tanh", [](const Tensor& x) { return tanh(x); }},
      {"gelu_none", [](const Tensor& x) { return gelu(x, GeluApprox::none); }},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); }},
      {"silu", [](const Tensor& x) { return silu(x); }},
      {"elu", [](const Tensor& x) { return elu(x); }},
      {"elu_0.5", [](const Tensor& x) { return elu(x, 0.5); }},
      {"softplus", [](const Tensor& x) { return softplus(x); }},
      {"softplus_b2_t5", [](const Tensor& x) { return softplus(x, 2.0, 5.0); }},
  };
  return table;
}

// Fixture case `name`: fn(in0) must equal PyTorch's out, and backward(gout) its grad0.
void check_case(const std::string& name, const UnaryFn& fn) {
  const auto& fx = fixtures::load("activation");
  INFO("fixture case ", name);
  Tensor x = fx[name + ".in0"].clone();
  x.requires_grad_(true);
  const Tensor out = fn(x);
  CHECK_CLOSE_T(out, fx[name + ".out"]);
  out.backward(fx[name + ".gout"]);
  CHECK_CLOSE_T(x.grad(), fx[name + ".grad0"]);
}

// Runs every fixture case called "<op>.<anything>"; returns how many there were.
int check_all_cases(const std::string& op, const UnaryFn& fn) {
  int n = 0;
  for (const auto& key : fixtures::load("activation").names(op + ".")) {
    const std::string suffix = ".out";
    if (key.size() < suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    check_case(key.substr(0, key.size() - suffix.size()), fn);
    ++n;
  }
  return n;
}

Tensor randn64(const Shape& shape, std::uint64_t seed) {
  Generator gen(seed);
  return randn(shape, {.dtype = DType::f64, .requires_grad = true}, &gen);
}

// x -> d/dx <w, f(x)> with create_graph, so gradcheck of it checks the second derivatives
GradcheckFn first_derivative(UnaryFn f, Tensor w) {
  return [f = std::move(f), w = std::move(w)](const std::vector<Tensor>& v) {
    EnableGradGuard enable;
    const Tensor y = f(v[0]);
    return grad({y}, {v[0]}, {w}, {.create_graph = true})[0];
  };
}

const std::vector<Shape> kShapes = {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 3, 4}};

}  // namespace

TEST_CASE("elementwise activations match PyTorch in float64 and float32, with every option") {
  // per op: 1-D, 2-D, 3-D and 0-d inputs in both dtypes, plus the kink / large-|x| / edge cases
  for (const auto& [op, fn] : ops()) {
    INFO("op ", op);
    CHECK(check_all_cases(op, fn) >= 8);
  }
}

TEST_CASE("kinks follow PyTorch: relu'(0) = 0, leaky_relu'(0) = slope, elu'(0) = alpha") {
  for (std::string tag : kTags) {
    check_case("relu.kink." + tag, [](const Tensor& x) { return relu(x); });
    check_case("leaky_relu_0.2.kink." + tag, [](const Tensor& x) { return leaky_relu(x, 0.2); });
    check_case("elu_0.5.kink." + tag, [](const Tensor& x) { return elu(x, 0.5); });
  }
  // by hand: at x = 0 with upstream gradient 1
  auto grad_at_zero = [](const UnaryFn& f) {
    Tensor x = scalar_tensor(0.0, {.dtype = DType::f64, .requires_grad = true});
    f(x).backward();
    return x.grad().item();
  };
  CHECK(grad_at_zero([](const Tensor& x) { return relu(x); }) == 0.0);
  CHECK(grad_at_zero([](const Tensor& x) { return leaky_relu(x, 0.2); }) == doctest::Approx(0.2));
  CHECK(grad_at_zero([](const Tensor& x) { return elu(x, 0.5); }) == doctest::Approx(0.5));
}

TEST_CASE("sigmoid, tanh, silu, elu and softplus stay finite for |x| up to 1e4") {
  for (std::string tag : kTags) {
    check_case("sigmoid.big." + tag, [](const Tensor& x) { return sigmoid(x); });
    check_case("tanh.big." + tag, [](const Tensor& x) { return tanh(x); });
    check_case("silu.big." + tag, [](const Tensor& x) { return silu(x); });
    check_case("elu.big." + tag, [](const Tensor& x) { return elu(x); });
    check_case("softplus.big." + tag, [](const Tensor& x) { return softplus(x); });
    check_case("softplus_b2_t5.big." + tag, [](const Tensor& x) { return softplus(x, 2.0, 5.0); });
  }
  // by hand: σ(±1e4) = 1, 0 and σ'(±1e4) = 0 (no NaN from inf/inf); softplus(-1e4) = 0
  Tensor x = tensor({-1e4, 0.0, 1e4}, {.dtype = DType::f64, .requires_grad = true});
  Tensor s = sigmoid(x);
  CHECK(s.to_vector() == std::vector<double>{0.0, 0.5, 1.0});
  s.sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0.0, 0.25, 0.0});
  CHECK(softplus(x).to_vector() == std::vector<double>{0.0, std::log(2.0), 1e4});
}

TEST_CASE("softplus switches to x only where beta * x > threshold") {
  for (std::string tag : kTags) {
    check_case("softplus.edge." + tag, [](const Tensor& x) { return softplus(x); });
    check_case("softplus_b2_t5.edge." + tag, [](const Tensor& x) { return softplus(x, 2.0, 5.0); });
  }
}

TEST_CASE("gelu matches PyTorch across [-8, 8] in both modes; the string option selects the mode") {
  for (std::string tag : kTags) {
    check_case("gelu_none.wide." + tag, [](const Tensor& x) { return gelu(x, "none"); });
    check_case("gelu_tanh.wide." + tag, [](const Tensor& x) { return gelu(x, GeluApprox::tanh); });
  }
  // by hand: gelu(1) = Φ(1) = 0.8413447460685429; tanh form: 0.5 (1 + tanh(√(2/π) 1.044715))
  const Tensor one = scalar_tensor(1.0, {.dtype = DType::f64});
  CHECK(gelu(one).item() == doctest::Approx(0.8413447460685429).epsilon(1e-14));
  CHECK(gelu(one, "tanh").item() ==
        doctest::Approx(0.5 * (1 + std::tanh(std::sqrt(2 / M_PI) * 1.044715))).epsilon(1e-14));
}

TEST_CASE("softmax and log_softmax match PyTorch along every dim, negative dims and 0-d") {
  const char* cases[] = {"2d.dim0", "2d.dim1",  "2d.dim-1", "2d.dim-2", "3d.dim0", "3d.dim1",
                         "3d.dim2", "3d.dim-1", "3d.dim-3", "1d.dim0",  "0d.dim0", "0d.dim-1"};
  const std::int64_t dims[] = {0, 1, -1, -2, 0, 1, 2, -1, -3, 0, 0, -1};
  for (std::string tag : kTags)
    for (std::size_t i = 0; i < std::size(cases); ++i) {
      const std::int64_t d = dims[i];
      check_case(fmt::format("softmax.{}.{}", cases[i], tag), [d](const Tensor& x) { return softmax(x, d); });
      check_case(fmt::format("log_softmax.{}.{}", cases[i], tag), [d](const Tensor& x) { return log_softmax(x, d); });
    }
}

TEST_CASE("softmax and log_softmax are stable for logits of ±1000 and handle -inf entries") {
  for (std::string tag : kTags)
    for (auto [c, d] :
         {std::pair{"extreme.dim-1", -1}, {"extreme.dim0", 0}, {"neginf.dim-1", -1}, {"neginf.dim0", 0}}) {
      const std::int64_t dim = d;
      check_case(fmt::format("softmax.{}.{}", c, tag), [dim](const Tensor& x) { return softmax(x, dim); });
      check_case(fmt::format("log_softmax.{}.{}", c, tag), [dim](const Tensor& x) { return log_softmax(x, dim); });
    }
  // a row that is all -inf gives NaN, as PyTorch; the other row is unaffected
  const auto& fx = fixtures::load("activation");
  for (std::string tag : kTags) {
    const Tensor x = fx["softmax.allneginf." + tag + ".in0"];
    CHECK_CLOSE_T(softmax(x, -1), fx["softmax.allneginf." + tag + ".out"]);
    CHECK_CLOSE_T(log_softmax(x, -1), fx["log_softmax.allneginf." + tag + ".out"]);
  }
  // by hand: softmax([0, -inf, 0]) = [1/2, 0, 1/2]
  const Tensor y = softmax(tensor({0.0, -INFINITY, 0.0}, {.dtype = DType::f64}), 0);
  CHECK(y.to_vector() == std::vector<double>{0.5, 0.0, 0.5});
}

TEST_CASE("log_softmax of [1000, -1000, 0] is finite and matches PyTorch") {
  for (DType dt : {DType::f64, DType::f32}) {
    Tensor x = tensor({1000.0, -1000.0, 0.0}, {.dtype = dt, .requires_grad = true});
    Tensor y = log_softmax(x, 0);
    for (double v : y.to_vector()) CHECK(std::isfinite(v));
    // PyTorch: tensor([0., -2000., -1000.]); by hand: log(1 + e^-1000 + e^-2000) rounds to 0
    CHECK(y.to_vector() == std::vector<double>{0.0, -2000.0, -1000.0});
    y.backward(tensor({1.0, 2.0, 3.0}, {.dtype = dt}));
    // dx = g - softmax(x) Σg = [1 - 6, 2, 3]
    CHECK(x.grad().to_vector() == std::vector<double>{-5.0, 2.0, 3.0});
  }
}

TEST_CASE("Tensor::relu, Tensor::sigmoid and Tensor::tanh are the free functions") {
  const Tensor x = tensor({-2.0, -0.5, 0.0, 0.5, 2.0}, {.dtype = DType::f64});
  CHECK(x.relu().to_vector() == relu(x).to_vector());
  CHECK(x.sigmoid().to_vector() == sigmoid(x).to_vector());
  CHECK(x.tanh().to_vector() == tanh(x).to_vector());
  CHECK(x.relu().to_vector() == std::vector<double>{0.0, 0.0, 0.0, 0.5, 2.0});
}

TEST_CASE("gradcheck: every elementwise activation on 0-d, 1-D, 2-D and 3-D inputs") {
  std::uint64_t seed = 1;
  for (const auto& [op, fn] : ops())
    for (const Shape& shape : kShapes) {
      INFO("op ", op, " shape ", shape);
      CHECK(gradcheck([fn = fn](const std::vector<Tensor>& v) { return fn(v[0]); }, {randn64(shape, seed++)}));
    }
}

TEST_CASE("gradcheck: softmax and log_softmax along every dim") {
  std::uint64_t seed = 100;
  for (const Shape& shape : kShapes)
    for (std::int64_t d = -std::max<std::int64_t>(shape.size(), 1); d < std::max<std::int64_t>(shape.size(), 1); ++d) {
      INFO("shape ", shape, " dim ", d);
      const Tensor x = randn64(shape, seed++);
      CHECK(gradcheck([d](const std::vector<Tensor>& v) { return softmax(v[0], d); }, {x}));
      CHECK(gradcheck([d](const std::vector<Tensor>& v) { return log_softmax(v[0], d); }, {x}));
    }
}

TEST_CASE("double backward: the backward rules are themselves differentiable") {
  std::uint64_t seed = 200;
  std::vector<std::pair<std::string, UnaryFn>> all = ops();
  all.emplace_back("softmax0", [](const Tensor& x) { return softmax(x, 0); });
  all.emplace_back("softmax-1", [](const Tensor& x) { return softmax(x, -1); });
  all.emplace_back("log_softmax0", [](const Tensor& x) { return log_softmax(x, 0); });
  all.emplace_back("log_softmax-1", [](const Tensor& x) { return log_softmax(x, -1); });
  for (const auto& [op, fn] : all)
    for (const Shape& shape : {Shape{}, Shape{2, 3}}) {
      INFO("op ", op, " shape ", shape);
      const Tensor w = randn64(shape, seed++).detach();
      CHECK(gradcheck(first_derivative(fn, w), {randn64(shape, seed++)}));
    }
}

TEST_CASE("softmax and log_softmax reject a dim out of range with ValueError naming the op") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(softmax(x, 2), doctest::Contains("softmax"), ValueError);
  CHECK_THROWS_WITH_AS(softmax(x, -3), doctest::Contains("softmax"), ValueError);
  CHECK_THROWS_WITH_AS(log_softmax(x, 2), doctest::Contains("log_softmax"), ValueError);
  CHECK_THROWS_WITH_AS(log_softmax(x, -3), doctest::Contains("log_softmax"), ValueError);
  CHECK_THROWS_WITH_AS(softmax(scalar_tensor(1.0), 1), doctest::Contains("softmax"), ValueError);
}

TEST_CASE("gelu rejects an unknown approximate option with ValueError") {
  CHECK_THROWS_WITH_AS(gelu(zeros({2}), "exact"), doctest::Contains("gelu"), ValueError);
}

TEST_CASE("activations of an int64 tensor throw DTypeError naming the op") {
  const Tensor i = arange(0.0, 4.0, 1.0, {.dtype = DType::i64});
  CHECK_THROWS_WITH_AS(relu(i), doctest::Contains("relu"), DTypeError);
  CHECK_THROWS_WITH_AS(leaky_relu(i), doctest::Contains("leaky_relu"), DTypeError);
  CHECK_THROWS_WITH_AS(sigmoid(i), doctest::Contains("sigmoid"), DTypeError);
  CHECK_THROWS_WITH_AS(tanh(i), doctest::Contains("tanh"), DTypeError);
  CHECK_THROWS_WITH_AS(gelu(i), doctest::Contains("gelu"), DTypeError);
  CHECK_THROWS_WITH_AS(silu(i), doctest::Contains("silu"), DTypeError);
  CHECK_THROWS_WITH_AS(elu(i), doctest::Contains("elu"), DTypeError);
  CHECK_THROWS_WITH_AS(softplus(i), doctest::Contains("softplus"), DTypeError);
  CHECK_THROWS_WITH_AS(softmax(i, 0), doctest::Contains("softmax"), DTypeError);
  CHECK_THROWS_WITH_AS(log_softmax(i, 0), doctest::Contains("log_softmax"), DTypeError);
}
