#pragma once
// tapegrad's own worker threads, for kernels that split their work: the matrix product, and
// the memory-bound loops over large tensors (gradient accumulation, fills, the optimizers'
// updates), which a second core speeds up by giving them a second core's memory bandwidth.
// Internal; not part of the API. The thread count is set_num_threads's (threads.hpp).
#include <algorithm>
#include <cstdint>

#include "threads.hpp"

namespace tapegrad::detail {

/// Runs task(ctx, i) for every i in [0, n): i = 0 on the calling thread, the others on pooled
/// worker threads (started on first use, kept for the next call); returns when all are done.
/// Tasks must not throw. Calls from several threads at once are safe: a call that finds the
/// pool busy runs its tasks one after another on its own thread.
void parallel_tasks(int n, void (*task)(void* ctx, int i), void* ctx);

/// Sends idle workers to sleep now instead of after their spin: called before work that runs
/// its own threads (a threaded OpenBLAS product), so the two sets never share the cores.
void park_workers();

/// The same for a callable f(int i).
template <class F> void parallel_tasks(int n, F& f) {
  parallel_tasks(
      n, [](void* p, int i) { (*static_cast<F*>(p))(i); }, &f);
}

/// Elements per thread below which an elementwise loop is not split (1 MiB of float32: about
/// 20 us of one core's memory bandwidth, well above the cost of handing work to a worker).
inline constexpr std::int64_t kElementsPerThread = std::int64_t{1} << 18;

/// Runs f(lo, hi) over [0, n) cut into contiguous ranges, one per thread, on at most
/// get_num_threads() threads with at least `grain` elements each (so a small n runs as one
/// call f(0, n) on the calling thread). For loops whose iterations are independent.
template <class F> void parallel_for(std::int64_t n, F&& f, std::int64_t grain = kElementsPerThread) {
  grain = std::max<std::int64_t>(grain, 1);
  if (n < 2 * grain) {  // the common case of small tensors: no thread count to look up
    f(std::int64_t{0}, n);
    return;
  }
  const int threads = static_cast<int>(std::min<std::int64_t>(n / grain, get_num_threads()));
  if (threads == 1) {
    f(std::int64_t{0}, n);
    return;
  }
  auto task = [&](int t) { f(n * t / threads, n * (t + 1) / threads); };
  parallel_tasks(threads, task);
}

}  // namespace tapegrad::detail
