#pragma once
// tapegrad's own worker threads, for kernels that split their work (the matrix product).
// Internal; not part of the API. The thread count is set_num_threads's (threads.hpp).
namespace tapegrad::detail {

/// Runs task(ctx, i) for every i in [0, n): i = 0 on the calling thread, the others on pooled
/// worker threads (started on first use, kept for the next call); returns when all are done.
/// Tasks must not throw. Calls from several threads at once are safe: a call that finds the
/// pool busy runs its tasks one after another on its own thread.
void parallel_tasks(int n, void (*task)(void* ctx, int i), void* ctx);

/// The same for a callable f(int i).
template <class F> void parallel_tasks(int n, F& f) {
  parallel_tasks(n, [](void* p, int i) { (*static_cast<F*>(p))(i); }, &f);
}

}  // namespace tapegrad::detail
