// The textbooks' gradient-descent demo, done right: fit y = w x + b to y = 3x + 2 + noise by
// full-batch gradient descent, by SGD (one sample per step) and by mini-batch SGD, each twice:
// once with the gradient derived by hand, once with autograd. Both runs see the same batches
// in the same order, so their gradients must agree to rounding; the fits are printed beside
// the closed-form least-squares answer.
//
// The NumPy versions this redoes get the gradient wrong. For L = (1/n) Σ (w x_i + b - y_i)²:
//   dL/dw = (2/n) Σ (w x_i + b - y_i) x_i      dL/db = (2/n) Σ (w x_i + b - y_i)
// They write `gradient = 2 * (y_pred - y)` (a vector of residuals: no factor x_i, no mean,
// so it is not even the shape of theta), or `2 * (X - X @ theta)` (y is missing altogether),
// fit no intercept, and add noise from np.random.rand, which has mean 0.5 and so moves the
// intercept to 2.5.
//
//   linear_regression [--epochs 200] [--lr 0.1] [--batch-size 16] [--seed 0] [--threads 1]
//                     [--n 100] [--noise 0.5] [--smoke] [--out out/linear_regression]
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace tapegrad;

namespace {

struct Method {
  std::string name;
  std::int64_t batch_size;  // 0: the whole set (gradient descent)
  double lr;
};

/// One training run: the gradient of every step, the fit, and the full-data loss per epoch.
struct Run {
  std::vector<std::array<double, 2>> grads;  // (dL/dw, dL/db) per step
  double w = 0, b = 0;
  std::vector<double> epoch_loss;
};

/// Mean squared error of w x + b on (x, y), in plain doubles.
double mse(const std::vector<double>& x, const std::vector<double>& y, double w, double b) {
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += (w * x[i] + b - y[i]) * (w * x[i] + b - y[i]);
  return s / static_cast<double>(x.size());
}

/// Trains w, b from 0 with the method's batches. by_hand: the gradient from the formula and
/// the update written out; otherwise autograd (mse_loss, backward) and optim::SGD. The
/// stochastic methods decay the lr exponentially per epoch to 1% of its start (ExponentialLR's
/// lr *= gamma), so their noisy steps settle; gradient descent keeps its lr.
Run fit(const data::Sample& set, const Method& m, int epochs, std::uint64_t seed, bool by_hand) {
  const std::int64_t n = set.input.size(0);
  auto dataset = std::make_shared<data::TensorDataset>(set.input, set.target);
  data::DataLoader loader(
      dataset, {.batch_size = m.batch_size == 0 ? n : m.batch_size, .shuffle = m.batch_size != 0, .seed = seed});
  const double gamma = m.batch_size == 0 ? 1.0 : std::pow(0.01, 1.0 / epochs);
  const auto all_x = set.input.to_vector(), all_y = set.target.to_vector();
  Run run;

  Tensor w = scalar_tensor(0.0, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = scalar_tensor(0.0, {.dtype = DType::f64, .requires_grad = true});
  optim::SGD opt({w, b}, {.lr = m.lr});
  optim::ExponentialLR schedule(opt, gamma);
  double lr = m.lr;  // the hand-written run's own copy of the schedule

  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (auto& [x, y] : loader) {
      if (by_hand) {
        // L = (1/m) Σ r_i², r_i = w x_i + b - y_i:  dL/dw = (2/m) Σ r_i x_i,  dL/db = (2/m) Σ r_i
        const auto xs = x.to_vector(), ys = y.to_vector();
        const double mb = static_cast<double>(xs.size());
        double gw = 0, gb = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
          const double r = run.w * xs[i] + run.b - ys[i];
          gw += r * xs[i];
          gb += r;
        }
        gw *= 2 / mb;
        gb *= 2 / mb;
        run.grads.push_back({gw, gb});
        run.w -= lr * gw;
        run.b -= lr * gb;
      } else {
        opt.zero_grad();
        const Tensor loss = losses::mse_loss(x * w + b, y);  // x [m, 1] * w [] + b [] -> [m, 1]
        loss.backward();
        run.grads.push_back({w.grad().item(), b.grad().item()});
        opt.step();
      }
    }
    lr *= gamma;
    schedule.step();
    if (!by_hand) {
      run.w = w.item();
      run.b = b.item();
    }
    run.epoch_loss.push_back(mse(all_x, all_y, run.w, run.b));
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 200, threads = 1;
  std::int64_t n = 100, batch_size = 16;
  double noise = 0.5;
  std::optional<double> lr;
  std::uint64_t seed = 0;
  bool smoke = false;
  std::string out = "out/linear_regression";
  CLI::App app{"Fits y = 3x + 2 + noise by gradient descent, SGD and mini-batch SGD, by hand and with autograd."};
  app.add_option("--epochs", epochs, "passes over the data (gradient descent: one step each)")->capture_default_str();
  app.add_option("--lr", lr, "learning rate of every method (default: 0.3 GD, 0.05 SGD, 0.1 mini-batch)");
  app.add_option("--batch-size", batch_size, "samples per mini-batch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed of the data and the shuffling")->capture_default_str();
  app.add_option("--threads", threads, "threads (tapegrad::set_num_threads)")->capture_default_str();
  app.add_option("--n", n, "number of points")->capture_default_str()->check(CLI::Range(2, 1000000));
  app.add_option("--noise", noise, "standard deviation of the noise")->capture_default_str();
  app.add_flag("--smoke", smoke, "a short run for CI (50 epochs)");
  app.add_option("--out", out, "folder for metrics.csv and loss.png")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (smoke) epochs = std::min(epochs, 50);
  set_num_threads(threads);

  const data::Sample set = data::noisy_line(n, 3, 2, noise, seed, DType::f64);
  const auto xs = set.input.to_vector(), ys = set.target.to_vector();

  // Closed form: slope = cov(x, y) / var(x), intercept = mean(y) - slope * mean(x).
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) mx += xs[i], my += ys[i];
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) sxy += (xs[i] - mx) * (ys[i] - my), sxx += (xs[i] - mx) * (xs[i] - mx);
  const double slope = sxy / sxx, intercept = my - slope * mx;

  fmt::print("data: y = 3x + 2 + N(0, {}^2), {} points, x in [0, 2), seed {}\n", noise, n, seed);
  fmt::print("closed-form least squares: slope {:.5f}  intercept {:.5f}  mse {:.5f}\n\n", slope, intercept,
             mse(xs, ys, slope, intercept));

  const std::vector<Method> methods = {
      {"gradient descent (full batch)", 0, lr.value_or(0.3)},
      {"SGD (1 sample per step)", 1, lr.value_or(0.05)},
      {fmt::format("mini-batch SGD (batch {})", batch_size), batch_size, lr.value_or(0.1)},
  };
  fmt::print("{:<30} {:<9} {:>6} {:>6} {:>9} {:>10} {:>9} {:>10}\n", "method", "gradient", "steps", "lr", "slope",
             "intercept", "mse", "|slope-cf|");
  bool ok = true;
  // per epoch: each method's mse minus the least-squares mse (the part training can remove)
  train::CsvLogger csv(out, {"epoch", "gd_excess_loss", "sgd_excess_loss", "minibatch_excess_loss"});
  std::vector<std::vector<double>> curves;
  for (const Method& m : methods) {
    const Run hand = fit(set, m, epochs, seed, true);
    const Run autograd = fit(set, m, epochs, seed, false);
    double max_diff = 0;  // largest difference of a gradient component over all steps
    for (std::size_t s = 0; s < hand.grads.size(); ++s)
      for (int k = 0; k < 2; ++k) max_diff = std::max(max_diff, std::abs(hand.grads[s][k] - autograd.grads[s][k]));
    for (const Run* r : {&hand, &autograd})
      fmt::print("{:<30} {:<9} {:>6} {:>6} {:>9.5f} {:>10.5f} {:>9.5f} {:>10.2e}\n", m.name,
                 r == &hand ? "by hand" : "autograd", r->grads.size(), m.lr, r->w, r->b, mse(xs, ys, r->w, r->b),
                 std::abs(r->w - slope));
    fmt::print("  hand vs autograd: max gradient difference {:.1e} over {} steps, final w differs by {:.1e}\n",
               max_diff, hand.grads.size(), std::abs(hand.w - autograd.w));
    ok = ok && hand.grads.size() == autograd.grads.size() && max_diff < 1e-9;
    ok = ok && std::abs(autograd.w - slope) < 0.05 && std::abs(hand.w - slope) < 0.05;
    curves.push_back(autograd.epoch_loss);
  }
  const double best = mse(xs, ys, slope, intercept);
  for (int e = 0; e < epochs; ++e)
    csv.log({double(e + 1), curves[0][e] - best, curves[1][e] - best, curves[2][e] - best});
  train::plot_curves(csv.path(), std::filesystem::path(out) / "loss.png",
                     {.title = "linear regression: mse - least-squares mse, after each epoch", .log_y = true});
  fmt::print("\nwrote {} and {}/loss.png\n", csv.path().string(), out);
  if (!ok) {
    fmt::print(stderr,
               "check failed: a slope is more than 0.05 from the closed form, or hand and autograd "
               "gradients disagree\n");
    return 1;
  }
  fmt::print("check passed: every slope within 0.05 of the closed form; hand and autograd agree\n");
  return 0;
}
