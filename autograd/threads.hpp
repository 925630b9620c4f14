#pragma once
// The number of threads tapegrad computes with: one knob for OpenBLAS's threads (the matrix
// products) and for any threads of tapegrad's own, as torch.set_num_threads.
//
// Default: 1 thread, unless the environment sets OPENBLAS_NUM_THREADS or OMP_NUM_THREADS (then
// OpenBLAS's own choice is kept). One thread is the default because tapegrad's matrices are
// small: on the issue-6 measurements, 2 OpenBLAS threads lose to 1 on GEMMs of MLP size, where
// starting the threads costs more than the work they share. PyTorch instead defaults to the
// number of physical cores.
namespace tapegrad {

/// Sets the number of threads (OpenBLAS's included) to n >= 1; throws ValueError otherwise
/// ("set_num_threads: the number of threads must be at least 1, got 0"), as
/// torch.set_num_threads does. Call it before the work starts, from the main thread.
void set_num_threads(int n);

/// The number of threads set by set_num_threads, or the default: 1, or OpenBLAS's count when
/// the environment chose it.
int get_num_threads();

namespace detail {
/// Applies the default thread count once (called during static initialisation by every
/// program that includes this header, so the default holds before the first matrix product).
int apply_default_threads();
/// Makes every program that includes tapegrad's headers apply the default at start-up.
inline const int default_threads_applied = apply_default_threads();
}  // namespace detail

}  // namespace tapegrad
