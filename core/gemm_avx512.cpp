// tapegrad's own matrix product for CPUs with AVX-512, blocked as in Goto and van de
// Geijn's "Anatomy of high-performance matrix multiplication" (and BLIS):
//
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
// Threads: the rows (or, for wide products, the columns) of C are split into one contiguous
// range per thread; each thread packs its own operands. Every element of C is summed over K
// in the same order whatever the split, so the thread count never changes a result.
// core/gemm.cpp decides when this kernel runs.
#include "gemm_avx512.hpp"

#include <cstdlib>
#include <memory>
#include <new>

#include "gemm_avx512_pack.hpp"
#include "parallel.hpp"

namespace tapegrad::kernels {
namespace {

using namespace avx512;

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

}  // namespace

template <class T>
void gemm_avx512(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c,
                 bool accumulate, int max_threads) {
  using B = Blocking<T>;
  const Problem q{ta, tb, m, n, k, ta ? m : k, tb ? k : n, accumulate};
  // Split the longer side of C into whole strips: MR rows or NR columns per unit.
  const bool by_rows = m / B::MR >= n / B::NR;
  const std::int64_t unit = by_rows ? B::MR : B::NR, units = ((by_rows ? m : n) + unit - 1) / unit;
  const int threads = static_cast<int>(std::min<std::int64_t>(max_threads, units));
  auto task = [&](int t) {
    const std::int64_t u0 = units * t / threads, u1 = units * (t + 1) / threads;
    const std::int64_t lo = u0 * unit, hi = std::min(u1 * unit, by_rows ? m : n);
    if (by_rows) gemm_block<T>(q, a, b, c, lo, hi, 0, n);
    else gemm_block<T>(q, a, b, c, 0, m, lo, hi);
  };
  detail::parallel_tasks(threads, task);
}

template <class T> std::int64_t avx512_strip_width() { return Blocking<T>::NR; }

template void gemm_avx512<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*,
                                 float*, bool, int);
template void gemm_avx512<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*,
                                  double*, bool, int);
template std::int64_t avx512_strip_width<float>();
template std::int64_t avx512_strip_width<double>();

}  // namespace tapegrad::kernels