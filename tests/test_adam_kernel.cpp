// Adam's loop (optim/adam_kernel.cpp) is one rule built for each instruction set: every build
// the CPU can run gives the baseline's bits, for every variant (decay, amsgrad, maximize).
#include <doctest/doctest.h>
#include <tapegrad/optim/adam_kernel.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;
using optim::detail::AdamDecay;
using optim::detail::AdamScalars;

namespace {
template <class T> std::vector<T> values(std::size_t n, std::uint64_t seed, double scale) {
  Generator gen(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(scale * gen.normal());
  return v;
}

// five steps of the loop built for isa, from the same start; returns p, m, v, v_max end to end
template <class T> std::vector<T> run(Isa isa, const AdamScalars& r) {
  const std::size_t n = 1003;  // not a multiple of any vector width: the tails run too
  auto p = values<T>(n, 1, 1.0), m = std::vector<T>(n, 0), v = std::vector<T>(n, 0), vm = std::vector<T>(n, 0);
  p[5] = std::numeric_limits<T>::quiet_NaN();  // NaN goes through every build alike
  for (int step = 0; step < 5; ++step) {
    const auto g = values<T>(n, 10 + static_cast<std::uint64_t>(step), 0.3);
    optim::detail::adam_kernel<T>(isa, p.data(), g.data(), m.data(), v.data(), r.amsgrad ? vm.data() : nullptr, n, r);
  }
  std::vector<T> all = p;
  all.insert(all.end(), m.begin(), m.end());
  all.insert(all.end(), v.begin(), v.end());
  all.insert(all.end(), vm.begin(), vm.end());
  return all;
}

// bit equality, NaN equal to NaN
template <class T> bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

template <class T> void check_all_builds() {
  for (AdamDecay decay : {AdamDecay::none, AdamDecay::coupled, AdamDecay::decoupled})
    for (bool amsgrad : {false, true})
      for (bool maximize : {false, true}) {
        const AdamScalars r{
            -1e-3 / (1 - 0.9), std::sqrt(1 - 0.999), 0.9, 0.999, 1e-8, 0.01, 1 - 1e-3 * 0.01, decay, amsgrad, maximize};
        const auto base = run<T>(Isa::baseline, r);
        for (Isa isa : supported_isas()) {
          const std::string isa_str = isa_name(isa);
          CAPTURE(isa_str);
          CAPTURE(static_cast<int>(decay));
          CAPTURE(amsgrad);
          CAPTURE(maximize);
          CHECK(same_bits(run<T>(isa, r), base));
        }
      }
}
}  // namespace

TEST_CASE("every build of Adam's loop the CPU can run gives the baseline's bits, float32 and float64") {
  check_all_builds<float>();
  check_all_builds<double>();
  for (Isa isa : {Isa::avx2, Isa::avx512})
    if (!cpu_supports(isa)) MESSAGE("skipped the ", std::string(isa_name(isa)), " build: this CPU cannot run it");
}
