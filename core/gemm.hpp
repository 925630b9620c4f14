#pragma once
// The one matrix-product kernel behind mm_flags (and so matmul, mm, bmm, dot and linear).
// Internal; not part of the API.
#include <cstdint>

namespace tapegrad::kernels {

/// C [M, N] = op(A) @ op(B), or C += op(A) @ op(B) when `accumulate`; all row-major and dense.
/// A is [M, K], or [K, M] read transposed when `ta`; B is [K, N], or [N, K] when `tb`.
/// M, N or K may be 0 (K = 0 gives zeros, or leaves C when accumulating).
/// In tapegrad's own kernel every element of C is summed over K in the same order whatever the
/// thread count, so the result does not depend on set_num_threads.
template <class T>
void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c,
          bool accumulate);

/// Which implementation gemm uses for an [m, k] @ [k, n] product of T: "avx512" (tapegrad's
/// own packed kernel) or "openblas". For tests and the benchmark report.
template <class T> const char* gemm_backend(std::int64_t m, std::int64_t n, std::int64_t k);

/// The threads gemm uses for that product (at most get_num_threads()).
template <class T> int gemm_threads(std::int64_t m, std::int64_t n, std::int64_t k);

/// Forces OpenBLAS (true) or restores the automatic choice (false); for tests comparing the two.
void gemm_force_blas(bool on);

}  // namespace tapegrad::kernels
