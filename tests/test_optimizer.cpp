// The Optimizer base: zero_grad, parameters without gradients, parameter groups and their
// settable lr, validation of the parameter list, and state_dict / load_state_dict (training
// resumed from a saved model and optimizer equals uninterrupted training bit for bit).
#include <doctest/doctest.h>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "optim_check.hpp"

using namespace tapegrad;

namespace {

Tensor f64(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64, .requires_grad = true}); }

// A 2-8-1 tanh network on a fixed regression batch; the model seed picks the initial weights.
struct Net {
  std::shared_ptr<nn::Sequential> model;
  Tensor X, Y;
  explicit Net(std::uint64_t seed) {
    manual_seed(seed);
    model = std::make_shared<nn::Sequential>(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1));
    model->to(DType::f64);
    manual_seed(99);
    X = randn({16, 2}, {.dtype = DType::f64});
    Y = tanh(sum(X, {1}, true) * 2.0);
  }
  Tensor loss() { return mean(pow((*model)(X)-Y, 2)); }
};

using MakeOpt = std::function<std::unique_ptr<optim::Optimizer>(const std::vector<Tensor>&)>;

void train(Net& net, optim::Optimizer& opt, int steps) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    net.loss().backward();
    opt.step();
  }
}

// Trains 20 steps; separately trains 10, saves model and optimizer (in memory, or through
// safetensors files), loads both into fresh ones (other initial weights) and trains 10 more:
// the parameters and the state must be identical.
void check_resume(const MakeOpt& make, bool through_files) {
  Net straight(1);
  auto opt = make(straight.model->parameters());
  train(straight, *opt, 20);

  Net first(1);
  auto opt1 = make(first.model->parameters());
  train(first, *opt1, 10);
  nn::StateDict model_state, opt_state;
  if (through_files) {
    const auto dir = std::filesystem::temp_directory_path();
    const std::string model_path = (dir / ("tapegrad_resume_model_" + opt1->name() + ".safetensors")).string();
    const std::string opt_path = (dir / ("tapegrad_resume_optim_" + opt1->name() + ".safetensors")).string();
    nn::save(*first.model, model_path);
    nn::save(opt1->state_dict(), opt_path);
    model_state = nn::load(model_path);
    opt_state = nn::load(opt_path);
    std::filesystem::remove(model_path);
    std::filesystem::remove(opt_path);
  } else {
    for (const auto& [k, t] : first.model->state_dict()) model_state.set(k, t.clone().detach());
    opt_state = opt1->state_dict();
  }
  train(first, *opt1, 3);  // the saved state must not follow later training

  Net resumed(2);
  auto opt2 = make(resumed.model->parameters());
  resumed.model->load_state_dict(model_state);
  opt2->load_state_dict(opt_state);
  train(resumed, *opt2, 10);

  const auto a = straight.model->parameters(), b = resumed.model->parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK_MESSAGE(a[i].to_vector() == b[i].to_vector(), opt->name() << ": parameter " << i << " differs");
    const auto* sa = opt->state(a[i]);
    const auto* sb = opt2->state(b[i]);
    REQUIRE((sa && sb));
    CHECK(sa->step == sb->step);
    for (const auto& [name, buf] : sa->buffers) CHECK(buf.to_vector() == sb->at(name).to_vector());
  }
}

}  // namespace

TEST_CASE("zero_grad removes the gradients by default (set_to_none, as PyTorch 2.x), or zeroes them in place") {
  Tensor p = f64({1, 2});
  optim::SGD opt({p}, {.lr = 0.1});
  sum(p * p).backward();
  Tensor g = p.grad();
  opt.zero_grad(false);
  CHECK(p.has_grad());
  CHECK(g.to_vector() == std::vector<double>{0, 0});  // the same tensor, zeroed
  opt.zero_grad();
  CHECK_FALSE(p.has_grad());
  opt.zero_grad();  // nothing to clear
  CHECK_FALSE(p.has_grad());
}

TEST_CASE("zero_grad replaces a gradient that is part of a graph (create_graph)") {
  Tensor p = f64({3});
  optim::SGD opt({p}, {.lr = 0.1});
  sum(p * p * p).backward({}, {.create_graph = true});
  REQUIRE(p.grad().requires_grad());
  opt.zero_grad(false);
  CHECK_FALSE(p.grad().requires_grad());
  CHECK(p.grad().item() == 0.0);
}

TEST_CASE("parameters without a gradient are skipped and get no state, as in PyTorch") {
  // w and b follow the fixture's Adam trajectory exactly; z, never in the loss, stays as it was
  auto pb = optim_check::make_problem("smooth");
  Tensor z = f64({1.5, -2.5});
  std::vector<Tensor> params = pb.params;
  params.push_back(z);
  const auto& fx = fixtures::load("optim");
  optim::Adam opt(params, {.lr = fx["adam.default.smooth.lr"].item()});
  optim_check::check_run("adam.default.smooth", opt, pb, false);
  CHECK(z.to_vector() == std::vector<double>{1.5, -2.5});
  CHECK(opt.state(z) == nullptr);
  CHECK_FALSE(opt.state_dict().contains("state.2.step"));

  SUBCASE("a gradient removed by zero_grad(set_to_none) skips the step, a zero gradient does not") {
    Tensor p = f64({1.0}), q = f64({1.0});
    optim::SGD sgd({p, q}, {.lr = 0.1, .weight_decay = 1.0});
    sum(p + q).backward();
    sgd.zero_grad(true);
    q.set_grad(zeros({1}, {.dtype = DType::f64}));
    sgd.step();  // p skipped; q: d = 0 + 1 * 1, q = 1 - 0.1
    CHECK(p.item() == 1.0);
    CHECK(q.item() == 0.9);
  }
}

TEST_CASE("param_groups: each group has its own options and its lr can be changed between steps") {
  Tensor a = f64({1.0}), b = f64({1.0});
  optim::SGD opt({{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.01, .weight_decay = 1.0}}});
  REQUIRE(opt.num_param_groups() == 2);
  CHECK(opt.lr(1) == 0.01);
  auto step = [&] {
    opt.zero_grad();
    sum(a + b).backward();  // both gradients 1
    opt.step();
  };
  step();  // a = 1 - 0.1; b = 1 - 0.01 * (1 + 1)
  CHECK(a.item() == doctest::Approx(0.9).epsilon(1e-15));
  CHECK(b.item() == doctest::Approx(0.98).epsilon(1e-15));
  opt.param_groups()[0].options.lr = 0.5;
  opt.set_lr(1, 0.0);
  step();  // a = 0.9 - 0.5; b unchanged
  CHECK(a.item() == doctest::Approx(0.4).epsilon(1e-15));
  CHECK(b.item() == doctest::Approx(0.98).epsilon(1e-15));

  SUBCASE("add_param_group") {
    Tensor c = f64({2.0});
    opt.add_param_group({{c}, {.lr = 1.0}});
    CHECK(opt.num_param_groups() == 3);
    sum(c).backward();
    opt.step();
    CHECK(c.item() == 1.0);
    CHECK_THROWS_WITH_AS(opt.add_param_group({{a}, {.lr = 1.0}}), doctest::Contains("more than once"), ValueError);
  }
  SUBCASE("momentum() reads momentum or beta1, for OneCycleLR") {
    CHECK(opt.momentum(0) == 0.0);
    optim::Adam adam({f64({1})}, {.betas = {0.8, 0.9}});
    CHECK(adam.momentum(0) == 0.8);
    adam.set_momentum(0, 0.7);
    CHECK(adam.param_groups()[0].options.betas[0] == 0.7);
    optim::Adagrad adagrad({f64({1})});
    CHECK_FALSE(adagrad.momentum(0).has_value());
  }
}

TEST_CASE("optimizers reject bad parameter lists") {
  Tensor p = f64({1, 2});
  CHECK_THROWS_WITH_AS(optim::Adam(std::vector<Tensor>{}),
                       doctest::Contains("Adam: optimizer got an empty parameter list"), ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p * 2.0}, {.lr = 0.1}), doctest::Contains("SGD: can't optimize a non-leaf tensor"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({p, p}, {.lr = 0.1}), doctest::Contains("appears more than once"), ValueError);
  CHECK_THROWS_WITH_AS(optim::SGD({{{p}, {.lr = 0.1}}, {{p}, {.lr = 0.2}}}), doctest::Contains("more than once"),
                       ValueError);
  CHECK_THROWS_WITH_AS(optim::Adam({tensor({1.0}, {.dtype = DType::i64})}),
                       doctest::Contains("Adam: can only optimize"), DTypeError);
  CHECK_THROWS_WITH_AS(optim::Adam({Tensor()}), doctest::Contains("undefined"), ValueError);
  // the options of every group are validated
  CHECK_THROWS_WITH_AS(optim::RMSprop({{{p}, {}}, {{f64({1})}, {.lr = -1}}}),
                       doctest::Contains("RMSprop: invalid learning rate: -1"), ValueError);
}

TEST_CASE("state_dict has PyTorch's layout under flattened keys") {
  Tensor a = f64({1, 2}), b = f64({3}), c = f64({4});
  optim::Adam opt({{{a, b}, {.lr = 0.1, .amsgrad = true}}, {{c}, {.betas = {0.5, 0.6}}}});
  sum(a * a).backward();  // b and c get no gradient: no state
  opt.step();
  opt.step();
  const nn::StateDict sd = opt.state_dict();
  CHECK(sd.keys() ==
        std::vector<std::string>{"state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                                 "param_groups.0.lr", "param_groups.0.betas", "param_groups.0.eps",
                                 "param_groups.0.weight_decay", "param_groups.0.amsgrad", "param_groups.0.maximize",
                                 "param_groups.0.params", "param_groups.1.lr", "param_groups.1.betas",
                                 "param_groups.1.eps", "param_groups.1.weight_decay", "param_groups.1.amsgrad",
                                 "param_groups.1.maximize", "param_groups.1.params"});
  CHECK(sd.at("state.0.step").item() == 2);
  CHECK(sd.at("state.0.step").dtype() == DType::i64);
  CHECK(sd.at("param_groups.0.lr").item() == 0.1);
  CHECK(sd.at("param_groups.0.amsgrad").item() == 1.0);
  CHECK(sd.at("param_groups.1.betas").to_vector() == std::vector<double>{0.5, 0.6});
  CHECK(sd.at("param_groups.0.params").to_vector() == std::vector<double>{0, 1});
  CHECK(sd.at("param_groups.1.params").to_vector() == std::vector<double>{2});
}

TEST_CASE(
    "training resumed from a saved model and optimizer (in memory and through safetensors files) equals 20 "
    "uninterrupted steps bit for bit") {
  const std::vector<std::pair<std::string, MakeOpt>> makers = {
      {"SGD",
       [](const auto& p) {
         return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
       }},
      {"Momentum",
       [](const auto& p) { return std::make_unique<optim::Momentum>(p, optim::MomentumOptions{.lr = 0.05}); }},
      {"Adagrad",
       [](const auto& p) {
         return std::make_unique<optim::Adagrad>(p, optim::AdagradOptions{.lr = 0.1, .lr_decay = 0.01});
       }},
      {"RMSprop",
       [](const auto& p) {
         return std::make_unique<optim::RMSprop>(p,
                                                 optim::RMSpropOptions{.lr = 0.01, .momentum = 0.5, .centered = true});
       }},
      {"Adam",
       [](const auto& p) { return std::make_unique<optim::Adam>(p, optim::AdamOptions{.lr = 0.01, .amsgrad = true}); }},
      {"AdamW", [](const auto& p) { return std::make_unique<optim::AdamW>(p, optim::AdamWOptions{.lr = 0.01}); }},
  };
  for (const auto& [name, make] : makers) {
    CAPTURE(name);
    check_resume(make, false);
    check_resume(make, true);
  }
}

TEST_CASE("load_state_dict restores the group options and converts buffers to the parameters' dtype") {
  Tensor a = f64({1, 2});
  optim::Adam opt({a}, {.lr = 0.1});
  sum(a * a).backward();
  opt.step();
  opt.param_groups()[0].options.lr = 0.25;
  const nn::StateDict sd = opt.state_dict();

  Tensor b = tensor({1, 2}, {.requires_grad = true});  // float32
  optim::Adam other({b});
  other.load_state_dict(sd);
  CHECK(other.lr(0) == 0.25);
  REQUIRE(other.state(b) != nullptr);
  CHECK(other.state(b)->step == 1);
  CHECK(other.state(b)->at("exp_avg").dtype() == DType::f32);
  CHECK_CLOSE_T(other.state(b)->at("exp_avg"), tensor({0.2, 0.4}));  // (1 - 0.9) * 2a
}

TEST_CASE("load_state_dict rejects a state of another shape and then changes nothing") {
  Tensor a = f64({1, 2}), b = f64({3});
  optim::SGD opt({a, b}, {.lr = 0.1, .momentum = 0.9});
  sum(a * a + 0.0).backward();
  opt.step();
  const nn::StateDict sd = opt.state_dict();

  SUBCASE("different group count") {
    Tensor c = f64({1, 2}), d = f64({3});
    optim::SGD two({{{c}, {.lr = 0.1}}, {{d}, {.lr = 0.1}}});
    CHECK_THROWS_WITH_AS(two.load_state_dict(sd),
                         doctest::Contains("the saved state has 1 parameter groups, this optimizer has 2"), ValueError);
    optim::SGD one({c}, {.lr = 0.1});
    CHECK_THROWS_WITH_AS(one.load_state_dict(sd), doctest::Contains("group 0 has 1 parameters"), ValueError);
  }
  SUBCASE("buffer of the wrong shape") {
    Tensor c = f64({1, 2, 3}), d = f64({3});
    optim::SGD other({c, d}, {.lr = 0.7});
    CHECK_THROWS_WITH_AS(other.load_state_dict(sd), doctest::Contains("state.0.momentum_buffer"), ValueError);
    CHECK(other.lr(0) == 0.7);
    CHECK(other.state(c) == nullptr);
  }
  SUBCASE("missing option") {
    nn::StateDict partial;
    for (const auto& [k, t] : sd)
      if (k != "param_groups.0.nesterov") partial.set(k, t);
    Tensor c = f64({1, 2}), d = f64({3});
    optim::SGD other({c, d}, {.lr = 0.7});
    CHECK_THROWS_WITH_AS(other.load_state_dict(partial), doctest::Contains("param_groups.0.nesterov"), ValueError);
    CHECK(other.lr(0) == 0.7);
  }
  SUBCASE("invalid option") {
    nn::StateDict bad;
    for (const auto& [k, t] : sd) bad.set(k, t);
    bad.set("param_groups.0.lr", scalar_tensor(-1.0, {.dtype = DType::f64}));
    Tensor c = f64({1, 2}), d = f64({3});
    optim::SGD other({c, d}, {.lr = 0.7});
    CHECK_THROWS_WITH_AS(other.load_state_dict(bad), doctest::Contains("invalid learning rate"), ValueError);
    CHECK(other.lr(0) == 0.7);
  }
}

TEST_CASE("a step after the parameter changed dtype under the optimizer is a clear error") {
  Tensor p = f64({1, 2});
  optim::Adam opt({p});
  sum(p * p).backward();
  opt.step();
  // what Module::to(DType::f32) does to every handle of a parameter
  Tensor converted = p.to(DType::f32);
  p.impl()->storage = converted.impl()->storage;
  p.impl()->dtype = DType::f32;
  p.set_grad(ones({2}));
  CHECK_THROWS_WITH_AS(
      opt.step(), doctest::Contains("Adam: the state 'exp_avg' is float64 [2] but its parameter is now float32 [2]"),
      StateError);
}
