// nn::Linear: forward and gradients (input, weight, bias) against torch.nn.Linear with its
// weights loaded from the fixture, default initialisation, gradcheck, repr and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "nn_fixtures.hpp"

using namespace tapegrad;

namespace {
// Linear(in, out) whose weight and bias are the given tensors (registered, so they are its
// parameters; gradcheck passes fresh leaves)
Tensor linear_with(const Tensor& x, const Tensor& w, const Tensor& b) {
  nn::Linear lin(w.size(1), w.size(0), b.defined());
  lin.weight = lin.register_parameter("weight", w);
  lin.bias = lin.register_parameter("bias", b);
  return lin(x);
}
}  // namespace

TEST_CASE("Linear matches torch.nn.Linear: 2-D, no bias, 3-D, 4-D and 1-D input, float64 and float32") {
  for (std::string tag : {"f64", "f32"}) {
    {
      nn::Linear lin(3, 5);
      nn_fixtures::check_module_case(lin, "linear.2d." + tag);
    }
    {
      nn::Linear lin(3, 5, false);
      nn_fixtures::check_module_case(lin, "linear.nobias." + tag);
    }
    {
      nn::Linear lin(3, 2);
      nn_fixtures::check_module_case(lin, "linear.3d." + tag);
    }
    {
      nn::Linear lin(3, 4);
      nn_fixtures::check_module_case(lin, "linear.4d." + tag);
    }
    {
      nn::Linear lin(4, 3);
      nn_fixtures::check_module_case(lin, "linear.1d." + tag);
    }
  }
}

TEST_CASE("Linear by hand: y = x Wᵀ + b and its gradients") {
  nn::Linear lin(2, 1);
  lin.load_state_dict([] {
    nn::StateDict sd;
    sd.set("weight", tensor({2.0, -1.0}, {1, 2}));
    sd.set("bias", tensor({0.5}));
    return sd;
  }());
  const Tensor x = tensor({1.0, 3.0, -2.0, 4.0}, {2, 2}, {.requires_grad = true});
  const Tensor y = lin(x);
  // [1, 3]·[2, -1] + 0.5 = -0.5; [-2, 4]·[2, -1] + 0.5 = -7.5
  CHECK(y.shape() == Shape{2, 1});
  CHECK(y.to_vector() == std::vector<double>{-0.5, -7.5});
  y.sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{2.0, -1.0, 2.0, -1.0});  // dx = g W
  CHECK(lin.weight.grad().to_vector() == std::vector<double>{-1.0, 7.0});    // dW = gᵀ x
  CHECK(lin.bias.grad().to_vector() == std::vector<double>{2.0});            // db = sum g
}

TEST_CASE("Linear's parameters, state_dict keys and repr are torch's") {
  nn::Linear lin(3, 5);
  CHECK(lin.weight.shape() == Shape{5, 3});
  CHECK(lin.bias.shape() == Shape{5});
  CHECK(lin.weight.requires_grad());
  CHECK(lin.weight.dtype() == DType::f32);
  CHECK(lin.state_dict().keys() == nn_fixtures::lines("linear.2d.f64.keys"));
  CHECK(nn::Linear(3, 5, false).state_dict().keys() == nn_fixtures::lines("linear.nobias.f64.keys"));
  CHECK(lin.num_parameters() == 20);
  // torch: Linear(in_features=3, out_features=5, bias=True)
  CHECK(lin.repr() == nn_fixtures::text("linear.2d.f64.repr") + "\nTotal parameters: 20 (trainable: 20)");
  // torch: Linear(in_features=3, out_features=2, bias=False)
  CHECK(nn::Linear(3, 2, false).repr() ==
        nn_fixtures::text("repr.linear_nobias") + "\nTotal parameters: 6 (trainable: 6)");
}

TEST_CASE("Linear's default init is U(-1/sqrt(in), 1/sqrt(in)) for weight and bias, as PyTorch") {
  manual_seed(7);
  nn::Linear lin(400, 600);
  const double bound = 1.0 / std::sqrt(400.0);  // 0.05
  const auto w = lin.weight.to_vector();
  const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
  CHECK(*lo >= -bound);
  CHECK(*hi <= bound);
  CHECK(*lo < -0.99 * bound);  // 240,000 draws reach the ends
  CHECK(*hi > 0.99 * bound);
  // U(-b, b): mean 0, std b / sqrt(3)
  double sum = 0, sq = 0;
  for (double v : w) sum += v, sq += v * v;
  const double n = static_cast<double>(w.size());
  CHECK(std::abs(sum / n) < 0.006 * bound);  // 5 standard errors of the mean
  CHECK(std::sqrt(sq / n) == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.01));
  const auto b = lin.bias.to_vector();
  CHECK(*std::min_element(b.begin(), b.end()) >= -bound);
  CHECK(*std::max_element(b.begin(), b.end()) <= bound);
  CHECK(*std::max_element(b.begin(), b.end()) > 0.9 * bound);
  // seeded: the same seed draws the same weights
  manual_seed(7);
  nn::Linear again(400, 600);
  CHECK(again.weight.to_vector() == w);
  CHECK(again.bias.to_vector() == b);
}

TEST_CASE("gradcheck: Linear with and without bias, 1-D to 3-D input") {
  Generator gen(5);
  auto r = [&](Shape s) { return randn(s, {.dtype = DType::f64, .requires_grad = true}, &gen); };
  auto fn = [](const std::vector<Tensor>& v) { return linear_with(v[0], v[1], v.size() > 2 ? v[2] : Tensor()); };
  CHECK(gradcheck(fn, {r({4, 3}), r({5, 3}), r({5})}));
  CHECK(gradcheck(fn, {r({2, 3, 3}), r({2, 3}), r({2})}));
  CHECK(gradcheck(fn, {r({3}), r({4, 3}), r({4})}));
  CHECK(gradcheck(fn, {r({4, 3}), r({5, 3})}));
}

TEST_CASE("to(f64) converts the layer in place; reset_parameters redraws") {
  nn::Linear lin(3, 2);
  const Tensor w = lin.weight;
  lin.to(DType::f64);
  CHECK(w.dtype() == DType::f64);
  CHECK(lin(ones({1, 3}, {.dtype = DType::f64})).dtype() == DType::f64);
  const auto before = w.to_vector();
  lin.reset_parameters();
  CHECK(w.to_vector() != before);
  CHECK(lin.weight.is_same(w));
}

TEST_CASE("bad input: Linear sizes, input width and dtype") {
  CHECK_THROWS_WITH_AS(nn::Linear(-1, 3), doctest::Contains("Linear"), ValueError);
  nn::Linear lin(3, 2);
  CHECK_THROWS_WITH_AS(lin(zeros({4, 5})), doctest::Contains("linear"), ShapeError);
  CHECK_THROWS_WITH_AS(lin(zeros({4, 3}, {.dtype = DType::f64})), doctest::Contains("linear"), DTypeError);
  // zero-size layers are allowed, as torch: with in_features 0 the bias bound is 0, so y = 0
  nn::Linear empty_in(0, 2);
  CHECK(empty_in(zeros({4, 0})).shape() == Shape{4, 2});
  CHECK(empty_in(zeros({4, 0})).to_vector() == std::vector<double>(8, 0.0));
}
