// SGD and Momentum: trajectories of every option combination against torch.optim.SGD
// (tests/fixtures/gen_optim.py), parameter groups, hand-worked steps, convergence, errors.
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

// the same combinations as CONFIGS["sgd"] in gen_optim.py (lr comes from the fixture)
const std::vector<std::pair<std::string, optim::SGDOptions>> kSGD = {
    {"plain", {}},
    {"weight_decay", {.weight_decay = 0.1}},
    {"momentum", {.momentum = 0.9}},
    {"dampening", {.momentum = 0.9, .dampening = 0.5}},
    {"nesterov", {.momentum = 0.9, .nesterov = true}},
    {"maximize", {.maximize = true}},
    {"all", {.momentum = 0.8, .weight_decay = 0.05, .nesterov = true, .maximize = true}},
    {"all_dampened", {.momentum = 0.7, .dampening = 0.3, .weight_decay = 0.05}},
};

}  // namespace

TEST_CASE("SGD matches torch.optim.SGD for every option combination (Rosenbrock, smooth loss, f64 and f32)") {
  const auto& fx = fixtures::load("optim");
  for (const auto& [name, options] : kSGD)
    for (const std::string problem : {"rosen", "smooth", "smooth32"}) {
      const std::string prefix = "sgd." + name + "." + problem;
      if (!fx.has(prefix + ".lr")) continue;
      CAPTURE(prefix);
      auto pb = make_problem(problem);
      optim::SGDOptions o = options;
      o.lr = fx[prefix + ".lr"].item();
      optim::SGD opt(pb.params, o);
      check_run(prefix, opt, pb, o.maximize);
    }
  optim_check::report("SGD");
}

TEST_CASE("Momentum is SGD with momentum 0.9: it matches torch.optim.SGD(momentum=0.9)") {
  const auto& fx = fixtures::load("optim");
  for (const std::string problem : {"rosen", "smooth", "smooth32"}) {
    const std::string prefix = "sgd.momentum." + problem;
    CAPTURE(prefix);
    auto pb = make_problem(problem);
    optim::Momentum opt(pb.params, {.lr = fx[prefix + ".lr"].item()});
    CHECK(opt.name() == "Momentum");
    CHECK(opt.param_groups()[0].options.momentum == 0.9);
    check_run(prefix, opt, pb, false);
  }
  SUBCASE("with Nesterov") {
    auto pb = make_problem("rosen");
    optim::Momentum opt(pb.params, {.lr = fx["sgd.nesterov.rosen.lr"].item(), .nesterov = true});
    check_run("sgd.nesterov.rosen", opt, pb, false);
  }
}

TEST_CASE("SGD with two parameter groups matches torch.optim.SGD") {
  auto pb = make_problem("smooth");
  optim::SGD opt({{{pb.params[0]}, {.lr = 0.05, .momentum = 0.9}},
                  {{pb.params[1]}, {.lr = 0.02, .momentum = 0.5, .weight_decay = 0.1, .nesterov = true}}});
  check_run("sgd.groups.smooth", opt, pb, false);
}

TEST_CASE("SGD steps worked by hand: plain, first momentum step without dampening, then dampened") {
  Tensor p = tensor({1.0, 2.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::SGD opt({p}, {.lr = 0.1, .momentum = 0.5, .dampening = 0.5});
  p.set_grad(tensor({1.0, -2.0}, {.dtype = DType::f64}));
  opt.step();  // buf = g = [1, -2]; p = [1, 2] - 0.1 * [1, -2]
  CHECK_CLOSE_T(p, tensor({0.9, 2.2}, {.dtype = DType::f64}));
  opt.step();  // buf = 0.5 * [1, -2] + 0.5 * [1, -2] = [1, -2]; p = [0.8, 2.4]
  CHECK_CLOSE_T(p, tensor({0.8, 2.4}, {.dtype = DType::f64}));
  CHECK_CLOSE_T(opt.state(p)->at("momentum_buffer"), tensor({1.0, -2.0}, {.dtype = DType::f64}));

  Tensor q = tensor({1.0}, {.dtype = DType::f64, .requires_grad = true});
  optim::SGD plain({q}, {.lr = 0.5, .weight_decay = 1.0});
  q.set_grad(tensor({2.0}, {.dtype = DType::f64}));
  plain.step();  // d = 2 + 1 * 1 = 3; q = 1 - 0.5 * 3
  CHECK(q.item() == -0.5);
  CHECK_FALSE(plain.state(q)->has("momentum_buffer"));
}

TEST_CASE("SGD and Momentum solve XOR with an MLP and the quadratic bowl") {
  SUBCASE("SGD XOR") {
    optim_check::Xor net;
    optim::SGD opt(net.params, {.lr = 2.0});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 2000) < 1e-2);
  }
  SUBCASE("Momentum XOR") {
    optim_check::Xor net;
    optim::Momentum opt(net.params, {.lr = 0.5});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 1000) < 1e-3);
  }
  SUBCASE("Nesterov XOR") {
    optim_check::Xor net;
    optim::SGD opt(net.params, {.lr = 0.5, .momentum = 0.9, .nesterov = true});
    CHECK(optim_check::train(
              opt, [&] { return net.loss(); }, 1000) < 1e-3);
  }
  SUBCASE("SGD bowl") {
    optim_check::Bowl bowl;
    optim::SGD opt({bowl.x}, {.lr = 0.15});
    CHECK(optim_check::train(
              opt, [&] { return bowl.loss(); }, 300) < 1e-10);
  }
  SUBCASE("Momentum bowl") {
    optim_check::Bowl bowl;
    optim::Momentum opt({bowl.x}, {.lr = 0.05});
    CHECK(optim_check::train(
              opt, [&] { return bowl.loss(); }, 300) < 1e-10);
  }
}

TEST_CASE("SGD and Momentum reject invalid options with PyTorch's messages") {
  Tensor p = zeros({2}, {.requires_grad = true});
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {}), doctest::Contains("SGD: lr is required"), ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.lr = -0.1}), doctest::Contains("SGD: invalid learning rate: -0.1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.lr = 0.1, .momentum = -0.9}), doctest::Contains("invalid momentum value"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.lr = 0.1, .weight_decay = -1}),
                       doctest::Contains("invalid weight_decay value"), ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.lr = 0.1, .nesterov = true}),
                       doctest::Contains("Nesterov momentum requires a momentum and zero dampening"), ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                       doctest::Contains("Nesterov"), ValueError);
  CHECK_THROWS_WITH_AS(optim::Momentum({p}, {}), doctest::Contains("Momentum: lr is required"), ValueError);
  CHECK_THROWS_WITH_AS(optim::Momentum({p}, {.lr = 0.1, .dampening = 0.5, .nesterov = true}),
                       doctest::Contains("Momentum: Nesterov"), ValueError);
}
