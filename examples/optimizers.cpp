// Optimizers side by side on two classic test functions, from the same start on each:
// gradient descent, SGD (a noisy gradient), Momentum, AdaGrad, RMSprop, Adam, and Adam with an
// exponentially decaying learning rate. Prints how many steps each needs to get within a
// tolerance of the minimum and where it ends, and draws the paths over the function's contours.
//
//   Rosenbrock  f(x, y) = (1 - x)² + 100 (y - x²)²                          min 0 at (1, 1)
//   Beale       f(x, y) = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²
//                                                                           min 0 at (3, 0.5)
//
// "SGD" here is gradient descent on the exact gradient plus N(0, sigma²) noise per coordinate,
// which is what a mini-batch estimate of a gradient looks like to the optimizer; with a fixed
// learning rate it hovers around the minimum at a distance set by the noise.
//
//   optimizers [--steps 3000] [--optimizer all] [--lr <each one's own>] [--seed 0]
//              [--threads 1] [--tol 1e-4] [--smoke] [--out out/optimizers]
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace tapegrad;

namespace {

// Written once for doubles (the contour grid) and for Tensors (autograd).
template <class T> T rosenbrock(const T& x, const T& y) {
  const T a = 1.0 - x, b = y - x * x;
  return a * a + 100.0 * b * b;
}
template <class T> T beale(const T& x, const T& y) {
  const T y2 = y * y;
  const T a = 1.5 - x + x * y, b = 2.25 - x + x * y2, c = 2.625 - x + x * y2 * y;
  return a * a + b * b + c * c;
}

struct Problem {
  std::string name;
  std::function<Tensor(const Tensor&, const Tensor&)> f;
  std::function<double(double, double)> f_value;
  std::array<double, 2> start, minimum;
  train::Region region;
  std::map<std::string, double> lr;  // each optimizer's learning rate on this function
  double noise;                      // sigma of SGD's gradient noise
};

struct Result {
  std::optional<int> steps_to_tol;
  double final_loss;
  std::array<double, 2> end;
  train::Trajectory path;
};

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, const Tensor& p, double lr) {
  if (name == "GD" || name == "SGD")
    return std::make_unique<optim::SGD>(std::vector<Tensor>{p}, optim::SGDOptions{.lr = lr});
  if (name == "Momentum")
    return std::make_unique<optim::Momentum>(std::vector<Tensor>{p}, optim::MomentumOptions{.lr = lr});
  if (name == "AdaGrad")
    return std::make_unique<optim::Adagrad>(std::vector<Tensor>{p}, optim::AdagradOptions{.lr = lr});
  if (name == "RMSprop")
    return std::make_unique<optim::RMSprop>(std::vector<Tensor>{p}, optim::RMSpropOptions{.lr = lr});
  return std::make_unique<optim::Adam>(std::vector<Tensor>{p}, optim::AdamOptions{.lr = lr});  // Adam, Adam+decay
}

/// Runs one optimizer for `steps` steps from the problem's start, recording the path.
Result run(const Problem& pb, const std::string& name, double lr, int steps, double tol, std::uint64_t seed) {
  Tensor p = tensor({pb.start[0], pb.start[1]}, {.dtype = DType::f64, .requires_grad = true});
  auto opt = make_optimizer(name, p, lr);
  std::unique_ptr<optim::ExponentialLR> decay;
  if (name == "Adam+decay") decay = std::make_unique<optim::ExponentialLR>(*opt, 0.999);  // lr * 0.999^step
  Generator noise(seed);
  Result r{std::nullopt, 0, {}, {name, {pb.start}}};
  for (int step = 1; step <= steps; ++step) {
    opt->zero_grad();
    const Tensor loss = pb.f(select(p, 0, 0), select(p, 0, 1));
    loss.backward();
    if (name == "SGD") {  // the gradient as a noisy estimate would give it
      double* g = p.grad().data<double>();
      for (int k = 0; k < 2; ++k) g[k] += pb.noise * noise.normal();
    }
    opt->step();
    if (decay) decay->step();
    const auto v = p.to_vector();
    r.path.points.push_back({v[0], v[1]});
    const double f = pb.f_value(v[0], v[1]);
    if (!r.steps_to_tol && f < tol) r.steps_to_tol = step;
    if (!std::isfinite(f)) break;  // diverged
  }
  const auto v = p.to_vector();
  r.end = {v[0], v[1]};
  r.final_loss = pb.f_value(v[0], v[1]);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 3000, threads = 1;
  std::string which = "all", out = "out/optimizers";
  std::optional<double> lr;
  double tol = 1e-4;
  std::uint64_t seed = 0;
  bool smoke = false;
  CLI::App app{"Compares optimizers on the Rosenbrock and Beale functions."};
  app.add_option("--steps,--epochs", steps, "steps per optimizer")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--optimizer", which, "GD, SGD, Momentum, AdaGrad, RMSprop, Adam, Adam+decay or all")
      ->capture_default_str();
  app.add_option("--lr", lr, "one learning rate for all (default: each optimizer's own, tuned per function)");
  app.add_option("--tol", tol, "a run has converged once f - f_min < tol")->capture_default_str();
  app.add_option("--seed", seed, "seed of SGD's gradient noise")->capture_default_str();
  app.add_option("--threads", threads, "threads (tapegrad::set_num_threads)")->capture_default_str();
  app.add_flag("--smoke", smoke, "a short run for CI");
  app.add_option("--out", out, "folder for the PNGs")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (smoke) steps = std::min(steps, 2000);
  set_num_threads(threads);

  const std::vector<std::string> names = {"GD", "SGD", "Momentum", "AdaGrad", "RMSprop", "Adam", "Adam+decay"};
  if (which != "all" && std::find(names.begin(), names.end(), which) == names.end()) {
    fmt::print(stderr, "unknown --optimizer '{}'\n", which);
    return 2;
  }
  // each optimizer's learning rate; the same ones serve both functions
  const std::map<std::string, double> rates = {{"GD", 1e-3},      {"SGD", 1e-3},  {"Momentum", 1e-3},  {"AdaGrad", 0.5},
                                               {"RMSprop", 1e-2}, {"Adam", 0.05}, {"Adam+decay", 0.1}};
  const std::vector<Problem> problems = {
      {"rosenbrock",
       [](const Tensor& x, const Tensor& y) { return rosenbrock(x, y); },
       [](double x, double y) { return rosenbrock(x, y); },
       {-1.5, 2.0},
       {1.0, 1.0},
       {.x_min = -2, .x_max = 2, .y_min = -1, .y_max = 3},
       rates,
       1.0},
      {"beale",
       [](const Tensor& x, const Tensor& y) { return beale(x, y); },
       [](double x, double y) { return beale(x, y); },
       {1.0, 1.5},
       {3.0, 0.5},
       {.x_min = -0.5, .x_max = 4, .y_min = -1.5, .y_max = 2},
       rates,
       1.0},
  };

  fmt::print(
      "GD: plain gradient descent. SGD: gradient descent on the exact gradient plus N(0, sigma^2) noise per\n"
      "coordinate, as a mini-batch estimate would give it. Momentum: heavy ball, 0.9. Adam+decay: Adam whose lr\n"
      "is multiplied by 0.999 after every step (ExponentialLR). Learning rates are tuned per function.\n\n");
  bool ok = true;
  for (const Problem& pb : problems) {
    fmt::print("{}: start ({}, {}), minimum 0 at ({}, {}), {} steps, tolerance f < {:g}, SGD's sigma {}\n", pb.name,
               pb.start[0], pb.start[1], pb.minimum[0], pb.minimum[1], steps, tol, pb.noise);
    fmt::print("  {:<11} {:>8} {:>13} {:>12} {:>22}\n", "optimizer", "lr", "first f<tol", "final f", "end point");
    std::vector<train::Trajectory> paths;
    for (const auto& name : names) {
      if (which != "all" && which != name) continue;
      const double rate = lr.value_or(pb.lr.at(name));
      const Result r = run(pb, name, rate, steps, tol, seed);
      fmt::print("  {:<11} {:>8g} {:>13} {:>12.3e} {:>22}\n", name, rate,
                 r.steps_to_tol ? std::to_string(*r.steps_to_tol) : "-", r.final_loss,
                 fmt::format("({:.4f}, {:.4f})", r.end[0], r.end[1]));
      if (name == "Adam" && !lr && !r.steps_to_tol) ok = false;  // the check: Adam converges on both
      paths.push_back(r.path);
    }
    const auto png = std::filesystem::path(out) / (pb.name + ".png");
    if (train::plot_contours(pb.f_value, pb.region, paths, png,
                             {.width = 1000, .height = 750, .title = pb.name + ": optimizer paths from the same start"},
                             {}, {pb.minimum}))
      fmt::print("  wrote {}\n", png.string());
    fmt::print("\n");
  }
  if (!ok) {
    fmt::print(stderr, "check failed: Adam did not reach the tolerance on every function\n");
    return 1;
  }
  return 0;
}
