#pragma once
// The pieces of the AVX-512 matrix product (core/gemm_avx512.cpp): vector types, block sizes,
// and the packing of A and B into contiguous strips. Included by gemm_avx512.cpp only.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#define TG_AVX512 __attribute__((target("avx512f")))
#define TG_AVX512_INLINE __attribute__((target("avx512f"), always_inline)) inline

namespace tapegrad::kernels::avx512 {

// ---- AVX-512 vectors ------------------------------------------------------------------------

template <class T> struct Vec;

template <> struct Vec<float> {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int L = 16;
  TG_AVX512_INLINE static V zero() { return _mm512_setzero_ps(); }
  TG_AVX512_INLINE static V load(const float* p) { return _mm512_loadu_ps(p); }
  TG_AVX512_INLINE static V broadcast(const float* p) { return _mm512_set1_ps(*p); }
  TG_AVX512_INLINE static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  TG_AVX512_INLINE static V add(V a, V b) { return _mm512_add_ps(a, b); }
  TG_AVX512_INLINE static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  TG_AVX512_INLINE static V load(const float* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  TG_AVX512_INLINE static void store(float* p, V v, Mask k) { _mm512_mask_storeu_ps(p, k, v); }
};

template <> struct Vec<double> {
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr int L = 8;
  TG_AVX512_INLINE static V zero() { return _mm512_setzero_pd(); }
  TG_AVX512_INLINE static V load(const double* p) { return _mm512_loadu_pd(p); }
  TG_AVX512_INLINE static V broadcast(const double* p) { return _mm512_set1_pd(*p); }
  TG_AVX512_INLINE static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  TG_AVX512_INLINE static V add(V a, V b) { return _mm512_add_pd(a, b); }
  TG_AVX512_INLINE static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  TG_AVX512_INLINE static V load(const double* p, Mask k) { return _mm512_maskz_loadu_pd(k, p); }
  TG_AVX512_INLINE static void store(double* p, V v, Mask k) { _mm512_mask_storeu_pd(p, k, v); }
};

// Block sizes. A B strip [KC, NR] is 32 KiB in either type (it stays in the 48 KiB L1 while
// the A strips stream past it); an A block [MC, KC] is 144 KiB (float) for L2.
template <class T> struct Blocking {
  static constexpr int MR = 12;
  static constexpr int NR = 2 * Vec<T>::L;
  static constexpr std::int64_t KC = 256;
  static constexpr std::int64_t MC = 12 * MR;
  static constexpr std::int64_t NC = 3072;
};

// ---- packing --------------------------------------------------------------------------------

// GCC 12 warns that the shuffle intrinsics' internal _mm512_undefined_ps "may be used
// uninitialized" (a false positive in its own headers).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Transposes 16 rows of 16 floats in registers: afterwards r[i] holds what was column i.
// Four rounds of shuffles: pairs of lanes, pairs of pairs, then 128-bit blocks twice.
TG_AVX512_INLINE void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
#pragma GCC unroll 2
  for (int i = 0; i < 16; i += 8) {
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      t[i + j] = _mm512_shuffle_f32x4(r[i + j], r[i + j + 4], 0x88);
      t[i + j + 4] = _mm512_shuffle_f32x4(r[i + j], r[i + j + 4], 0xDD);
    }
  }
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xDD);
  }
}

// dst[p * ldd + i] = src[i * lds + p] for i < rows (0 for rows <= i < lanes) and p < kc, in
// 16 x 16 tiles transposed in registers; `lanes` <= 16 values are written per p.
TG_AVX512 inline void pack_transposed(const float* src, std::int64_t lds, int rows, std::int64_t kc, float* dst,
                                      std::int64_t ldd, int lanes) {
  const auto store_mask = static_cast<__mmask16>(lanes >= 16 ? 0xFFFFu : (1u << lanes) - 1);
  for (std::int64_t p = 0; p < kc; p += 16) {
    const int pv = static_cast<int>(std::min<std::int64_t>(16, kc - p));
    const auto load_mask = static_cast<__mmask16>(pv == 16 ? 0xFFFFu : (1u << pv) - 1);
    __m512 r[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      r[i] = i < rows ? _mm512_maskz_loadu_ps(load_mask, src + i * lds + p) : _mm512_setzero_ps();
    transpose16(r);
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      if (i < pv) _mm512_mask_storeu_ps(dst + (p + i) * ldd, store_mask, r[i]);
  }
}
#pragma GCC diagnostic pop

// A [mc, kc] from row i0, column p0 of op(A) into strips of MR rows: strip s holds
// A(i0 + s*MR + i, p0 + p) at [s][p][i], zero for rows past mc.
template <class T>
TG_AVX512 inline void pack_a(bool ta, const T* a, std::int64_t lda, std::int64_t i0, std::int64_t mc, std::int64_t p0,
                             std::int64_t kc, T* dst) {
  constexpr int MR = Blocking<T>::MR;
  for (std::int64_t s = 0; s < mc; s += MR) {
    const std::int64_t mv = std::min<std::int64_t>(MR, mc - s);
    T* d = dst + s * kc;
    if (ta) {  // A(i, p) = a[p * lda + i]: MR neighbours per p
      for (std::int64_t p = 0; p < kc; ++p) {
        const T* src = a + (p0 + p) * lda + i0 + s;
        for (std::int64_t i = 0; i < MR; ++i) d[p * MR + i] = i < mv ? src[i] : T(0);
      }
    } else if constexpr (std::is_same_v<T, float>) {  // rows of a, transposed 16 x 16 at a time
      pack_transposed(a + (i0 + s) * lda + p0, lda, static_cast<int>(mv), kc, d, MR, MR);
    } else {  // A(i, p) = a[i * lda + p]: rows read along p
      for (std::int64_t i = 0; i < MR; ++i) {
        if (i < mv) {
          const T* src = a + (i0 + s + i) * lda + p0;
          for (std::int64_t p = 0; p < kc; ++p) d[p * MR + i] = src[p];
        } else {
          for (std::int64_t p = 0; p < kc; ++p) d[p * MR + i] = T(0);
        }
      }
    }
  }
}

// B [kc, nc] from row p0, column j0 of op(B) into strips of NR columns: strip s holds
// B(p0 + p, j0 + s*NR + j) at [s][p][j], zero for columns past nc.
template <class T>
TG_AVX512 inline void pack_b(bool tb, const T* b, std::int64_t ldb, std::int64_t p0, std::int64_t kc, std::int64_t j0,
                             std::int64_t nc, T* dst) {
  constexpr int NR = Blocking<T>::NR;
  for (std::int64_t s = 0; s < nc; s += NR) {
    const std::int64_t nv = std::min<std::int64_t>(NR, nc - s);
    T* d = dst + s * kc;
    if (!tb) {  // B(p, j) = b[p * ldb + j]: NR neighbours per p
      for (std::int64_t p = 0; p < kc; ++p) {
        const T* src = b + (p0 + p) * ldb + j0 + s;
        for (std::int64_t j = 0; j < NR; ++j) d[p * NR + j] = j < nv ? src[j] : T(0);
      }
    } else if constexpr (std::is_same_v<T, float>) {  // rows of b, 16 at a time, transposed
      for (int h = 0; h < NR; h += 16) {
        const int rows = static_cast<int>(std::clamp<std::int64_t>(nv - h, 0, 16));
        pack_transposed(rows > 0 ? b + (j0 + s + h) * ldb + p0 : b, ldb, rows, kc, d + h, NR, 16);
      }
    } else {  // B(p, j) = b[j * ldb + p]: rows of b read along p
      for (std::int64_t j = 0; j < NR; ++j) {
        if (j < nv) {
          const T* src = b + (j0 + s + j) * ldb + p0;
          for (std::int64_t p = 0; p < kc; ++p) d[p * NR + j] = src[p];
        } else {
          for (std::int64_t p = 0; p < kc; ++p) d[p * NR + j] = T(0);
        }
      }
    }
  }
}

}  // namespace tapegrad::kernels::avx512
