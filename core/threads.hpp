#pragma once
// The number of threads tapegrad computes with: one knob for tapegrad's own threads (the
// matrix-product kernel, ops/gemm.cpp, and large elementwise loops) and OpenBLAS's, as
// torch.set_num_threads.
//
// Default: one thread per CPU the process may use (as PyTorch's default of one per core),
// unless the environment sets OPENBLAS_NUM_THREADS or OMP_NUM_THREADS (then OpenBLAS's count
// is kept). A matrix product uses only as many of them as its size repays: each thread gets at
// least 2^26 multiply-adds in tapegrad's kernel, and OpenBLAS runs products under 2^24 on one
// thread (on the issue-6 measurements a second OpenBLAS thread loses on MLP-sized products, by
// 40 times on 256x512 @ 512x10). Elementwise loops take a thread per 2^18 elements
// (parallel.hpp), so small tensors stay on the calling thread.
namespace tapegrad {

/// Sets the number of threads (OpenBLAS's included) to n >= 1; throws ValueError otherwise
/// ("set_num_threads: the number of threads must be at least 1, got 0"), as
/// torch.set_num_threads does. Call it before the work starts, from the main thread.
void set_num_threads(int n);

/// The number of threads set by set_num_threads, or the default: the available CPUs, or
/// OpenBLAS's count when the environment chose it.
int get_num_threads();

namespace detail {
/// Applies the default thread count once (called during static initialisation by every
/// program that includes this header, so the default holds before the first matrix product).
int apply_default_threads();
/// Makes every program that includes tapegrad's headers apply the default at start-up.
inline const int default_threads_applied = apply_default_threads();
}  // namespace detail

}  // namespace tapegrad
