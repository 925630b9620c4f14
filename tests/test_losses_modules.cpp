// Loss modules: PyTorch's defaults, the same values as the functional forms, weights as
// buffers (state_dict, to(dtype)), and the printed name.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "loss_cases.hpp"

using namespace tapegrad;
using namespace tapegrad::losses;
using loss_cases::randn64;

TEST_CASE("loss modules default to PyTorch's options") {
  CHECK(MSELoss().options.reduction == Reduction::mean);
  CHECK(SmoothL1Loss().options.beta == 1.0);
  CHECK(HuberLoss().options.delta == 1.0);
  CHECK(!BCEWithLogitsLoss().options.pos_weight.defined());
  const CrossEntropyLoss ce;
  CHECK(ce.options.ignore_index == -100);
  CHECK(ce.options.label_smoothing == 0.0);
  CHECK(!ce.options.weight.defined());
  CHECK(NLLLoss().options.ignore_index == -100);
  CHECK(KLDivLoss().options.log_target == false);
  CHECK(KLDivLoss().options.reduction == Reduction::mean);
}

TEST_CASE("loss modules compute what the functional forms compute") {
  const Tensor x = randn64({4, 3}, 1, false), y = randn64({4, 3}, 2, false);
  const Tensor p = sigmoid(x), q = sigmoid(y);
  const Tensor t = tensor({0.0, 2.0, 1.0, 2.0}, {.dtype = DType::i64});
  const Tensor w = tensor({0.5, 1.0, 2.0}, {.dtype = DType::f64});
  auto same = [](const Tensor& a, const Tensor& b) { CHECK_CLOSE_T(a, b); };
  same(MSELoss({.reduction = Reduction::sum})(x, y), mse_loss(x, y, {.reduction = Reduction::sum}));
  same(L1Loss()(x, y), l1_loss(x, y));
  same(SmoothL1Loss({.beta = 0.5})(x, y), smooth_l1_loss(x, y, {.beta = 0.5}));
  same(HuberLoss({.delta = 0.5, .reduction = Reduction::none})(x, y),
       huber_loss(x, y, {.delta = 0.5, .reduction = Reduction::none}));
  same(BCELoss({.weight = w})(p, q), binary_cross_entropy(p, q, {.weight = w}));
  same(BCEWithLogitsLoss({.weight = w, .pos_weight = w * 2.0})(x, q),
       binary_cross_entropy_with_logits(x, q, {.weight = w, .pos_weight = w * 2.0}));
  same(CrossEntropyLoss({.weight = w, .label_smoothing = 0.1})(x, t),
       cross_entropy(x, t, {.weight = w, .label_smoothing = 0.1}));
  same(NLLLoss({.weight = w, .ignore_index = 1}).forward(log_softmax(x, 1), t),
       nll_loss(log_softmax(x, 1), t, {.weight = w, .ignore_index = 1}));
  same(KLDivLoss({.reduction = Reduction::batchmean})(log_softmax(x, 1), softmax(y, 1)),
       kl_div(log_softmax(x, 1), softmax(y, 1), {.reduction = Reduction::batchmean}));
}

TEST_CASE("loss weights are buffers: state_dict keys and to(dtype), as torch") {
  CrossEntropyLoss ce({.weight = tensor({1.0, 2.0, 3.0})});
  const auto buffers = ce.named_buffers();
  REQUIRE(buffers.size() == 1);
  CHECK(buffers[0].first == "weight");
  CHECK(ce.parameters().empty());
  CHECK(ce.state_dict().size() == 1);
  ce.to(DType::f64);
  CHECK(ce.options.weight.dtype() == DType::f64);  // the option is the buffer's handle
  const Tensor loss = ce(randn64({2, 3}, 3, false), tensor({2.0, 0.0}, {.dtype = DType::i64}));
  CHECK(loss.dtype() == DType::f64);

  BCEWithLogitsLoss bce({.pos_weight = tensor({2.0})});
  const auto names = bce.named_buffers();
  REQUIRE(names.size() == 1);  // weight is None, so only pos_weight is listed
  CHECK(names[0].first == "pos_weight");
  CHECK(NLLLoss().state_dict().size() == 0);
}

TEST_CASE("loss modules print like PyTorch's") {
  CHECK(CrossEntropyLoss().name() == "CrossEntropyLoss");
  CHECK(KLDivLoss().name() == "KLDivLoss");
  CHECK(MSELoss().repr().rfind("MSELoss()", 0) == 0);
}

TEST_CASE("loss modules check their input like the functional forms") {
  CHECK_THROWS_WITH_AS(MSELoss()(zeros({2}), zeros({3})), doctest::Contains("mse_loss"), ShapeError);
  CHECK_THROWS_AS(CrossEntropyLoss()(zeros({2, 3}), tensor({0.0, 3.0}, {.dtype = DType::i64})), IndexError);
}
