// nll_loss and kl_div: values and gradients against PyTorch for every option
// (fixtures/losses.txt), hand-worked values, gradcheck and bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"
#include "loss_cases.hpp"

using namespace tapegrad;
using namespace tapegrad::losses;
using loss_cases::classes;
using loss_cases::optional;
using loss_cases::randn64;
using loss_cases::reduction;
using loss_cases::run_all;

TEST_CASE("nll_loss matches torch: [N, C], [N, C, d1, d2] and [C]; weight, ignore_index, reductions") {
  CHECK(run_all("nll.", [](const auto& in, const auto& name, const auto& o) {
          return nll_loss(in[0], in[1],
                          {.weight = optional(name, "weight"),
                           .ignore_index = static_cast<std::int64_t>(o[1]),
                           .reduction = reduction(o[0])});
        }) == 64);
}

TEST_CASE("kl_div matches torch: log_target, every reduction including batchmean, zero targets") {
  CHECK(run_all("kl.", [](const auto& in, const auto&, const auto& o) {
          return kl_div(in[0], in[1], {.log_target = o[1] != 0.0, .reduction = reduction(o[0])});
        }) == 50);
}

TEST_CASE("nll_loss by hand") {
  const Tensor x = tensor({-1.0, -2.0, -3.0, -0.5, -1.5, -2.5}, {2, 3}, {.dtype = DType::f64});
  const Tensor t = tensor({2.0, 0.0}, {.dtype = DType::i64});
  CHECK(nll_loss(x, t).item() == fixtures::approx64((3.0 + 0.5) / 2));
  const Tensor w = tensor({4.0, 1.0, 2.0}, {.dtype = DType::f64});
  CHECK(nll_loss(x, t, {.weight = w}).item() == fixtures::approx64((2 * 3.0 + 4 * 0.5) / 6));
  CHECK(nll_loss(x, t, {.weight = w, .reduction = Reduction::sum}).item() == fixtures::approx64(8.0));
  CHECK(nll_loss(x, t, {.ignore_index = 0, .reduction = Reduction::none}).to_vector() == std::vector<double>{3.0, 0.0});
  // ignoring class 0 leaves sample 0 (target 2, weight 1): the mean is its loss, 3
  CHECK(nll_loss(x, t, {.ignore_index = 0, .reduction = Reduction::mean}).item() == fixtures::approx64(3.0));
  CHECK(std::isnan(nll_loss(x, tensor({1.0, 1.0}, {.dtype = DType::i64}), {.ignore_index = 1}).item()));
}

TEST_CASE("kl_div by hand") {
  const Tensor x = tensor({std::log(0.25), std::log(0.75)}, {.dtype = DType::f64});
  const Tensor p = tensor({0.5, 0.5}, {.dtype = DType::f64});
  const double kl = 0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75);
  CHECK(kl_div(x, p, {.reduction = Reduction::sum}).item() == fixtures::approx64(kl));
  CHECK(kl_div(x, p, {.reduction = Reduction::mean}).item() == fixtures::approx64(kl / 2));
  CHECK(kl_div(x, p, {.reduction = Reduction::batchmean}).item() == fixtures::approx64(kl / 2));  // size(0) = 2
  CHECK(kl_div(x, log(p), {.log_target = true, .reduction = Reduction::sum}).item() == fixtures::approx64(kl));
  // a zero target contributes 0, not 0 * log 0 = NaN
  CHECK(kl_div(x, tensor({0.0, 1.0}, {.dtype = DType::f64}), {.reduction = Reduction::sum}).item() ==
        fixtures::approx64(-std::log(0.75)));
  // batchmean of a [2, 2] input divides by 2, of a 0-d input by nothing
  const Tensor x2 = tensor({-1.0, -2.0, -3.0, -4.0}, {2, 2}, {.dtype = DType::f64});
  const Tensor p2 = full({2, 2}, 0.5, {.dtype = DType::f64});
  CHECK(kl_div(x2, p2, {.reduction = Reduction::batchmean}).item() ==
        fixtures::approx64(kl_div(x2, p2, {.reduction = Reduction::sum}).item() / 2));
  const Tensor x0 = scalar_tensor(-1.0, {.dtype = DType::f64}), p0 = scalar_tensor(0.5, {.dtype = DType::f64});
  CHECK(kl_div(x0, p0, {.reduction = Reduction::batchmean}).item() == fixtures::approx64(0.5 * (std::log(0.5) + 1)));
}

TEST_CASE("nll_loss and kl_div pass gradcheck") {
  const Tensor w = tensor({0.5, 2.0, 1.0, 1.5}, {.dtype = DType::f64});
  const std::vector<std::pair<Shape, Shape>> layouts = {
      {Shape{4}, Shape{}}, {Shape{5, 4}, Shape{5}}, {Shape{2, 4, 3, 2}, Shape{2, 3, 2}}};
  for (const auto& [xs, ts] : layouts)
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
      CAPTURE(xs);
      CAPTURE(static_cast<int>(r));
      Tensor t = classes(ts, 4, 2);
      if (t.numel() > 1) t.data<std::int64_t>()[0] = -100;
      const Tensor x = randn64(xs, 1);
      CHECK(gradcheck([&](const auto& v) { return nll_loss(v[0], t, {.reduction = r}); }, {x}));
      CHECK(gradcheck([&](const auto& v) { return nll_loss(v[0], t, {.weight = w, .reduction = r}); }, {x}));
    }
  Generator gen(3);
  for (const Shape& shape : {Shape{}, Shape{4}, Shape{3, 4}, Shape{2, 3, 4}})
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum, Reduction::batchmean})
      for (bool log_target : {false, true}) {
        CAPTURE(shape);
        CAPTURE(static_cast<int>(r));
        CAPTURE(log_target);
        const Tensor x = randn64(shape, 4);
        Tensor p = (rand(shape, {.dtype = DType::f64}, &gen) * 0.9 + 0.05).detach();
        if (log_target) p = log(p).detach();
        p.requires_grad_(true);
        CHECK(gradcheck([&](const auto& v) { return kl_div(v[0], v[1], {.log_target = log_target, .reduction = r}); },
                        {x, p}));
      }
}

TEST_CASE("nll_loss and kl_div are twice differentiable") {
  const Tensor x = randn64({4, 3}, 5);
  const Tensor t = classes({4}, 3, 6);
  const Tensor w = tensor({0.5, 2.0, 1.0}, {.dtype = DType::f64});
  const Tensor g = randn64({4}, 7, false);
  // first derivatives: create_graph (composed rule) equals the kernel
  const Tensor kernel = grad({nll_loss(x, t, {.weight = w, .reduction = Reduction::none})}, {x}, {g})[0];
  const Tensor composed =
      grad({nll_loss(x, t, {.weight = w, .reduction = Reduction::none})}, {x}, {g}, {.create_graph = true})[0];
  CHECK_CLOSE_T(composed, kernel);
  // the gradient is linear in the upstream gradient: check d(dx)/d(g)
  CHECK(gradcheck(
      [&](const auto& v) {
        EnableGradGuard enable;
        return grad({nll_loss(x, t, {.weight = w, .reduction = Reduction::none})}, {x}, {v[0]},
                    {.create_graph = true})[0];
      },
      {randn64({4}, 8)}));
  Generator gen(9);
  const Tensor p = (rand({4, 3}, {.dtype = DType::f64}, &gen) * 0.9 + 0.05).detach().requires_grad_(true);
  for (bool log_target : {false, true})
    CHECK(gradcheck(
        [&](const auto& v) {
          EnableGradGuard enable;
          const auto d = grad({kl_div(v[0], v[1], {.log_target = log_target, .reduction = Reduction::batchmean})},
                              {v[0], v[1]}, {}, {.create_graph = true});
          return d[0] + d[1];
        },
        {x, p}));
}

TEST_CASE("nll_loss rejects bad shapes, dtypes and classes") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(
      nll_loss(x, zeros({3}, {.dtype = DType::i64})),
      doctest::Contains("nll_loss: input shape [2, 3] needs a class-index target of shape [2], got [3]"), ShapeError);
  CHECK_THROWS_WITH_AS(nll_loss(x, tensor({0.0, 5.0}, {.dtype = DType::i64})),
                       doctest::Contains("nll_loss: target 5 is out of bounds for 3 classes"), IndexError);
  CHECK_THROWS_WITH_AS(nll_loss(x, zeros({2})), doctest::Contains("nll_loss: class-index target must be int64"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(nll_loss(x, zeros({2}, {.dtype = DType::i64}), {.weight = ones({2})}),
                       doctest::Contains("nll_loss: weight must have shape [3]"), ShapeError);
  CHECK_THROWS_AS(nll_loss(x, zeros({2}, {.dtype = DType::i64}), {.reduction = Reduction::batchmean}), ValueError);
}

TEST_CASE("kl_div rejects bad shapes and dtypes") {
  CHECK_THROWS_WITH_AS(kl_div(zeros({2, 3}), zeros({3})),
                       doctest::Contains("kl_div: input shape [2, 3] and target shape [3]"), ShapeError);
  CHECK_THROWS_WITH_AS(kl_div(zeros({2}), zeros({2}, {.dtype = DType::f64})), doctest::Contains("kl_div"), DTypeError);
  CHECK_THROWS_WITH_AS(kl_div(zeros({2}), zeros({2}), {.reduction = static_cast<Reduction>(7)}),
                       doctest::Contains("kl_div"), ValueError);
}
