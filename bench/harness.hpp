// A small timing harness for the benchmarks: warm-up, repeated samples, median and spread.
// Each sample times `iters` calls of a function; the result is the per-call time of each sample.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace bench {

/// Per-call times (seconds) of `samples` samples; the median and the spread (min, max).
struct Timing {
  std::vector<double> per_call;
  double median() const {
    std::vector<double> v = per_call;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }
  double min() const { return *std::min_element(per_call.begin(), per_call.end()); }
  double max() const { return *std::max_element(per_call.begin(), per_call.end()); }
};

/// Runs fn `warmup` times, then `samples` samples of `iters` calls each.
inline Timing time_it(const std::function<void()>& fn, int64_t iters, int samples = 15, int64_t warmup = -1) {
  using clock = std::chrono::steady_clock;
  for (int64_t i = 0; i < (warmup < 0 ? iters : warmup); ++i) fn();
  Timing t;
  for (int s = 0; s < samples; ++s) {
    const auto start = clock::now();
    for (int64_t i = 0; i < iters; ++i) fn();
    const std::chrono::duration<double> d = clock::now() - start;
    t.per_call.push_back(d.count() / static_cast<double>(iters));
  }
  return t;
}

/// Resident set size of this process, in KiB (from /proc/self/statm).
inline long rss_kib() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * 4;
}

/// Minor page faults of this process so far (field 10 of /proc/self/stat).
inline long minor_faults() {
  std::ifstream f("/proc/self/stat");
  std::string tok;
  for (int i = 0; i < 10 && f >> tok; ++i) {
  }
  return std::stol(tok);
}

}  // namespace bench
