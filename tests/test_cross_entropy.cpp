// cross_entropy: values and gradients against PyTorch for every option combination
// (fixtures/losses.txt), the fused single node, gradcheck (first and second order), bad input.
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

namespace {
CrossEntropyOptions options_of(const std::string& name, const std::vector<double>& o) {
  return {.weight = optional(name, "weight"),
          .ignore_index = static_cast<std::int64_t>(o[1]),
          .label_smoothing = o[2],
          .reduction = reduction(o[0])};
}
const loss_cases::LossFn ce_case = [](const auto& in, const auto& name, const auto& o) {
  return cross_entropy(in[0], in[1], options_of(name, o));
};
}  // namespace

TEST_CASE("cross_entropy with class indices matches torch: weight x ignore_index x label_smoothing x reduction") {
  // [5, 4], [2, 4, 3, 2] and [4] inputs; samples with the default ignore_index -100 and with
  // ignore_index 2; every sample ignored (mean: NaN, zero gradient); logits of size 1e4
  CHECK(run_all("ce.", ce_case) == 148);
}

TEST_CASE("cross_entropy with class probabilities matches torch, including the target's gradient") {
  CHECK(run_all("ce_prob.", ce_case) == 72);
}

TEST_CASE("cross_entropy by hand") {
  const Tensor x = tensor({0.0, 0.0, 1.0, 3.0}, {2, 2}, {.dtype = DType::f64});
  const Tensor t = tensor({0.0, 1.0}, {.dtype = DType::i64});
  // sample 0: log 2; sample 1: log(1 + e^-2)
  const double l0 = std::log(2.0), l1 = std::log1p(std::exp(-2.0));
  CHECK(cross_entropy(x, t).item() == fixtures::approx64((l0 + l1) / 2));
  CHECK(cross_entropy(x, t, {.reduction = Reduction::sum}).item() == fixtures::approx64(l0 + l1));
  // weights 1 and 3: mean divides by the targets' weights 1 + 3
  const Tensor w = tensor({1.0, 3.0}, {.dtype = DType::f64});
  CHECK(cross_entropy(x, t, {.weight = w}).item() == fixtures::approx64((l0 + 3 * l1) / 4));
  // ignoring class 1 leaves sample 0 alone
  CHECK(cross_entropy(x, t, {.ignore_index = 1}).item() == fixtures::approx64(l0));
  // label smoothing 0.5 with C = 2: targets (0.75, 0.25) and (0.25, 0.75)
  // (sample 1: log p = (-2 - l1, -l1))
  CHECK(cross_entropy(x, t, {.label_smoothing = 0.5, .reduction = Reduction::none}).to_vector()[1] ==
        fixtures::approx64(0.25 * (2 + l1) + 0.75 * l1));
  // a [C] input with a 0-d target gives a 0-d loss
  const Tensor one = cross_entropy(tensor({0.0, 0.0, 0.0}, {.dtype = DType::f64}),
                                   scalar_tensor(2, {.dtype = DType::i64}), {.reduction = Reduction::none});
  CHECK(one.dim() == 0);
  CHECK(one.item() == fixtures::approx64(std::log(3.0)));
}

TEST_CASE("cross_entropy is one fused node: softmax never appears in the graph") {
  Tensor x = randn64({4, 3}, 1);
  const Tensor loss = cross_entropy(x, classes({4}, 3, 2));
  REQUIRE(loss.grad_fn());
  CHECK(loss.grad_fn()->name() == "NllLossBackward0");  // PyTorch's cross_entropy ends in nll_loss too
  REQUIRE(loss.grad_fn()->inputs().size() == 1);
  CHECK(loss.grad_fn()->inputs()[0].fn == nullptr);  // straight to the leaf x
  CHECK(loss.grad_fn()->inputs()[0].leaf == x.impl_ptr());
}

TEST_CASE("cross_entropy stays finite for logits of size 1e4 in float32") {
  Tensor x = tensor({1e4, -1e4, 0.0, -1e4, 1e4, 1e4}, {2, 3}, {.requires_grad = true});
  const Tensor loss = cross_entropy(x, tensor({0.0, 1.0}, {.dtype = DType::i64}), {.reduction = Reduction::sum});
  // sample 0: 0; sample 1: log 2
  CHECK(loss.item() == doctest::Approx(std::log(2.0)).epsilon(1e-6));
  loss.backward();
  const auto g = x.grad().to_vector();
  const std::vector<double> expected = {0, 0, 0, 0, -0.5, 0.5};
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(g[i] == fixtures::approx64(expected[i]));
}

TEST_CASE("cross_entropy passes gradcheck for every layout and option") {
  const Tensor w = tensor({0.5, 2.0, 1.0, 1.5}, {.dtype = DType::f64});
  const std::vector<std::pair<Shape, Shape>> layouts = {
      {Shape{4}, Shape{}}, {Shape{5, 4}, Shape{5}}, {Shape{2, 4, 3, 2}, Shape{2, 3, 2}}};
  for (const auto& [xs, ts] : layouts)
    for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum})
      for (double ls : {0.0, 0.2})
        for (bool weighted : {false, true}) {
          CAPTURE(xs);
          CAPTURE(static_cast<int>(r));
          CAPTURE(ls);
          CAPTURE(weighted);
          const Tensor x = randn64(xs, 3);
          Tensor t = classes(ts, 4, 4);
          if (t.numel() > 1) t.data<std::int64_t>()[1] = 2;  // ignored below
          const CrossEntropyOptions o{.weight = weighted ? w : Tensor(),
                                      .ignore_index = t.numel() > 1 ? 2 : -100,
                                      .label_smoothing = ls,
                                      .reduction = r};
          CHECK(gradcheck([&](const auto& v) { return cross_entropy(v[0], t, o); }, {x}));
          // probability targets: gradients for the logits and the target
          const Tensor q = randn64(xs, 5);
          const CrossEntropyOptions po{.weight = o.weight, .label_smoothing = ls, .reduction = r};
          CHECK(gradcheck([&](const auto& v) { return cross_entropy(v[0], v[1], po); }, {x, q}));
        }
}

TEST_CASE("cross_entropy is twice differentiable (the create_graph fallback)") {
  const Tensor w = tensor({0.5, 2.0, 1.0}, {.dtype = DType::f64});
  const Tensor x = randn64({4, 3}, 6);
  Tensor t = classes({4}, 3, 7);
  t.data<std::int64_t>()[0] = -100;
  const Tensor gout = randn64({4}, 8, false);
  for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
    CAPTURE(static_cast<int>(r));
    const CrossEntropyOptions o{.weight = w, .label_smoothing = 0.1, .reduction = r};
    const Tensor g = r == Reduction::none ? gout : scalar_tensor(0.7, {.dtype = DType::f64});
    // first derivative through the composed rule equals the kernel's
    const Tensor kernel = grad({cross_entropy(x, t, o)}, {x}, {g})[0];
    const Tensor composed = grad({cross_entropy(x, t, o)}, {x}, {g}, {.create_graph = true})[0];
    CHECK_CLOSE_T(composed, kernel);
    CHECK(gradcheck(
        [&](const auto& v) {
          EnableGradGuard enable;
          return grad({cross_entropy(v[0], t, o)}, {v[0]}, {g}, {.create_graph = true})[0];
        },
        {x}));
    // probability targets: second derivatives in both the logits and the target
    const Tensor q = randn64({4, 3}, 9);
    const CrossEntropyOptions po{.weight = w, .label_smoothing = 0.1, .reduction = r};
    const auto k2 = grad({cross_entropy(x, q, po)}, {x, q}, {g});
    const auto c2 = grad({cross_entropy(x, q, po)}, {x, q}, {g}, {.create_graph = true});
    CHECK_CLOSE_T(c2[0], k2[0]);
    CHECK_CLOSE_T(c2[1], k2[1]);
    CHECK(gradcheck(
        [&](const auto& v) {
          EnableGradGuard enable;
          const auto d = grad({cross_entropy(v[0], v[1], po)}, {v[0], v[1]}, {g}, {.create_graph = true});
          return d[0] * 0.5 + d[1];
        },
        {x, q}));
  }
}

TEST_CASE("cross_entropy rejects bad shapes") {
  const Tensor x = zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(
      cross_entropy(x, zeros({2, 5}, {.dtype = DType::i64})),
      doctest::Contains("cross_entropy: input shape [2, 3, 4] needs a class-index target of shape [2, 4]"), ShapeError);
  CHECK_THROWS_WITH_AS(cross_entropy(x, zeros({2, 3})), doctest::Contains("cross_entropy"), ShapeError);
  CHECK_THROWS_WITH_AS(cross_entropy(scalar_tensor(1.0), scalar_tensor(0, {.dtype = DType::i64})),
                       doctest::Contains("cross_entropy: input must be [C]"), ShapeError);
  CHECK_THROWS_WITH_AS(cross_entropy(zeros({2, 3}), zeros({2}, {.dtype = DType::i64}), {.weight = ones({4})}),
                       doctest::Contains("cross_entropy: weight must have shape [3]"), ShapeError);
}

TEST_CASE("cross_entropy rejects class indices out of range") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(cross_entropy(x, tensor({0.0, 3.0}, {.dtype = DType::i64})),
                       doctest::Contains("cross_entropy: target 3 is out of bounds for 3 classes"), IndexError);
  CHECK_THROWS_WITH_AS(cross_entropy(x, tensor({-1.0, 0.0}, {.dtype = DType::i64})),
                       doctest::Contains("target -1 is out of bounds"), IndexError);
  // -100 is fine as the ignore_index, but not once ignore_index is something else
  CHECK_NOTHROW(cross_entropy(x, tensor({-100.0, 0.0}, {.dtype = DType::i64})));
  CHECK_THROWS_AS(cross_entropy(x, tensor({-100.0, 0.0}, {.dtype = DType::i64}), {.ignore_index = 1}), IndexError);
}

TEST_CASE("cross_entropy rejects wrong dtypes") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(cross_entropy(x, zeros({2})),
                       doctest::Contains("cross_entropy: class-index target must be int64"), DTypeError);
  CHECK_THROWS_WITH_AS(cross_entropy(x, zeros({2, 3}, {.dtype = DType::i64})),
                       doctest::Contains("holds class probabilities"), DTypeError);
  CHECK_THROWS_WITH_AS(cross_entropy(x, zeros({2, 3}, {.dtype = DType::f64})),
                       doctest::Contains("cross_entropy: probability target dtype float64"), DTypeError);
  CHECK_THROWS_WITH_AS(cross_entropy(zeros({2, 3}, {.dtype = DType::i64}), zeros({2}, {.dtype = DType::i64})),
                       doctest::Contains("cross_entropy: input must be float32 or float64"), DTypeError);
  CHECK_THROWS_WITH_AS(
      cross_entropy(x, zeros({2}, {.dtype = DType::i64}), {.weight = ones({3}, {.dtype = DType::f64})}),
      doctest::Contains("cross_entropy: weight dtype float64"), DTypeError);
}

TEST_CASE("cross_entropy rejects bad options") {
  const Tensor x = zeros({2, 3}), t = zeros({2}, {.dtype = DType::i64});
  CHECK_THROWS_WITH_AS(cross_entropy(x, t, {.label_smoothing = 1.5}),
                       doctest::Contains("cross_entropy: label_smoothing must be between 0.0 and 1.0"), ValueError);
  CHECK_THROWS_AS(cross_entropy(x, t, {.label_smoothing = -0.1}), ValueError);
  CHECK_THROWS_WITH_AS(cross_entropy(x, zeros({2, 3}), {.ignore_index = 0}),
                       doctest::Contains("ignore_index (0) is not supported for probability targets"), ValueError);
  CHECK_THROWS_WITH_AS(cross_entropy(x, t, {.reduction = Reduction::batchmean}), doctest::Contains("cross_entropy"),
                       ValueError);
}
