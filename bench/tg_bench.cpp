// tapegrad's side of bench/run: one case per process, one JSON line on stdout.
//
//   tg_bench --case add_fwd|add_fwd_bwd|chain100|add_1m|exp_1m|relu_1m|mlp|gemm_bound|matmul
//            [--config tiny|small|medium|large] [--shape M,K,N] [--samples 9] [--threads N]
//
// Times are medians over samples of many calls each, after a warm-up: microseconds per call for
// the overhead cases, GB/s for the 1M-element ops, GFLOP/s for matmul, steps/s for mlp and the
// GEMM-only bound (the step's GEMMs alone, straight to BLAS on buffers allocated once).
#include <fmt/core.h>
#include <sys/resource.h>
#include <tapegrad/tapegrad.hpp>

#include <cstring>
#include <string>

#include <tapegrad/core/gemm.hpp>

#include "args.hpp"
#include "configs.hpp"
#include "harness.hpp"
#include "report.hpp"

using namespace tapegrad;

namespace {

using bench::calibrate;

bench::Result run_per_call(const std::string& name, const std::function<void()>& fn, int samples, double scale,
                           const char* unit) {
  const int64_t iters = calibrate(fn);
  bench::Timing t = bench::time_it(fn, iters, samples);
  return bench::Result::from_times(name, t, scale, unit);
}

bench::Result run_mlp(const bench::MlpConfig& c, int samples) {
  manual_seed(0);
  nn::Sequential model;
  for (size_t l = 0; l + 1 < c.widths.size(); ++l) {
    if (l > 0) model.push_back(nn::ReLU());
    model.push_back(nn::Linear(c.widths[l], c.widths[l + 1]));
  }
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  const Tensor x = randn({c.batch, c.widths.front()});
  const Tensor y = c.classify ? randint(0, c.widths.back(), {c.batch}, {.dtype = DType::i64}) : randn({c.batch, 1});
  auto step = [&] {
    opt.zero_grad();
    const Tensor out = model(x);
    const Tensor loss = c.classify ? losses::cross_entropy(out, y) : losses::mse_loss(out, y);
    loss.backward();
    opt.step();
  };
  const int64_t iters = calibrate(step, 0.2);
  for (int i = 0; i < 3; ++i) step();  // warm the allocator's cache and BLAS
  const long faults_before = bench::minor_faults();
  bench::Timing t = bench::time_it(step, iters, samples, 0);
  const double faults = static_cast<double>(bench::minor_faults() - faults_before) / static_cast<double>(iters * samples);
  bench::Result r = bench::Result::from_rates("mlp_" + c.name, t, "steps/s");
  r.minor_faults_per_step = faults;
  return r;
}

// The step's GEMMs alone on buffers allocated once: the bound a step cannot beat.
bench::Result run_gemm_bound(const bench::MlpConfig& c, int samples) {
  const auto gemms = bench::step_gemms(c);
  std::vector<std::vector<float>> a, b, out;
  for (const auto& g : gemms) {
    a.emplace_back(g.m * g.k, 0.5f);
    b.emplace_back(g.k * g.n, 0.25f);
    out.emplace_back(g.m * g.n, 0.0f);
  }
  auto step = [&] {
    for (size_t i = 0; i < gemms.size(); ++i) {
      const auto& g = gemms[i];
      kernels::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, a[i].data(), b[i].data(), out[i].data(), false);
    }
  };
  const int64_t iters = calibrate(step, 0.2);
  return bench::Result::from_rates("gemm_bound_" + c.name, bench::time_it(step, iters, samples), "steps/s");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const bench::Args a = bench::parse(argc, argv);
    if (a.threads > 0) set_num_threads(a.threads);
    bench::Result r;
    Tensor p = tensor({1.5}, {.requires_grad = true}), q = tensor({2.5}, {.requires_grad = true});
    const Tensor c = tensor({0.5});
    if (a.kase == "add_fwd") {
      r = run_per_call(a.kase, [&] { Tensor y = p + q; }, a.samples, 1e6, "us");
    } else if (a.kase == "add_fwd_bwd") {
      r = run_per_call(a.kase, [&] { (p + q).backward(); }, a.samples, 1e6, "us");
    } else if (a.kase == "chain100") {
      r = run_per_call(
          a.kase,
          [&] {
            Tensor y = p;
            for (int i = 0; i < 100; ++i) y = y + c;
            y.backward();
          },
          a.samples, 1e6, "us");
    } else if (a.kase == "add_1m" || a.kase == "exp_1m" || a.kase == "relu_1m") {
      // bytes moved per call: read the inputs, write the output (4 bytes each)
      const Tensor u = randn({1 << 20}), v = randn({1 << 20});
      const double bytes = (a.kase == "add_1m" ? 3.0 : 2.0) * 4.0 * (1 << 20);
      std::function<void()> fn;
      if (a.kase == "add_1m") fn = [&] { Tensor y = u + v; };
      else if (a.kase == "exp_1m") fn = [&] { Tensor y = exp(u); };
      else fn = [&] { Tensor y = relu(u); };
      const int64_t iters = calibrate(fn);
      r = bench::Result::from_rates(a.kase, bench::time_it(fn, iters, a.samples), "GB/s", bytes * 1e-9);
    } else if (a.kase == "matmul") {
      const Tensor x = randn({a.m, a.k}), w = randn({a.k, a.n});
      const int64_t iters = calibrate([&] { Tensor y = mm(x, w); });
      r = bench::Result::from_rates(fmt::format("matmul_{}x{}x{}", a.m, a.k, a.n),
                                    bench::time_it([&] { Tensor y = mm(x, w); }, iters, a.samples), "GFLOP/s",
                                    2e-9 * static_cast<double>(a.m * a.k * a.n));
    } else if (a.kase == "mlp") {
      r = run_mlp(bench::mlp_config(a.config), a.samples);
    } else if (a.kase == "gemm_bound") {
      r = run_gemm_bound(bench::mlp_config(a.config), a.samples);
    } else {
      throw std::invalid_argument("unknown --case '" + a.kase + "'");
    }
    r.impl = "tapegrad";
    r.threads = get_num_threads();
    fmt::print("{}\n", r.json());
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "tg_bench: {}\n", e.what());
    return 2;
  }
}
