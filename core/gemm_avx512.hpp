#pragma once
// tapegrad's own packed AVX-512 matrix product (core/gemm_avx512.cpp); core/gemm.cpp decides
// when it runs. Internal; not part of the API. Call only on a CPU with AVX-512F.
#include <cstdint>

namespace tapegrad::kernels {

/// C [M, N] (+)= op(A) @ op(B), row-major and dense, on at most max_threads threads; as gemm
/// in gemm.hpp, with m, n, k > 0.
template <class T>
void gemm_avx512(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c,
                 bool accumulate, int max_threads);

/// Columns of C one micro-kernel call covers (two AVX-512 vectors of T).
template <class T> std::int64_t avx512_strip_width();

}  // namespace tapegrad::kernels
