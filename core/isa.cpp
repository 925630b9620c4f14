// The ISA choice: the CPU's best unless TAPEGRAD_ISA or set_isa says otherwise.
#include "isa.hpp"

#include <atomic>
#include <cstdlib>
#include <string>

#include "errors.hpp"

namespace tapegrad {
namespace {

constexpr int kUnset = -1;
std::atomic<int> g_isa{kUnset};

Isa best_supported() {
  if (cpu_supports(Isa::avx512)) return Isa::avx512;
  if (cpu_supports(Isa::avx2)) return Isa::avx2;
  return Isa::baseline;
}

Isa parse(const std::string& name) {
  for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512})
    if (name == isa_name(isa)) return isa;
  fail<ValueError>("TAPEGRAD_ISA: unknown instruction set '{}' (use baseline, avx2 or avx512)", name);
}

void check_supported(Isa isa, const char* who) {
  if (!cpu_supports(isa)) fail<ValueError>("{}: this CPU cannot run {} kernels", who, isa_name(isa));
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::baseline: return "baseline";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "?";
}

bool cpu_supports(Isa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case Isa::baseline: return true;
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  }
  return false;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512})
    if (cpu_supports(isa)) out.push_back(isa);
  return out;
}

Isa active_isa() {
  const int v = g_isa.load(std::memory_order_relaxed);
  if (v != kUnset) return static_cast<Isa>(v);
  Isa isa = best_supported();
  if (const char* env = std::getenv("TAPEGRAD_ISA"); env != nullptr && *env != '\0') {
    isa = parse(env);
    check_supported(isa, "TAPEGRAD_ISA");
  }
  g_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
  return isa;
}

void set_isa(Isa isa) {
  check_supported(isa, "set_isa");
  g_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
}

}  // namespace tapegrad
