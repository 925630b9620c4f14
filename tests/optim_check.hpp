#pragma once
// Shared by the optimizer tests: the fixture problems of tests/fixtures/gen_optim.py, a runner
// that checks an optimizer's trajectory and final state against torch.optim's, and the
// convergence problems (XOR with a small MLP, a quadratic bowl).
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace optim_check {

using namespace tapegrad;

/// Starting parameters (leaves requiring grad) and the loss of one fixture problem.
struct Problem {
  std::vector<Tensor> params;
  std::function<Tensor()> loss;
};

/// "rosen", "smooth" or "smooth32" (smooth in float32), from the fixture's starting values.
inline Problem make_problem(const std::string& problem) {
  const auto& fx = fixtures::load("optim");
  const DType dt = problem == "smooth32" ? DType::f32 : DType::f64;
  const std::string base = problem == "rosen" ? "rosen" : "smooth";
  auto start = [&](const std::string& n) { return fx["problem." + base + "." + n].to(dt).clone(); };
  Problem pb;
  if (base == "rosen") {
    // sum((1 - x)^2 + 100 (y - x^2)^2)
    pb.params = {start("x").requires_grad_(), start("y").requires_grad_()};
    pb.loss = [x = pb.params[0], y = pb.params[1]] { return sum(pow(1.0 - x, 2) + 100.0 * pow(y - pow(x, 2), 2)); };
  } else {
    // sum(log(1 + exp(w * X + b))) + 0.1 sum(w^4) + 0.1 sum(b^4)
    pb.params = {start("w").requires_grad_(), start("b").requires_grad_()};
    pb.loss = [w = pb.params[0], b = pb.params[1], X = start("X")] {
      return sum(log(1.0 + exp(w * X + b))) + 0.1 * sum(pow(w, 4)) + 0.1 * sum(pow(b, 4));
    };
  }
  return pb;
}

/// Row k of a [steps, ...] trajectory.
inline Tensor row(const Tensor& traj, std::int64_t k) {
  std::vector<std::int64_t> dims(traj.shape().begin() + 1, traj.shape().end());
  const Shape shape(dims);
  const auto all = traj.to_vector();
  const auto n = static_cast<std::size_t>(shape.numel());
  std::vector<double> v(all.begin() + static_cast<std::ptrdiff_t>(k * shape.numel()),
                        all.begin() + static_cast<std::ptrdiff_t>(k * shape.numel() + static_cast<std::int64_t>(n)));
  return tensor(v, shape, {.dtype = traj.dtype()});
}

/// Largest |a - e| / |e| over elements with |e| > 1e-8 (float64) or 1e-4 (float32), for the report.
inline double rel_error(const Tensor& actual, const Tensor& expected) {
  const auto a = actual.to_vector(), e = expected.to_vector();
  const double floor = expected.dtype() == DType::f32 ? 1e-4 : 1e-8;
  double worst = 0;
  for (std::size_t i = 0; i < a.size() && i < e.size(); ++i)
    if (std::abs(e[i]) > floor) worst = std::max(worst, std::abs(a[i] - e[i]) / std::abs(e[i]));
  return worst;
}

/// The largest relative error seen in float64 and float32 runs of this test binary.
inline double& worst_f64() {
  static double w = 0;
  return w;
}
inline double& worst_f32() {
  static double w = 0;
  return w;
}

/// Prints the largest relative errors since the last report when TAPEGRAD_REPORT is set (for
/// the notes), and starts counting again.
inline void report(const char* what) {
  if (std::getenv("TAPEGRAD_REPORT"))
    std::printf("%s: largest relative error vs torch: float64 %.3g, float32 %.3g\n", what, worst_f64(), worst_f32());
  worst_f64() = worst_f32() = 0;
}

/// Runs the fixture's steps of opt on pb (zero_grad, backward of the loss, negated when
/// maximize, step) and checks the parameters after every step, then the final state (buffers
/// and step count) against prefix ("adam.amsgrad.rosen") in tests/fixtures/optim.txt.
inline void check_run(const std::string& prefix, optim::Optimizer& opt, Problem& pb, bool maximize) {
  const auto& fx = fixtures::load("optim");
  std::vector<Tensor> traj;
  for (std::size_t j = 0; j < pb.params.size(); ++j) traj.push_back(fx[prefix + ".p" + std::to_string(j)]);
  const std::int64_t steps = traj[0].size(0);
  double& worst = pb.params[0].dtype() == DType::f64 ? worst_f64() : worst_f32();
  for (std::int64_t k = 0; k < steps; ++k) {
    opt.zero_grad();
    const Tensor loss = pb.loss();
    (maximize ? -loss : loss).backward();
    opt.step();
    for (std::size_t j = 0; j < pb.params.size(); ++j) {
      const Tensor expected = row(traj[j], k);
      worst = std::max(worst, rel_error(pb.params[j], expected));
      const std::string m = fixtures::mismatch(pb.params[j], expected);
      CHECK_MESSAGE(m.empty(), prefix << ": parameter " << j << " after step " << k + 1 << ": " << m);
      if (!m.empty()) return;
    }
  }
  for (std::size_t j = 0; j < pb.params.size(); ++j) {
    const std::string head = prefix + ".state.p" + std::to_string(j) + ".";
    const optim::ParamState* st = opt.state(pb.params[j]);
    REQUIRE_MESSAGE(st != nullptr, prefix << ": parameter " << j << " has no state");
    std::size_t buffers = 0;
    for (const std::string& name : fx.names(head)) {
      const std::string key = name.substr(head.size());
      if (key == "step") {
        CHECK_MESSAGE(static_cast<double>(st->step) == fx[name].item(), name);
        continue;
      }
      ++buffers;
      REQUIRE_MESSAGE(st->has(key), prefix << ": parameter " << j << " has no buffer " << key);
      worst = std::max(worst, rel_error(st->at(key), fx[name]));
      const std::string m = fixtures::mismatch(st->at(key), fx[name]);
      CHECK_MESSAGE(m.empty(), name << ": " << m);
    }
    CHECK_MESSAGE(st->buffers.size() == buffers,
                  prefix << ": parameter " << j << " has " << st->buffers.size() << " buffers, torch has " << buffers);
  }
}

// ---- convergence ------------------------------------------------------------------------------

/// A 2-8-1 MLP for XOR: tanh hidden layer, sigmoid output, float64, seeded.
struct Xor {
  Tensor X = tensor({0, 0, 0, 1, 1, 0, 1, 1}, {4, 2}, {.dtype = DType::f64});
  Tensor Y = tensor({0, 1, 1, 0}, {4, 1}, {.dtype = DType::f64});
  std::vector<Tensor> params;
  Xor() {
    Generator gen(1234);
    auto init = [&](const Shape& s, double scale) {
      return (randn(s, {.dtype = DType::f64}, &gen) * scale).detach().requires_grad_();
    };
    params = {init({2, 8}, 1.0), init({8}, 0.1), init({8, 1}, 1.0), init({1}, 0.1)};
  }
  /// Mean squared error of the network's outputs.
  Tensor loss() const {
    const Tensor h = tanh(matmul(X, params[0]) + params[1]);
    const Tensor out = sigmoid(matmul(h, params[2]) + params[3]);
    return mean(pow(out - Y, 2));
  }
};

/// Trains for `steps` steps and returns the final loss.
inline double train(optim::Optimizer& opt, const std::function<Tensor()>& loss, int steps) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    loss().backward();
    opt.step();
  }
  NoGradGuard no_grad;
  return loss().item();
}

/// An ill-conditioned bowl: 0.5 * sum(a * (x - c)^2), a = [1, 10, 0.5], c = [1, -2, 3], from 0.
struct Bowl {
  Tensor a = tensor({1, 10, 0.5}, {.dtype = DType::f64});
  Tensor c = tensor({1, -2, 3}, {.dtype = DType::f64});
  Tensor x = zeros({3}, {.dtype = DType::f64, .requires_grad = true});
  Tensor loss() const { return 0.5 * sum(a * pow(x - c, 2)); }
};

}  // namespace optim_check
