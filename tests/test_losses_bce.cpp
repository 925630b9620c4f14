// Binary cross-entropy (on probabilities and on logits): values and gradients against PyTorch
// for every option (fixtures/losses.txt), the -100 clamp, |logit| = 1e4, gradcheck, bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"
#include "loss_cases.hpp"

using namespace tapegrad;
using namespace tapegrad::losses;
using loss_cases::optional;
using loss_cases::rand64;
using loss_cases::randn64;
using loss_cases::reduction;
using loss_cases::run_all;

TEST_CASE("binary_cross_entropy matches torch: weights (full, broadcast), reductions, the clamp") {
  CHECK(run_all("bce.", [](const auto& in, const auto& name, const auto& o) {
          return binary_cross_entropy(in[0], in[1], {.weight = optional(name, "weight"), .reduction = reduction(o[0])});
        }) == 50);
}

TEST_CASE("binary_cross_entropy_with_logits matches torch: weight, pos_weight, |logit| = 1e4") {
  CHECK(run_all("bce_logits.", [](const auto& in, const auto& name, const auto& o) {
          return binary_cross_entropy_with_logits(in[0], in[1],
                                                  {.weight = optional(name, "weight"),
                                                   .pos_weight = optional(name, "pos_weight"),
                                                   .reduction = reduction(o[0])});
        }) == 70);
}

TEST_CASE("binary_cross_entropy by hand: logs clamp at -100") {
  const Tensor x = tensor({0.0, 1.0, 0.5}, {.dtype = DType::f64});
  const Tensor y = tensor({1.0, 0.0, 1.0}, {.dtype = DType::f64});
  const auto v = binary_cross_entropy(x, y, {.reduction = Reduction::none}).to_vector();
  CHECK(v[0] == 100.0);  // -log 0 clamped to 100
  CHECK(v[1] == 100.0);
  CHECK(v[2] == fixtures::approx64(std::log(2.0)));
  // weight 2 on the last element, mean over 3: (100 + 100 + 2 log 2) / 3
  const Tensor w = tensor({1.0, 1.0, 2.0}, {.dtype = DType::f64});
  CHECK(binary_cross_entropy(x, y, {.weight = w}).item() == fixtures::approx64((200 + 2 * std::log(2.0)) / 3));
}

TEST_CASE("binary_cross_entropy_with_logits by hand and at extreme logits") {
  // x = 0: log 2 whatever the target; with pos_weight 3 and y = 1: 3 log 2
  const Tensor x0 = zeros({1}, {.dtype = DType::f64});
  CHECK(binary_cross_entropy_with_logits(x0, ones({1}, {.dtype = DType::f64})).item() ==
        fixtures::approx64(std::log(2.0)));
  CHECK(binary_cross_entropy_with_logits(x0, ones({1}, {.dtype = DType::f64}),
                                         {.pos_weight = full({1}, 3.0, {.dtype = DType::f64})})
            .item() == fixtures::approx64(3 * std::log(2.0)));
  for (DType dt : {DType::f32, DType::f64}) {
    Tensor x = tensor({1e4, -1e4, 1e4, -1e4}, {.dtype = dt, .requires_grad = true});
    const Tensor y = tensor({1.0, 0.0, 0.0, 1.0}, {.dtype = dt});
    const Tensor l = binary_cross_entropy_with_logits(x, y, {.reduction = Reduction::none});
    const auto v = l.to_vector();
    CHECK(v[0] == 0.0);
    CHECK(v[1] == 0.0);
    CHECK(v[2] == 1e4);
    CHECK(v[3] == 1e4);
    l.sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{0.0, 0.0, 1.0, -1.0});
  }
}

TEST_CASE("binary cross-entropy losses pass gradcheck (input and target)") {
  const std::vector<Shape> shapes = {Shape{}, Shape{4}, Shape{3, 4}, Shape{2, 3, 4}};
  for (const Shape& shape : shapes)
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
      CAPTURE(shape);
      CAPTURE(static_cast<int>(r));
      const Tensor p = rand64(shape, 1, 0.05, 0.95), y = rand64(shape, 2, 0.0, 1.0);
      const Tensor w = rand64(shape, 3, 0.5, 2.0, false);
      const Tensor x = randn64(shape, 4);
      CHECK(gradcheck([r](const auto& v) { return binary_cross_entropy(v[0], v[1], {.reduction = r}); }, {p, y}));
      CHECK(gradcheck([r, w](const auto& v) { return binary_cross_entropy(v[0], v[1], {.weight = w, .reduction = r}); },
                      {p, y}));
      CHECK(gradcheck([r](const auto& v) { return binary_cross_entropy_with_logits(v[0], v[1], {.reduction = r}); },
                      {x, y}));
      const Tensor pw = shape.size() > 0 ? rand64({shape.back()}, 5, 0.5, 3.0, false) : rand64({}, 5, 0.5, 3.0, false);
      CHECK(gradcheck(
          [r, w, pw](const auto& v) {
            return binary_cross_entropy_with_logits(v[0], v[1], {.weight = w, .pos_weight = pw, .reduction = r});
          },
          {x, y}));
    }
}

TEST_CASE("binary cross-entropy losses are twice differentiable") {
  const Tensor p = rand64({2, 3}, 6, 0.1, 0.9), y = rand64({2, 3}, 7, 0.0, 1.0), x = randn64({2, 3}, 8);
  const Tensor pw = rand64({3}, 9, 0.5, 3.0, false);
  auto first = [](auto loss) {
    return [loss](const std::vector<Tensor>& v) {
      EnableGradGuard enable;
      const auto g = grad({loss(v[0], v[1])}, {v[0], v[1]}, {}, {.create_graph = true});
      return g[0] + g[1];
    };
  };
  CHECK(gradcheck(first([](const Tensor& a, const Tensor& b) { return binary_cross_entropy(a, b); }), {p, y}));
  CHECK(gradcheck(first([pw](const Tensor& a, const Tensor& b) {
                    return binary_cross_entropy_with_logits(a, b, {.pos_weight = pw});
                  }),
                  {x, y}));
}

TEST_CASE("binary_cross_entropy rejects input outside [0, 1]") {
  CHECK_THROWS_WITH_AS(binary_cross_entropy(tensor({0.5, 1.5}), tensor({1.0, 0.0})),
                       doctest::Contains("binary_cross_entropy: all elements of input should be between 0 and 1"),
                       ValueError);
  CHECK_THROWS_AS(binary_cross_entropy(tensor({-0.1}), tensor({1.0})), ValueError);
  CHECK_THROWS_AS(binary_cross_entropy(tensor({NAN}), tensor({1.0})), ValueError);
}

TEST_CASE("binary cross-entropy losses reject mismatched shapes, dtypes and weights") {
  const Tensor x = full({2, 3}, 0.5), y = zeros({2, 3});
  CHECK_THROWS_WITH_AS(binary_cross_entropy(x, zeros({3})),
                       doctest::Contains("binary_cross_entropy: input shape [2, 3] and target shape [3]"), ShapeError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(x, zeros({2, 1})),
                       doctest::Contains("binary_cross_entropy_with_logits"), ShapeError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(x, zeros({2, 3}, {.dtype = DType::f64})),
                       doctest::Contains("binary_cross_entropy"), DTypeError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(x, y, {.weight = ones({2})}), doctest::Contains("weight of shape [2]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(x, y, {.pos_weight = ones({4})}),
                       doctest::Contains("pos_weight of shape [4]"), ShapeError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(x, y, {.weight = ones({3}, {.dtype = DType::f64})}),
                       doctest::Contains("binary_cross_entropy_with_logits: weight dtype"), DTypeError);
  CHECK_THROWS_AS(binary_cross_entropy_with_logits(x, y, {.reduction = Reduction::batchmean}), ValueError);
}
