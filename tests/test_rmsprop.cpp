// RMSprop: trajectories of every option combination against torch.optim.RMSprop
// (tests/fixtures/gen_optim.py), parameter groups, a hand-worked step, convergence, errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "optim_check.hpp"

using namespace tapegrad;
using optim_check::check_run;
using optim_check::make_problem;

namespace {

// the same combinations as CONFIGS["rmsprop"] in gen_optim.py (lr comes from the fixture)
const std::vector<std::pair<std::string, optim::RMSpropOptions>> kRMSprop = {
    {"default", {}},
    {"alpha", {.alpha = 0.9}},
    {"eps", {.eps = 1e-4}},
    {"weight_decay", {.weight_decay = 0.1}},
    {"momentum", {.momentum = 0.9}},
    {"centered", {.centered = true}},
    {"centered_momentum", {.momentum = 0.5, .centered = true}},
    {"maximize", {.maximize = true}},
    {"all", {.alpha = 0.95, .eps = 1e-6, .weight_decay = 0.05, .momentum = 0.5, .centered = true, .maximize = true}},
};

}  // namespace

TEST_CASE("RMSprop matches torch.optim.RMSprop for every option combination (Rosenbrock, smooth loss, f64 and f32)") {
  const auto& fx = fixtures::load("optim");
  for (const auto& [name, options] : kRMSprop)
    for (const std::string problem : {"rosen", "smooth", "smooth32"}) {
      const std::string prefix = "rmsprop." + name + "." + problem;
      if (!fx.has(prefix + ".lr")) continue;
      CAPTURE(prefix);
      auto pb = make_problem(problem);
      optim::RMSpropOptions o = options;
      o.lr = fx[prefix + ".lr"].item();
      optim::RMSprop opt(pb.params, o);
      check_run(prefix, opt, pb, o.maximize);
    }
  optim_check::report("RMSprop");
}

TEST_CASE("RMSprop with two parameter groups matches torch.optim.RMSprop") {
  auto pb = make_problem("smooth");
  optim::RMSprop opt(
      {{{pb.params[0]}, {.lr = 0.01, .centered = true}}, {{pb.params[1]}, {.lr = 0.005, .momentum = 0.9}}});
  check_run("rmsprop.groups.smooth", opt, pb, false);
}

TEST_CASE("RMSprop steps worked by hand: plain and centered") {
  Tensor p = tensor({0.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::RMSprop opt({p}, {.lr = 0.1, .alpha = 0.75, .eps = 0});
  p.set_grad(tensor({2.0}, {.dtype = DType::f64}));
  opt.step();  // square_avg = 0.25 * 4 = 1; p = -0.1 * 2 / 1
  CHECK(p.item() == doctest::Approx(-0.2).epsilon(1e-15));

  Tensor q = tensor({0.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::RMSprop centered({q}, {.lr = 0.1, .alpha = 0.75, .eps = 0, .centered = true});
  q.set_grad(tensor({2.0}, {.dtype = DType::f64}));
  centered.step();  // square_avg = 1, grad_avg = 0.5; avg = sqrt(1 - 0.25); q = -0.2 / sqrt(0.75)
  CHECK(q.item() == doctest::Approx(-0.2 / std::sqrt(0.75)).epsilon(1e-15));
  CHECK(centered.state(q)->has("grad_avg"));
  CHECK_FALSE(centered.state(q)->has("momentum_buffer"));
}

TEST_CASE("RMSprop solves XOR with an MLP and the quadratic bowl") {
  SUBCASE("XOR") {
    optim_check::Xor net;
    optim::RMSprop opt(net.params, {.lr = 0.01});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 1000) < 1e-3);
  }
  SUBCASE("centered XOR with momentum") {
    optim_check::Xor net;
    optim::RMSprop opt(net.params, {.lr = 0.005, .momentum = 0.5, .centered = true});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 1000) < 1e-3);
  }
  SUBCASE("bowl") {
    optim_check::Bowl bowl;
    optim::RMSprop opt({bowl.x}, {.lr = 0.01, .momentum = 0.5});
    CHECK(optim_check::train(
              opt, [&] { return bowl.loss(); }, 2000) < 1e-8);
  }
}

TEST_CASE("RMSprop rejects invalid options with PyTorch's messages") {
  Tensor p = zeros({2}, {.requires_grad = true});
  CHECK_THROWS_WITH_AS(optim::RMSprop({p}, {.lr = -1}), doctest::Contains("RMSprop: invalid learning rate: -1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::RMSprop({p}, {.alpha = -0.5}), doctest::Contains("invalid alpha value"), ValueError);
  CHECK_THROWS_WITH_AS(optim::RMSprop({p}, {.eps = -1}), doctest::Contains("invalid epsilon value"), ValueError);
  CHECK_THROWS_WITH_AS(optim::RMSprop({p}, {.weight_decay = -1}), doctest::Contains("invalid weight_decay value"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::RMSprop({p}, {.momentum = -1}), doctest::Contains("invalid momentum value"), ValueError);
}
