#pragma once
// Which vector instructions the kernels use: chosen once from the CPU (CPUID), or forced with
// the environment variable TAPEGRAD_ISA=baseline|avx2|avx512 or set_isa(), so that every path
// the CPU can run is tested and measured on any machine.
#include <vector>

namespace tapegrad {

/// baseline: x86-64's SSE2; avx2: AVX2 with FMA; avx512: AVX-512 F/VL/BW/DQ.
enum class Isa { baseline, avx2, avx512 };

/// "baseline", "avx2", "avx512".
const char* isa_name(Isa isa);
/// Whether this CPU (and the operating system) can run kernels built for isa.
bool cpu_supports(Isa isa);
/// The paths this CPU can run, slowest first.
std::vector<Isa> supported_isas();
/// The path in use: TAPEGRAD_ISA if set (ValueError if the CPU lacks it or the name is unknown),
/// else set_isa()'s choice, else the best the CPU supports.
Isa active_isa();
/// Forces a path for the whole process (ValueError if the CPU cannot run it). Results are the
/// same bits on every path for the kernels that say so (the optimizer updates); see
/// docs/performance.md for the others.
void set_isa(Isa isa);

}  // namespace tapegrad
