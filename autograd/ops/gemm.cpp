// Matrix product C [M, N] = op(A) @ op(B) (+ C), row-major, float32 and float64.
//
// On CPUs with AVX-512 this is tapegrad's own kernel, blocked as in Goto and van de Geijn's
// "Anatomy of high-performance matrix multiplication" (and BLIS):
//
//   for jc over N by NC:                      a slice of columns of C
//     for pc over K by KC:
//       pack B [KC, NC] into strips of NR columns, each strip [KC, NR] contiguous
//       for ic over M by MC:
//         pack A [MC, KC] into strips of MR rows, each strip [KC, MR] contiguous
//         for each B strip (kept in L1), for each A strip (streamed from L2):
//           micro-kernel: C [MR, NR] += A strip @ B strip, held in 2 * MR zmm registers
//
// NR is two vectors (32 floats or 16 doubles): per k the micro-kernel loads 2 vectors of B,
// broadcasts MR values of A and issues 2 * MR fused multiply-adds. Packing pads the edges
// with zeros, so the micro-kernel always runs full strips and masks only its stores.
//
// Why not OpenBLAS everywhere: OpenBLAS picks its kernels once, at load time, from the CPU or
// from OPENBLAS_CORETYPE; with the Haswell setting of this project's machines it runs AVX2
// kernels at half the AVX-512 peak. OpenBLAS still does the work on CPUs without AVX-512, and
// for products too small or too narrow to repay the packing.
//
// Threads: the rows (or, for wide products, the columns) of C are split into one contiguous
// range per thread; each thread packs its own operands. Every element of C is summed over K
// in the same order whatever the split, so the thread count never changes a result.
#include "gemm.hpp"

#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <type_traits>

#include "../parallel.hpp"
#include "../threads.hpp"

// Provided by OpenBLAS, which tapegrad links as its BLAS.
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" int openblas_get_num_threads(void);

#define TG_AVX512 __attribute__((target("avx512f")))
#define TG_AVX512_INLINE __attribute__((target("avx512f"), always_inline)) inline

namespace tapegrad::kernels {
namespace {

std::atomic<bool> g_force_blas{false};

// ---- OpenBLAS -------------------------------------------------------------------------------

// Products under this many multiply-adds run on one OpenBLAS thread: starting OpenBLAS's
// threads costs more than they save on MLP-sized products (and a second thread made a
// 256x512 @ 512x10 product 40 times slower in the issue-6 measurements).
constexpr double kBlasThreadedMacs = 1 << 24;

void set_blas_threads(int n) {
  if (openblas_get_num_threads() != n) openblas_set_num_threads(n);
}

template <class T>
void gemm_blas(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c,
               bool accumulate) {
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const int threads = macs < kBlasThreadedMacs ? 1 : get_num_threads();
  if (threads > 1) detail::park_workers();  // OpenBLAS's threads get the cores to themselves
  set_blas_threads(threads);
  const auto lda = static_cast<blasint>(ta ? m : k), ldb = static_cast<blasint>(tb ? k : n);
  const auto opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  const auto bm = static_cast<blasint>(m), bn = static_cast<blasint>(n), bk = static_cast<blasint>(k);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, opa, opb, bm, bn, bk, 1.0f, a, lda, b, ldb, accumulate ? 1.0f : 0.0f, c, bn);
  else cblas_dgemm(CblasRowMajor, opa, opb, bm, bn, bk, 1.0, a, lda, b, ldb, accumulate ? 1.0 : 0.0, c, bn);
}

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

// ---- micro-kernel ---------------------------------------------------------------------------

// C [mv, nv] (+)= A strip [kc, MR] @ B strip [kc, NR] for the top-left mv <= MR rows and
// nv <= NR columns; C's rows are ldc apart.
template <class T>
TG_AVX512 void micro_kernel(std::int64_t kc, const T* __restrict ap, const T* __restrict bp, T* c, std::int64_t ldc,
                            bool accumulate, int mv, int nv) {
  using S = Vec<T>;
  constexpr int MR = Blocking<T>::MR, L = S::L;
  typename S::V r0[MR], r1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) r0[i] = r1[i] = S::zero();
  for (std::int64_t p = 0; p < kc; ++p) {
    const auto b0 = S::load(bp), b1 = S::load(bp + L);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const auto av = S::broadcast(ap + i);
      r0[i] = S::fma(av, b0, r0[i]);
      r1[i] = S::fma(av, b1, r1[i]);
    }
    ap += MR;
    bp += 2 * L;
  }
  if (mv == MR && nv == 2 * L) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      T* ci = c + i * ldc;
      if (accumulate) {
        r0[i] = S::add(r0[i], S::load(ci));
        r1[i] = S::add(r1[i], S::load(ci + L));
      }
      S::store(ci, r0[i]);
      S::store(ci + L, r1[i]);
    }
    return;
  }
  // An edge tile: spill the registers, then store the valid part under masks.
  alignas(64) T tile[MR][2 * L];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    S::store(tile[i], r0[i]);
    S::store(tile[i] + L, r1[i]);
  }
  const auto full = static_cast<typename S::Mask>(~0u);
  const auto m0 = nv >= L ? full : static_cast<typename S::Mask>((1u << nv) - 1);
  const auto m1 = nv >= 2 * L ? full
                  : nv <= L   ? typename S::Mask(0)
                              : static_cast<typename S::Mask>((1u << (nv - L)) - 1);
  for (int i = 0; i < mv; ++i) {
    T* ci = c + i * ldc;
    auto v0 = S::load(tile[i]), v1 = S::load(tile[i] + L);
    if (accumulate) {
      v0 = S::add(v0, S::load(ci, m0));
      v1 = S::add(v1, S::load(ci + L, m1));
    }
    S::store(ci, v0, m0);
    S::store(ci + L, v1, m1);
  }
}

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
TG_AVX512 void pack_transposed(const float* src, std::int64_t lds, int rows, std::int64_t kc, float* dst,
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
TG_AVX512 void pack_a(bool ta, const T* a, std::int64_t lda, std::int64_t i0, std::int64_t mc, std::int64_t p0,
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
TG_AVX512 void pack_b(bool tb, const T* b, std::int64_t ldb, std::int64_t p0, std::int64_t kc, std::int64_t j0,
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

// ---- the blocked product --------------------------------------------------------------------

// Per-thread packing buffers, 64-byte aligned, grown on demand and kept.
template <class T> struct PackBuffers {
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> a, b;
  std::int64_t a_size = 0, b_size = 0;

  static void reserve(std::unique_ptr<T, Free>& buf, std::int64_t& size, std::int64_t need) {
    if (need <= size) return;
    const std::size_t bytes = (static_cast<std::size_t>(need) * sizeof(T) + 63) / 64 * 64;
    buf.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
    if (!buf) throw std::bad_alloc();
    size = need;
  }
};

template <class T> PackBuffers<T>& pack_buffers() {
  static thread_local PackBuffers<T> buffers;
  return buffers;
}

struct Problem {
  bool ta, tb;
  std::int64_t m, n, k, lda, ldb;
  bool accumulate;
};

// Rows [m0, m1) and columns [n0, n1) of C, on the calling thread.
template <class T>
TG_AVX512 void gemm_block(const Problem& q, const T* a, const T* b, T* c, std::int64_t m0, std::int64_t m1,
                          std::int64_t n0, std::int64_t n1) {
  using B = Blocking<T>;
  auto& buf = pack_buffers<T>();
  PackBuffers<T>::reserve(buf.a, buf.a_size, B::MC * B::KC);
  PackBuffers<T>::reserve(buf.b, buf.b_size, B::KC * ((std::min(B::NC, n1 - n0) + B::NR - 1) / B::NR * B::NR));
  // K in equal blocks of at most KC (784 = 4 x 196, not 3 x 256 + 16)
  const std::int64_t kc_even = (q.k + (q.k + B::KC - 1) / B::KC - 1) / ((q.k + B::KC - 1) / B::KC);
  T* const pa = buf.a.get();
  T* const pb = buf.b.get();
  for (std::int64_t jc = n0; jc < n1; jc += B::NC) {
    const std::int64_t nc = std::min(B::NC, n1 - jc);
    for (std::int64_t pc = 0; pc < q.k; pc += kc_even) {
      const std::int64_t kc = std::min(kc_even, q.k - pc);
      const bool acc = q.accumulate || pc > 0;
      pack_b(q.tb, b, q.ldb, pc, kc, jc, nc, pb);
      for (std::int64_t ic = m0; ic < m1; ic += B::MC) {
        const std::int64_t mc = std::min(B::MC, m1 - ic);
        pack_a(q.ta, a, q.lda, ic, mc, pc, kc, pa);
        for (std::int64_t jr = 0; jr < nc; jr += B::NR) {
          const int nv = static_cast<int>(std::min<std::int64_t>(B::NR, nc - jr));
          for (std::int64_t ir = 0; ir < mc; ir += B::MR) {
            const int mv = static_cast<int>(std::min<std::int64_t>(B::MR, mc - ir));
            micro_kernel<T>(kc, pa + ir * kc, pb + jr * kc, c + (ic + ir) * q.n + jc + jr, q.n, acc, mv, nv);
          }
        }
      }
    }
  }
}

// Products under kOwnKernelMacs multiply-adds go to OpenBLAS (packing would cost more than it
// saves), and so do products at most half a strip wide (N <= NR / 2: most of each strip would
// be zero padding; OpenBLAS was twice as fast on 64x128 @ 128x10).
// A product gets one thread per kMacsPerThread (2^26, about 0.4 ms at 180 GFLOP/s): on this
// project's 2-core VM a second thread was erratic on MLP-sized products (from 3x slower to
// 1.3x faster on the medium config, run to run) and reliably near 2x only on products of a
// few hundred million multiply-adds or more (the large config's).
constexpr double kOwnKernelMacs = 16 * 16 * 16;
constexpr double kMacsPerThread = 1 << 26;

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

template <class T> bool use_own_kernel(std::int64_t m, std::int64_t n, std::int64_t k) {
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return has_avx512() && !g_force_blas.load(std::memory_order_relaxed) && macs >= kOwnKernelMacs &&
         n > Blocking<T>::NR / 2;
}

// Threads for a product in tapegrad's kernel: one per kMacsPerThread, at most set_num_threads.
int own_kernel_threads(std::int64_t m, std::int64_t n, std::int64_t k) {
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return static_cast<int>(std::max(1.0, std::min<double>(get_num_threads(), std::floor(macs / kMacsPerThread))));
}

template <class T>
void gemm_own(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c,
              bool accumulate) {
  using B = Blocking<T>;
  const Problem q{ta, tb, m, n, k, ta ? m : k, tb ? k : n, accumulate};
  // Split the longer side of C into whole strips: MR rows or NR columns per unit.
  const bool by_rows = m / B::MR >= n / B::NR;
  const std::int64_t unit = by_rows ? B::MR : B::NR, units = ((by_rows ? m : n) + unit - 1) / unit;
  const int threads = static_cast<int>(std::min<std::int64_t>(own_kernel_threads(m, n, k), units));
  auto task = [&](int t) {
    const std::int64_t u0 = units * t / threads, u1 = units * (t + 1) / threads;
    const std::int64_t lo = u0 * unit, hi = std::min(u1 * unit, by_rows ? m : n);
    if (by_rows) gemm_block<T>(q, a, b, c, lo, hi, 0, n);
    else gemm_block<T>(q, a, b, c, 0, m, lo, hi);
  };
  detail::parallel_tasks(threads, task);
}

}  // namespace

template <class T>
void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c,
          bool accumulate) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate) std::fill(c, c + m * n, T(0));
    return;
  }
  if (use_own_kernel<T>(m, n, k)) gemm_own(ta, tb, m, n, k, a, b, c, accumulate);
  else gemm_blas(ta, tb, m, n, k, a, b, c, accumulate);
}

template <class T> const char* gemm_backend(std::int64_t m, std::int64_t n, std::int64_t k) {
  return use_own_kernel<T>(m, n, k) ? "avx512" : "openblas";
}

template <class T> int gemm_threads(std::int64_t m, std::int64_t n, std::int64_t k) {
  if (use_own_kernel<T>(m, n, k)) return own_kernel_threads(m, n, k);
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return macs < kBlasThreadedMacs ? 1 : get_num_threads();
}

void gemm_force_blas(bool on) { g_force_blas = on; }

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*,
                          bool);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*, double*,
                           bool);
template const char* gemm_backend<float>(std::int64_t, std::int64_t, std::int64_t);
template const char* gemm_backend<double>(std::int64_t, std::int64_t, std::int64_t);
template int gemm_threads<float>(std::int64_t, std::int64_t, std::int64_t);
template int gemm_threads<double>(std::int64_t, std::int64_t, std::int64_t);

}  // namespace tapegrad::kernels
