// The command line shared by tg_bench and torch_bench, and the calibration of a case's
// iterations per sample.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

#include "harness.hpp"

namespace bench {

/// --case NAME [--config tiny|small|medium|large] [--shape M,K,N] [--samples N] [--threads N]
/// (no --threads: the library's default thread count)
struct Args {
  std::string kase, config = "small";
  int64_t m = 64, k = 784, n = 128;
  int samples = 9, threads = 0;  // 0: the default
};

inline Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--case") a.kase = v;
    else if (k == "--config") a.config = v;
    else if (k == "--samples") a.samples = std::stoi(v);
    else if (k == "--threads") a.threads = std::stoi(v);
    else if (k == "--shape") std::sscanf(v.c_str(), "%ld,%ld,%ld", &a.m, &a.k, &a.n);
    else throw std::invalid_argument("unknown flag " + k);
  }
  return a;
}

/// Iterations per sample so that one sample takes about `target` seconds.
inline int64_t calibrate(const std::function<void()>& fn, double target = 0.05) {
  int64_t iters = 1;
  for (;;) {
    const double t = time_it(fn, iters, 1, 0).median() * static_cast<double>(iters);
    if (t > target / 4 || iters > (int64_t{1} << 30))
      return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iters) * target / t));
    iters *= 4;
  }
}

}  // namespace bench
