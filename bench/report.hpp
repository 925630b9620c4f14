// One benchmark result as a JSON line: the case, its unit, the median and spread of the
// samples, and the process's peak RSS and page faults (read when the line is made).
#pragma once

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "harness.hpp"

namespace bench {

struct Result {
  std::string impl, name, unit;
  std::vector<double> values;  // one per sample, in `unit`
  int threads = 1;
  double minor_faults_per_step = -1;  // mlp cases only

  /// Per-call times scaled (e.g. 1e6 for microseconds).
  static Result from_times(const std::string& name, const Timing& t, double scale, const char* unit) {
    Result r{.name = name, .unit = unit};
    for (double s : t.per_call) r.values.push_back(s * scale);
    return r;
  }
  /// Rates: work / time per call (work 1 for steps/s, bytes in GB for GB/s, GFLOP for GFLOP/s).
  static Result from_rates(const std::string& name, const Timing& t, const char* unit, double work = 1.0) {
    Result r{.name = name, .unit = unit};
    for (double s : t.per_call) r.values.push_back(work / s);
    return r;
  }

  std::string json() const {
    Timing t{values};
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return fmt::format(
        R"({{"impl": "{}", "case": "{}", "unit": "{}", "threads": {}, "median": {:.6g}, "min": {:.6g}, )"
        R"("max": {:.6g}, "samples": [{:.6g}], "peak_rss_kib": {}, "minor_faults_per_step": {:.4g}}})",
        impl, name, unit, threads, t.median(), t.min(), t.max(), fmt::join(values, ", "), ru.ru_maxrss,
        minor_faults_per_step);
  }
};

}  // namespace bench
