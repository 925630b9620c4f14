// Regression losses (mse, l1, smooth_l1, huber): values and gradients against PyTorch for every
// reduction and option (fixtures/losses.txt), hand-worked values, gradcheck and bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"
#include "loss_cases.hpp"

using namespace tapegrad;
using namespace tapegrad::losses;
using loss_cases::randn64;
using loss_cases::reduction;
using loss_cases::run_all;

namespace {
const std::vector<Shape> kShapes = {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 3, 4}};
}  // namespace

TEST_CASE("mse_loss matches torch for every shape, reduction and dtype") {
  CHECK(run_all("mse.", [](const auto& in, const auto&, const auto& o) {
          return mse_loss(in[0], in[1], {.reduction = reduction(o[0])});
        }) == 24);
}

TEST_CASE("l1_loss matches torch, including the zero gradient at input == target") {
  CHECK(run_all("l1.", [](const auto& in, const auto&, const auto& o) {
          return l1_loss(in[0], in[1], {.reduction = reduction(o[0])});
        }) == 26);
}

TEST_CASE("smooth_l1_loss matches torch for beta 1, 0.5 and 0 and at the kinks") {
  CHECK(run_all("smooth_l1.", [](const auto& in, const auto&, const auto& o) {
          return smooth_l1_loss(in[0], in[1], {.beta = o[1], .reduction = reduction(o[0])});
        }) == 76);
}

TEST_CASE("huber_loss matches torch for delta 1 and 2.5 and at the kinks") {
  CHECK(run_all("huber.", [](const auto& in, const auto&, const auto& o) {
          return huber_loss(in[0], in[1], {.delta = o[1], .reduction = reduction(o[0])});
        }) == 52);
}

TEST_CASE("regression losses by hand") {
  const Tensor x = tensor({1.0, 2.0, 5.0}, {.dtype = DType::f64});
  const Tensor y = tensor({1.5, 0.0, 1.0}, {.dtype = DType::f64});
  // d = [-0.5, 2, 4]
  CHECK(mse_loss(x, y).item() == fixtures::approx64((0.25 + 4 + 16) / 3.0));
  CHECK(mse_loss(x, y, {.reduction = Reduction::sum}).item() == fixtures::approx64(20.25));
  CHECK(l1_loss(x, y).item() == fixtures::approx64(6.5 / 3.0));
  // smooth_l1 (beta 1): 0.5 * 0.25 = 0.125, 2 - 0.5 = 1.5, 4 - 0.5 = 3.5
  CHECK(smooth_l1_loss(x, y, {.reduction = Reduction::sum}).item() == fixtures::approx64(5.125));
  // huber (delta 2): 0.125, 2 * (2 - 1) = 2 (z == delta is outside), 2 * (4 - 1) = 6
  CHECK(huber_loss(x, y, {.delta = 2.0, .reduction = Reduction::sum}).item() == fixtures::approx64(8.125));
  const Tensor none = mse_loss(x, y, {.reduction = Reduction::none});
  CHECK(none.shape() == Shape{3});
  CHECK(none.to_vector() == std::vector<double>{0.25, 4.0, 16.0});
}

TEST_CASE("regression losses pass gradcheck for input and target") {
  for (const Shape& shape : kShapes)
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
      CAPTURE(shape);
      CAPTURE(static_cast<int>(r));
      const std::vector<Tensor> in = {randn64(shape, 1), randn64(shape, 2)};
      CHECK(gradcheck([r](const auto& v) { return mse_loss(v[0], v[1], {.reduction = r}); }, in));
      CHECK(gradcheck([r](const auto& v) { return l1_loss(v[0], v[1], {.reduction = r}); }, in));
      CHECK(gradcheck([r](const auto& v) { return smooth_l1_loss(v[0], v[1], {.beta = 0.7, .reduction = r}); }, in));
      CHECK(gradcheck([r](const auto& v) { return huber_loss(v[0], v[1], {.delta = 0.8, .reduction = r}); }, in));
    }
}

TEST_CASE("regression losses are twice differentiable") {
  const Tensor x = randn64({2, 3}, 3), y = randn64({2, 3}, 4);
  auto first = [](auto loss) {
    return [loss](const std::vector<Tensor>& v) {
      EnableGradGuard enable;
      return grad({loss(v[0], v[1])}, {v[0]}, {}, {.create_graph = true})[0];
    };
  };
  CHECK(gradcheck(first([](const Tensor& a, const Tensor& b) { return mse_loss(a, b); }), {x, y}));
  CHECK(gradcheck(first([](const Tensor& a, const Tensor& b) { return smooth_l1_loss(a, b, {.beta = 2.0}); }), {x, y}));
  CHECK(gradcheck(first([](const Tensor& a, const Tensor& b) { return huber_loss(a, b, {.delta = 3.0}); }), {x, y}));
}

TEST_CASE("regression losses reject mismatched shapes and dtypes") {
  const Tensor x = zeros({2, 3}), y = zeros({3});
  CHECK_THROWS_WITH_AS(mse_loss(x, y), doctest::Contains("mse_loss: input shape [2, 3] and target shape [3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(l1_loss(x, y), doctest::Contains("l1_loss"), ShapeError);
  CHECK_THROWS_WITH_AS(smooth_l1_loss(x, zeros({2, 3}, {.dtype = DType::f64})), doctest::Contains("smooth_l1_loss"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(huber_loss(zeros({2}, {.dtype = DType::i64}), zeros({2}, {.dtype = DType::i64})),
                       doctest::Contains("huber_loss"), DTypeError);
}

TEST_CASE("regression losses reject bad options") {
  const Tensor x = zeros({2}), y = ones({2});
  CHECK_THROWS_WITH_AS(smooth_l1_loss(x, y, {.beta = -1.0}), doctest::Contains("smooth_l1_loss: beta"), ValueError);
  CHECK_THROWS_WITH_AS(huber_loss(x, y, {.delta = 0.0}), doctest::Contains("huber_loss: delta"), ValueError);
  CHECK_THROWS_WITH_AS(mse_loss(x, y, {.reduction = Reduction::batchmean}), doctest::Contains("mse_loss"), ValueError);
  CHECK_THROWS_WITH_AS(l1_loss(x, y, {.reduction = static_cast<Reduction>(9)}), doctest::Contains("l1_loss"),
                       ValueError);
  CHECK(parse_reduction("sum") == Reduction::sum);
  CHECK(reduction_name(Reduction::batchmean) == "batchmean");
  CHECK_THROWS_WITH_AS(parse_reduction("avg"), doctest::Contains("invalid reduction 'avg'"), ValueError);
}
