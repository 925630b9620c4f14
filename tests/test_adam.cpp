// Adam and AdamW: trajectories of every option combination against torch.optim
// (tests/fixtures/gen_optim.py), parameter groups, convergence, option errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <string>
#include <utility>
#include <vector>

#include "optim_check.hpp"

using namespace tapegrad;
using optim_check::check_run;
using optim_check::make_problem;

namespace {

// the same combinations as CONFIGS in gen_optim.py (lr comes from the fixture)
const std::vector<std::pair<std::string, optim::AdamOptions>> kAdam = {
    {"default", {}},
    {"betas", {.betas = {0.8, 0.99}}},
    {"eps", {.eps = 1e-4}},
    {"weight_decay", {.weight_decay = 0.1}},
    {"amsgrad", {.amsgrad = true}},
    {"maximize", {.maximize = true}},
    {"all", {.betas = {0.85, 0.95}, .eps = 1e-6, .weight_decay = 0.05, .amsgrad = true, .maximize = true}},
};
const std::vector<std::pair<std::string, optim::AdamWOptions>> kAdamW = {
    {"default", {}},
    {"weight_decay", {.weight_decay = 0.1}},
    {"no_weight_decay", {.weight_decay = 0.0}},
    {"betas", {.betas = {0.8, 0.99}, .eps = 1e-4}},
    {"amsgrad", {.amsgrad = true}},
    {"maximize", {.maximize = true}},
    {"all", {.betas = {0.85, 0.95}, .eps = 1e-6, .weight_decay = 0.2, .amsgrad = true, .maximize = true}},
};

template <class Opt, class Options>
void check_configs(const std::string& family, const std::vector<std::pair<std::string, Options>>& configs) {
  const auto& fx = fixtures::load("optim");
  for (const auto& [name, options] : configs)
    for (const std::string problem : {"rosen", "smooth", "smooth32"}) {
      const std::string prefix = family + "." + name + "." + problem;
      if (!fx.has(prefix + ".lr")) continue;  // float32 runs exist for the default only
      CAPTURE(prefix);
      auto pb = make_problem(problem);
      Options o = options;
      o.lr = fx[prefix + ".lr"].item();
      Opt opt(pb.params, o);
      check_run(prefix, opt, pb, o.maximize);
    }
}

}  // namespace

TEST_CASE("Adam matches torch.optim.Adam for every option combination (Rosenbrock, smooth loss, f64 and f32)") {
  check_configs<optim::Adam>("adam", kAdam);
  optim_check::report("Adam");
}

TEST_CASE("AdamW matches torch.optim.AdamW for every option combination (decoupled weight decay)") {
  check_configs<optim::AdamW>("adamw", kAdamW);
  optim_check::report("AdamW");
}

TEST_CASE("Adam and AdamW with two parameter groups match torch.optim") {
  SUBCASE("Adam") {
    auto pb = make_problem("smooth");
    optim::Adam opt(
        {{{pb.params[0]}, {.lr = 0.05}}, {{pb.params[1]}, {.lr = 0.01, .weight_decay = 0.1, .amsgrad = true}}});
    check_run("adam.groups.smooth", opt, pb, false);
  }
  SUBCASE("AdamW") {
    auto pb = make_problem("smooth");
    optim::AdamW opt(
        {{{pb.params[0]}, {.lr = 0.05}}, {{pb.params[1]}, {.lr = 0.01, .weight_decay = 0.3, .amsgrad = true}}});
    check_run("adamw.groups.smooth", opt, pb, false);
  }
}

TEST_CASE("Adam's first step moves every coordinate by lr (bias correction, worked by hand)") {
  // step 1: m = (1 - b1) g, v = (1 - b2) g^2; m / bc1 = g, sqrt(v / bc2) = |g|, so
  // p -= lr * g / (|g| + eps) ~= lr * sign(g)
  Tensor p = tensor({1.0, -2.0, 3.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::Adam opt({p}, {.lr = 0.1, .eps = 0});
  sum(p * tensor({4.0, -0.5, 1e-3}, {.dtype = DType::f64})).backward();
  opt.step();
  CHECK_CLOSE_T(p, tensor({0.9, -1.9, 2.9}, {.dtype = DType::f64}));
}

TEST_CASE("AdamW decays the weights even with a zero gradient (p *= 1 - lr * weight_decay)") {
  Tensor p = tensor({2.0, -4.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::AdamW opt({p}, {.lr = 0.1, .weight_decay = 0.5});
  p.set_grad(zeros({2}, {.dtype = DType::f64}));
  opt.step();  // m = v = 0, so only the decay acts: p * (1 - 0.05)
  CHECK_CLOSE_T(p, tensor({1.9, -3.8}, {.dtype = DType::f64}));
  Tensor q = tensor({2.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::Adam adam({q}, {.lr = 0.1, .eps = 0, .weight_decay = 0.5});
  q.set_grad(zeros({1}, {.dtype = DType::f64}));
  adam.step();  // Adam's L2 goes through m / sqrt(v): g = 1, step 1 moves by lr
  CHECK_CLOSE_T(q, tensor({1.9}, {.dtype = DType::f64}));
}

TEST_CASE("Adam and AdamW solve XOR with an MLP and the quadratic bowl") {
  SUBCASE("Adam XOR") {
    optim_check::Xor net;
    optim::Adam opt(net.params, {.lr = 0.05});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 500) < 1e-3);
  }
  SUBCASE("AdamW XOR") {
    optim_check::Xor net;
    optim::AdamW opt(net.params, {.lr = 0.05, .weight_decay = 1e-4});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 500) < 1e-3);
  }
  SUBCASE("Adam bowl") {
    optim_check::Bowl bowl;
    optim::Adam opt({bowl.x}, {.lr = 0.1});
    CHECK(optim_check::train(
              opt, [&] { return bowl.loss(); }, 1000) < 1e-8);
  }
  SUBCASE("AdamW bowl (no decay)") {
    optim_check::Bowl bowl;
    optim::AdamW opt({bowl.x}, {.lr = 0.1, .weight_decay = 0});
    CHECK(optim_check::train(
              opt, [&] { return bowl.loss(); }, 1000) < 1e-8);
  }
}

TEST_CASE("Adam and AdamW reject invalid options with PyTorch's messages") {
  Tensor p = zeros({2}, {.requires_grad = true});
  CHECK_THROWS_WITH_AS(optim::Adam({p}, {.lr = -0.1}), doctest::Contains("Adam: invalid learning rate: -0.1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adam({p}, {.eps = -1e-8}), doctest::Contains("invalid epsilon value"), ValueError);
  CHECK_THROWS_WITH_AS(optim::Adam({p}, {.betas = {1.0, 0.999}}), doctest::Contains("beta parameter at index 0: 1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adam({p}, {.betas = {0.9, -0.1}}), doctest::Contains("beta parameter at index 1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adam({p}, {.weight_decay = -1}), doctest::Contains("invalid weight_decay value"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::AdamW({p}, {.betas = {0.9, 1.0}}), doctest::Contains("AdamW: invalid beta"), ValueError);
  CHECK_THROWS_WITH_AS(optim::AdamW({p}, {.lr = -1}), doctest::Contains("AdamW: invalid learning rate"), ValueError);
}
