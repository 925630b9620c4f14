// A two-layer network learns three interleaved spirals, written with the engine's ops alone
// (no nn, losses or optim): the forward pass is matmul, relu, log_softmax and gather; backward()
// fills the weights' gradients; a plain gradient-descent step updates the weights in place.
//
//   spirals_engine [--steps 2000] [--hidden 100] [--lr 1.0] [--seed 0] [--min-accuracy 0.9]
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/autograd/ops/index.hpp>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace tapegrad;

namespace {

/// Three spirals in the plane (as in the CS231n notes): class c's points run outward along an
/// arm from the origin, at angles 4c..4c+4 radians plus noise.
struct Spirals {
  Tensor x;  // [N, 2] float32 coordinates
  Tensor y;  // [N] int64 classes
};

Spirals make_spirals(std::int64_t per_class, std::int64_t classes, Generator& gen) {
  const std::int64_t n = per_class * classes;
  std::vector<double> xy, labels;
  for (std::int64_t c = 0; c < classes; ++c) {
    for (std::int64_t i = 0; i < per_class; ++i) {
      const double r = static_cast<double>(i) / (per_class - 1);
      const double angle = 4.0 * (c + r) + 0.2 * gen.normal();
      xy.push_back(r * std::sin(angle));
      xy.push_back(r * std::cos(angle));
      labels.push_back(static_cast<double>(c));
    }
  }
  return {tensor(xy, {n, 2}), tensor(labels, {.dtype = DType::i64})};
}

/// Share of rows whose largest score is at the point's class: scores [N, C], y [N].
double accuracy(const Tensor& scores, const Tensor& y) {
  // Comparisons take float operands, so both int64 class tensors are converted first.
  return mean(eq(argmax(scores, 1).to(DType::f32), y.to(DType::f32))).item();
}

/// w -= lr * w.grad, then forget the gradient (it would add up otherwise).
void sgd_step(std::vector<Tensor>& params, double lr) {
  NoGradGuard no_grad;
  for (Tensor& w : params) {
    float* value = w.data<float>();
    const float* grad = w.grad().data<float>();
    for (std::int64_t i = 0; i < w.numel(); ++i) value[i] -= static_cast<float>(lr) * grad[i];
    w.set_grad(Tensor());
  }
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 2000, hidden = 100, print_every = 200;
  double lr = 1.0, weight_decay = 1e-3, min_accuracy = 0.0;
  std::uint64_t seed = 0;
  CLI::App app{"Trains a 2-layer MLP on three spirals with tapegrad's engine ops."};
  app.add_option("--steps", steps, "gradient-descent steps")->capture_default_str();
  app.add_option("--hidden", hidden, "hidden units")->capture_default_str();
  app.add_option("--lr", lr, "learning rate")->capture_default_str();
  app.add_option("--weight-decay", weight_decay, "L2 penalty on the weights")->capture_default_str();
  app.add_option("--seed", seed, "seed of the data and the weights")->capture_default_str();
  app.add_option("--print-every", print_every, "steps between loss reports")->capture_default_str();
  app.add_option("--min-accuracy", min_accuracy, "exit with 1 if the final accuracy is lower")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Data: 3 classes of 100 points. Weights: randn * 0.01 (a small start, as in the CS231n notes).
  Generator data_gen(seed);
  const Spirals data = make_spirals(100, 3, data_gen);
  manual_seed(seed);
  Tensor w1 = (randn({2, hidden}) * 0.01).requires_grad_();
  Tensor b1 = zeros({hidden}, {.requires_grad = true});
  Tensor w2 = (randn({hidden, 3}) * 0.01).requires_grad_();
  Tensor b2 = zeros({3}, {.requires_grad = true});
  std::vector<Tensor> params{w1, b1, w2, b2};

  for (int step = 1; step <= steps; ++step) {
    // x [N, 2] @ w1 [2, H] + b1 -> relu -> @ w2 [H, 3] + b2 -> scores [N, 3]
    Tensor h = relu(matmul(data.x, w1) + b1);
    Tensor scores = matmul(h, w2) + b2;
    // Mean negative log-likelihood of the true class: gather picks log p[i, y_i] -> [N, 1].
    Tensor nll = -mean(gather(log_softmax(scores, 1), 1, unsqueeze(data.y, 1)));
    Tensor penalty = (sum(w1 * w1) + sum(w2 * w2)) * (0.5 * weight_decay);
    Tensor loss = nll + penalty;
    loss.backward();
    sgd_step(params, lr);
    if (step % print_every == 0 || step == 1)
      fmt::print("step {:5d}  loss {:.4f}  accuracy {:.3f}\n", step, loss.item(), accuracy(scores, data.y));
  }

  Tensor scores;
  {
    NoGradGuard no_grad;
    scores = matmul(relu(matmul(data.x, w1) + b1), w2) + b2;
  }
  const double acc = accuracy(scores, data.y);
  fmt::print("training accuracy {:.1f}% on {} points\n", 100 * acc, data.y.numel());
  if (acc < min_accuracy) {
    fmt::print(stderr, "accuracy {:.3f} is below --min-accuracy {:.3f}\n", acc, min_accuracy);
    return 1;
  }
  return 0;
}
