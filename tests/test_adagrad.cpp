// Adagrad: trajectories of every option combination against torch.optim.Adagrad
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

// the same combinations as CONFIGS["adagrad"] in gen_optim.py (lr comes from the fixture)
const std::vector<std::pair<std::string, optim::AdagradOptions>> kAdagrad = {
    {"default", {}},
    {"lr_decay", {.lr_decay = 0.05}},
    {"weight_decay", {.weight_decay = 0.1}},
    {"initial_accumulator_value", {.initial_accumulator_value = 0.5}},
    {"eps", {.eps = 1e-3}},
    {"maximize", {.maximize = true}},
    {"all", {.lr_decay = 0.01, .weight_decay = 0.05, .initial_accumulator_value = 0.1, .eps = 1e-6, .maximize = true}},
};

}  // namespace

TEST_CASE("Adagrad matches torch.optim.Adagrad for every option combination (Rosenbrock, smooth loss, f64 and f32)") {
  const auto& fx = fixtures::load("optim");
  for (const auto& [name, options] : kAdagrad)
    for (const std::string problem : {"rosen", "smooth", "smooth32"}) {
      const std::string prefix = "adagrad." + name + "." + problem;
      if (!fx.has(prefix + ".lr")) continue;
      CAPTURE(prefix);
      auto pb = make_problem(problem);
      optim::AdagradOptions o = options;
      o.lr = fx[prefix + ".lr"].item();
      optim::Adagrad opt(pb.params, o);
      check_run(prefix, opt, pb, o.maximize);
    }
  optim_check::report("Adagrad");
}

TEST_CASE("Adagrad with two parameter groups matches torch.optim.Adagrad") {
  auto pb = make_problem("smooth");
  optim::Adagrad opt({{{pb.params[0]}, {.lr = 0.1}}, {{pb.params[1]}, {.lr = 0.05, .lr_decay = 0.1}}});
  check_run("adagrad.groups.smooth", opt, pb, false);
}

TEST_CASE("Adagrad steps worked by hand: the accumulator and the decayed lr") {
  Tensor p = tensor({1.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::Adagrad opt({p}, {.lr = 1.0, .lr_decay = 1.0, .initial_accumulator_value = 5.0, .eps = 0});
  p.set_grad(tensor({2.0}, {.dtype = DType::f64}));
  opt.step();  // sum = 5 + 4 = 9; clr = 1; p = 1 - 2 / 3
  CHECK(p.item() == doctest::Approx(1.0 / 3).epsilon(1e-15));
  opt.step();  // sum = 13; clr = 1 / (1 + 1) ; p = 1/3 - 0.5 * 2 / sqrt(13)
  CHECK(p.item() == doctest::Approx(1.0 / 3 - 1.0 / std::sqrt(13.0)).epsilon(1e-15));
  CHECK(opt.state(p)->at("sum").item() == 13.0);
  CHECK(opt.state(p)->step == 2);
}

TEST_CASE("Adagrad solves XOR with an MLP and the quadratic bowl") {
  SUBCASE("XOR") {
    optim_check::Xor net;
    optim::Adagrad opt(net.params, {.lr = 0.3});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 1000) < 1e-2);
  }
  SUBCASE("bowl") {
    optim_check::Bowl bowl;
    optim::Adagrad opt({bowl.x}, {.lr = 1.0});
    CHECK(optim_check::train(
              opt, [&] { return bowl.loss(); }, 500) < 1e-8);
  }
}

TEST_CASE("Adagrad rejects invalid options with PyTorch's messages") {
  Tensor p = zeros({2}, {.requires_grad = true});
  CHECK_THROWS_WITH_AS(optim::Adagrad({p}, {.lr = -1}), doctest::Contains("Adagrad: invalid learning rate: -1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adagrad({p}, {.lr_decay = -0.1}), doctest::Contains("invalid lr_decay value"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adagrad({p}, {.weight_decay = -0.1}), doctest::Contains("invalid weight_decay value"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adagrad({p}, {.initial_accumulator_value = -1}),
                       doctest::Contains("invalid initial_accumulator_value value"), ValueError);
  CHECK_THROWS_WITH_AS(optim::Adagrad({p}, {.eps = -1}), doctest::Contains("invalid epsilon value"), ValueError);
}
