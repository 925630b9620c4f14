// Matrix product C [M, N] = op(A) @ op(B) (+ C), row-major, float32 and float64: which
// implementation runs, and on how many threads. On CPUs with AVX-512 it is tapegrad's own
// packed kernel (core/gemm_avx512.cpp), elsewhere OpenBLAS.
//
// Why not OpenBLAS everywhere: OpenBLAS picks its kernels once, at load time, from the CPU or
// from OPENBLAS_CORETYPE; with the Haswell setting of this project's machines it runs AVX2
// kernels at half the AVX-512 peak. OpenBLAS still does the work on CPUs without AVX-512, and
// for products too small or too narrow to repay the packing.
#include "gemm.hpp"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "gemm_avx512.hpp"
#include "parallel.hpp"
#include "threads.hpp"

// Provided by OpenBLAS, which tapegrad links as its BLAS.
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" int openblas_get_num_threads(void);

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
         n > avx512_strip_width<T>() / 2;
}

// Threads for a product in tapegrad's kernel: one per kMacsPerThread, at most set_num_threads.
int own_kernel_threads(std::int64_t m, std::int64_t n, std::int64_t k) {
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return static_cast<int>(std::max(1.0, std::min<double>(get_num_threads(), std::floor(macs / kMacsPerThread))));
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
  if (use_own_kernel<T>(m, n, k)) gemm_avx512(ta, tb, m, n, k, a, b, c, accumulate, own_kernel_threads(m, n, k));
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