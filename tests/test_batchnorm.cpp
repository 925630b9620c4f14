// nn::BatchNorm1d against torch.nn.BatchNorm1d over three training steps and an eval step
// (fixtures/norm.txt, bnseq_* from gen_norm.py), gradcheck, state_dict keys, repr, bad input.
#include <doctest/doctest.h>
#include <tapegrad/nn/batchnorm.hpp>
#include <tapegrad/nn/functional.hpp>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};

std::vector<std::string> keys_of(const nn::StateDict& d) { return d.keys(); }

// Replays fixture sequence `name`: 3 training steps then eval, comparing output, gradients of
// x, weight and bias, and the buffers after every step.
void check_sequence(const fixtures::Family& fx, const std::string& name, const Shape& x_shape,
                    std::optional<double> momentum, bool affine, DType dtype) {
  nn::BatchNorm1d bn(x_shape[1], 1e-5, momentum, affine);
  bn.to(dtype);
  if (affine) {
    NoGradGuard no_grad;
    bn.weight.copy_(fx[name + ".weight"]);
    bn.bias.copy_(fx[name + ".bias"]);
  }
  for (std::string step : {"0", "1", "2", "eval"}) {
    CAPTURE(step);
    const std::string p = name + ".s" + step;
    if (step == "eval") bn.eval();
    Tensor x = fx[p + ".x"].clone().requires_grad_(true);
    REQUIRE(x.shape() == x_shape);
    const Tensor out = bn(x);
    CHECK_CLOSE_T(out, fx[p + ".out"]);
    out.backward(fx[p + ".gout"]);
    CHECK_CLOSE_T(x.grad(), fx[p + ".gx"]);
    if (affine) {
      CHECK_CLOSE_T(bn.weight.grad(), fx[p + ".gw"]);
      CHECK_CLOSE_T(bn.bias.grad(), fx[p + ".gb"]);
    }
    bn.zero_grad();
    CHECK_CLOSE_T(bn.running_mean, fx[p + ".running_mean"]);
    CHECK_CLOSE_T(bn.running_var, fx[p + ".running_var"]);
    CHECK(bn.num_batches_tracked.item() == fx[p + ".num_batches_tracked"].item());
  }
}
}  // namespace

TEST_CASE(
    "BatchNorm1d matches torch over 3 training steps then eval: [N, C] and [N, C, L], momentum 0.1 and "
    "0.3, with and without affine") {
  const auto& fx = fixtures::load("norm");
  for (std::string tag : kTags) {
    const DType dt = tag == "f64" ? DType::f64 : DType::f32;
    for (const auto& [sname, shape] : {std::pair{"2d", Shape{8, 4}}, std::pair{"3d", Shape{4, 3, 5}}})
      for (const auto& [mname, m] : {std::pair{"m01", 0.1}, std::pair{"m03", 0.3}})
        for (bool affine : {true, false}) {
          const std::string name = fmt::format("bnseq_{}_{}_{}_{}", sname, mname, affine ? "affine" : "plain", tag);
          CAPTURE(name);
          check_sequence(fx, name, shape, m, affine, dt);
        }
    CAPTURE(tag);
    check_sequence(fx, "bnseq_2d_cumulative_affine_" + tag, {6, 3}, std::nullopt, true, dt);
  }
}

TEST_CASE("BatchNorm1d defaults, parameters, buffers and state_dict keys are torch's") {
  nn::BatchNorm1d bn(4);
  CHECK(bn.weight.to_vector() == std::vector<double>(4, 1.0));
  CHECK(bn.bias.to_vector() == std::vector<double>(4, 0.0));
  CHECK(bn.running_mean.to_vector() == std::vector<double>(4, 0.0));
  CHECK(bn.running_var.to_vector() == std::vector<double>(4, 1.0));
  CHECK(bn.num_batches_tracked.dtype() == DType::i64);
  CHECK(bn.num_batches_tracked.dim() == 0);
  CHECK(bn.weight.requires_grad());
  CHECK_FALSE(bn.running_mean.requires_grad());
  CHECK(keys_of(bn.state_dict()) ==
        std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn.parameters().size() == 2);
  CHECK(bn.buffers().size() == 3);
  CHECK(keys_of(nn::BatchNorm1d(4, 1e-5, 0.1, false).state_dict()) ==
        std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  CHECK(keys_of(nn::BatchNorm1d(4, 1e-5, 0.1, true, false).state_dict()) == std::vector<std::string>{"weight", "bias"});
  CHECK(bn.repr().find("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)") == 0);
  CHECK(nn::BatchNorm1d(3, 1e-3, std::nullopt, false, false).extra_repr() ==
        "3, eps=0.001, momentum=None, affine=False, track_running_stats=False");
}

TEST_CASE("BatchNorm1d.to(f64) converts parameters and running stats but keeps num_batches_tracked int64") {
  nn::BatchNorm1d bn(3);
  bn.to(DType::f64);
  CHECK(bn.weight.dtype() == DType::f64);
  CHECK(bn.running_var.dtype() == DType::f64);
  CHECK(bn.num_batches_tracked.dtype() == DType::i64);
  bn(randn({4, 3}, {.dtype = DType::f64}));
  CHECK(bn.num_batches_tracked.item() == 1);
}

TEST_CASE("BatchNorm1d without running stats normalises with the batch's statistics in eval too") {
  nn::BatchNorm1d bn(3, 1e-5, 0.1, true, false);
  bn.eval();
  const Tensor x = randn({5, 3, 2});
  CHECK_CLOSE_T(bn(x), nn::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true));
  CHECK_FALSE(bn.running_mean.defined());
}

TEST_CASE("BatchNorm1d in eval leaves its running stats and counter alone") {
  nn::BatchNorm1d bn(2);
  bn.eval();
  bn(randn({4, 2}));
  CHECK(bn.running_mean.to_vector() == std::vector<double>{0, 0});
  CHECK(bn.num_batches_tracked.item() == 0);
}

TEST_CASE("gradcheck: BatchNorm1d forward in training and eval, [N, C] and [N, C, L]") {
  for (const Shape& s : {Shape{6, 3}, Shape{3, 3, 4}}) {
    CAPTURE(s);
    nn::BatchNorm1d bn(3);
    bn.to(DType::f64);
    {
      NoGradGuard no_grad;
      bn.weight.copy_(tensor({0.5, -1.5, 2.0}));
      bn.bias.copy_(tensor({0.1, 0.2, -0.3}));
    }
    const Tensor x = randn(s, {.dtype = DType::f64, .requires_grad = true});
    const auto fn = [&bn](const TL& v) { return bn(v[0]); };
    CHECK(gradcheck(fn, {x}));
    bn.eval();
    CHECK(gradcheck(fn, {x}));
  }
}

TEST_CASE("BatchNorm1d rejects bad input, naming BatchNorm1d") {
  nn::BatchNorm1d bn(3);
  CHECK_THROWS_WITH_AS(bn(randn({2, 3, 4, 5})), doctest::Contains("BatchNorm1d"), ShapeError);
  CHECK_THROWS_WITH_AS(bn(randn({3})), doctest::Contains("BatchNorm1d"), ShapeError);
  CHECK_THROWS_WITH_AS(bn(randn({4, 2})), doctest::Contains("BatchNorm1d"), ShapeError);
  CHECK_THROWS_WITH_AS(bn(randn({1, 3})), doctest::Contains("more than 1 value per channel"), ValueError);
  CHECK_THROWS_WITH_AS(nn::BatchNorm1d(-1), doctest::Contains("BatchNorm1d"), ValueError);
}
