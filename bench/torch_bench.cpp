// libtorch's side of bench/run (the C++ frontend, Debian's libtorch-dev): the same cases and
// flags as tg_bench.cpp, one JSON line on stdout.
#include <fmt/core.h>
#include <torch/torch.h>

#include <string>

#include "args.hpp"
#include "configs.hpp"
#include "harness.hpp"
#include "report.hpp"

namespace {

using bench::calibrate;

bench::Result run_per_call(const std::string& name, const std::function<void()>& fn, int samples) {
  const int64_t iters = calibrate(fn);
  return bench::Result::from_times(name, bench::time_it(fn, iters, samples), 1e6, "us");
}

bench::Result run_mlp(const bench::MlpConfig& c, int samples) {
  torch::manual_seed(0);
  torch::nn::Sequential model;
  for (size_t l = 0; l + 1 < c.widths.size(); ++l) {
    if (l > 0) model->push_back(torch::nn::ReLU());
    model->push_back(torch::nn::Linear(c.widths[l], c.widths[l + 1]));
  }
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  const auto x = torch::randn({c.batch, c.widths.front()});
  const auto y = c.classify ? torch::randint(0, c.widths.back(), {c.batch}, torch::kLong) : torch::randn({c.batch, 1});
  auto step = [&] {
    opt.zero_grad();
    const auto out = model->forward(x);
    const auto loss = c.classify ? torch::nn::functional::cross_entropy(out, y) : torch::mse_loss(out, y);
    loss.backward();
    opt.step();
  };
  const int64_t iters = calibrate(step, 0.2);
  for (int i = 0; i < 3; ++i) step();
  const long faults_before = bench::minor_faults();
  bench::Timing t = bench::time_it(step, iters, samples, 0);
  bench::Result r = bench::Result::from_rates("mlp_" + c.name, t, "steps/s");
  r.minor_faults_per_step =
      static_cast<double>(bench::minor_faults() - faults_before) / static_cast<double>(iters * samples);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const bench::Args a = bench::parse(argc, argv);
    if (a.threads > 0) torch::set_num_threads(a.threads);
    bench::Result r;
    auto p = torch::tensor({1.5f}, torch::requires_grad()), q = torch::tensor({2.5f}, torch::requires_grad());
    const auto c = torch::tensor({0.5f});
    if (a.kase == "add_fwd") {
      r = run_per_call(a.kase, [&] { auto y = p + q; }, a.samples);
    } else if (a.kase == "add_fwd_bwd") {
      r = run_per_call(a.kase, [&] { (p + q).backward(); }, a.samples);
    } else if (a.kase == "chain100") {
      r = run_per_call(
          a.kase,
          [&] {
            auto y = p;
            for (int i = 0; i < 100; ++i) y = y + c;
            y.backward();
          },
          a.samples);
    } else if (a.kase == "add_1m" || a.kase == "exp_1m" || a.kase == "relu_1m") {
      const auto u = torch::randn({1 << 20}), v = torch::randn({1 << 20});
      const double bytes = (a.kase == "add_1m" ? 3.0 : 2.0) * 4.0 * (1 << 20);
      std::function<void()> fn;
      if (a.kase == "add_1m") fn = [&] { auto y = u + v; };
      else if (a.kase == "exp_1m") fn = [&] { auto y = torch::exp(u); };
      else fn = [&] { auto y = torch::relu(u); };
      const int64_t iters = calibrate(fn);
      r = bench::Result::from_rates(a.kase, bench::time_it(fn, iters, a.samples), "GB/s", bytes * 1e-9);
    } else if (a.kase == "matmul") {
      const auto x = torch::randn({a.m, a.k}), w = torch::randn({a.k, a.n});
      auto fn = [&] { auto y = torch::mm(x, w); };
      const int64_t iters = calibrate(fn);
      r = bench::Result::from_rates(fmt::format("matmul_{}x{}x{}", a.m, a.k, a.n), bench::time_it(fn, iters, a.samples),
                                    "GFLOP/s", 2e-9 * static_cast<double>(a.m * a.k * a.n));
    } else if (a.kase == "mlp") {
      r = run_mlp(bench::mlp_config(a.config), a.samples);
    } else {
      throw std::invalid_argument("unknown --case '" + a.kase + "'");
    }
    r.impl = "libtorch";
    r.threads = torch::get_num_threads();
    fmt::print("{}\n", r.json());
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "torch_bench: {}\n", e.what());
    return 2;
  }
}
