// The thread knob: our own count, mirrored into OpenBLAS.
#include "threads.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "errors.hpp"

// Provided by OpenBLAS (Debian's libopenblas0), which tapegrad links as its BLAS.
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" int openblas_get_num_threads(void);

namespace tapegrad {
namespace {

std::atomic<int> g_num_threads{0};  // 0: not decided yet

bool env_sets_threads() {
  for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

// The CPUs this process may run on (its affinity mask, as a container or taskset sets it).
int available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) fail<ValueError>("set_num_threads: the number of threads must be at least 1, got {}", n);
  openblas_set_num_threads(n);
  g_num_threads = n;
}

int get_num_threads() {
  detail::apply_default_threads();
  return g_num_threads.load();
}

namespace detail {

int apply_default_threads() {
  int expected = 0;
  if (g_num_threads.load() != 0) return g_num_threads.load();
  // The environment's choice wins; otherwise one thread per available CPU (see threads.hpp).
  const int n = env_sets_threads() ? openblas_get_num_threads() : available_cpus();
  if (g_num_threads.compare_exchange_strong(expected, n) && !env_sets_threads()) openblas_set_num_threads(n);
  return g_num_threads.load();
}

}  // namespace detail
}  // namespace tapegrad
