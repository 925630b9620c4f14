// The "Done means": a two-layer MLP written as a custom Module and as a Sequential,
// trained with a hand-written SGD loop (checked step by step against PyTorch's run of the same
// loop), then its state_dict copied into a fresh model that gives identical outputs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nn_fixtures.hpp"

using namespace tapegrad;

namespace {

struct MLP : nn::Module {
  std::shared_ptr<nn::Linear> fc1, fc2;
  MLP() : fc1(register_module("fc1", nn::Linear(2, 8))), fc2(register_module("fc2", nn::Linear(8, 1))) {}
  Tensor forward(const Tensor& x) override { return (*fc2)(tanh((*fc1)(x))); }
};

Tensor mse(const Tensor& out, const Tensor& y) { return mean(pow(out - y, 2.0)); }

// One hand-written SGD step: p -= lr * p.grad; returns the loss before the step.
double sgd_step(nn::Module& model, const Tensor& x, const Tensor& y, double lr) {
  model.zero_grad();
  const Tensor loss = mse(model(x), y);
  loss.backward();
  NoGradGuard no_grad;
  for (Tensor& p : model.parameters()) p.copy_(p - lr * p.grad());
  return loss.item();
}

// torch's keys for MLP ("fc1.weight", ...) renamed for Sequential(Linear, Tanh, Linear)
nn::StateDict as_sequential_keys(const nn::StateDict& sd) {
  nn::StateDict out;
  for (const auto& [k, t] : sd) out.set((k.rfind("fc1", 0) == 0 ? "0" : "2") + k.substr(3), t);
  return out;
}

}  // namespace

TEST_CASE("SGD on a two-layer MLP follows PyTorch's run step by step, as a custom Module and as a Sequential") {
  const auto& fx = fixtures::load("nn");
  nn::StateDict init;
  for (std::string k : {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}) init.set(k, fx["train.init." + k]);
  MLP mlp;
  nn::Sequential seq(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1));
  mlp.to(DType::f64).load_state_dict(init);
  seq.to(DType::f64).load_state_dict(as_sequential_keys(init));
  const Tensor x = fx["train.x"], y = fx["train.y"];
  std::vector<double> mlp_losses, seq_losses;
  for (int step = 0; step < 20; ++step) {
    mlp_losses.push_back(sgd_step(mlp, x, y, 0.1));
    seq_losses.push_back(sgd_step(seq, x, y, 0.1));
  }
  CHECK_CLOSE_TOL(tensor(mlp_losses, {.dtype = DType::f64}), fx["train.losses"], 1e-9, 1e-12);
  CHECK_CLOSE_TOL(tensor(seq_losses, {.dtype = DType::f64}), fx["train.losses"], 1e-9, 1e-12);
  for (const auto& [k, t] : mlp.state_dict()) {
    INFO(k);
    CHECK_CLOSE_TOL(t, fx["train.final." + k], 1e-9, 1e-12);
  }
  CHECK_CLOSE_TOL(seq(x), fx["train.final_out"], 1e-9, 1e-12);
}

TEST_CASE(
    "Done means: train an MLP (custom Module and Sequential), copy its state_dict into a fresh model, "
    "get identical outputs") {
  manual_seed(2024);
  // y = x0 * x1 on 64 points of [-2, 2]^2
  const Tensor x = rand({64, 2}) * 4.0 - 2.0;
  const Tensor y = reshape(select(x, 1, 0) * select(x, 1, 1), {64, 1});

  auto train_and_copy = [&](nn::Module& model, nn::Module& fresh) {
    const double first = sgd_step(model, x, y, 0.05);
    double last = first;
    for (int step = 0; step < 300; ++step) last = sgd_step(model, x, y, 0.05);
    INFO("loss ", first, " -> ", last);
    CHECK(last < 0.5 * first);  // the loss falls
    const Tensor probe = rand({10, 2}) * 4.0 - 2.0;
    CHECK(fresh(probe).to_vector() != model(probe).to_vector());  // different initial weights
    fresh.load_state_dict(model.state_dict());
    CHECK(fresh(probe).to_vector() == model(probe).to_vector());  // identical, bit for bit
    CHECK(fresh(x).to_vector() == model(x).to_vector());
  };
  SUBCASE("custom Module") {
    MLP model, fresh;
    train_and_copy(model, fresh);
  }
  SUBCASE("Sequential") {
    nn::Sequential model(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1));
    nn::Sequential fresh(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1));
    train_and_copy(model, fresh);
  }
}
