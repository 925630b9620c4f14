// The matrix-product kernel (autograd/ops/gemm.cpp) against a float64 triple loop: every
// transpose combination, overwrite and accumulate, shapes on and off the block edges, both
// backends (tapegrad's AVX-512 kernel and OpenBLAS), and the same bits for 1 and 2 threads.
#include <doctest/doctest.h>
#include <tapegrad/core/gemm.hpp>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace tapegrad;

namespace {

struct Case {
  std::int64_t m, n, k;
};

// Around the kernel's blocks: MR = 12 rows, NR = 32 (float) or 16 (double) columns,
// KC = 256, MC = 144, NC = 3072.
const Case kCases[] = {{1, 1, 1},     {3, 5, 7},      {12, 32, 256},  {13, 33, 257},  {11, 31, 255},
                       {25, 17, 600}, {145, 70, 513}, {64, 128, 784}, {20, 3100, 30}, {150, 40, 9}};

template <class T> std::vector<T> random_values(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(u(gen));
  return v;
}

// Checks C = op(A) @ op(B) (+ C0) against a float64 triple loop, element by element, to within
// a bound on the rounding of a K-term dot product: 4 K eps sum |a_ip b_pj| (+ |c0|).
template <class T> void check_case(const Case& c, bool ta, bool tb, bool accumulate) {
  CAPTURE(c.m);
  CAPTURE(c.n);
  CAPTURE(c.k);
  CAPTURE(ta);
  CAPTURE(tb);
  CAPTURE(accumulate);
  const auto a = random_values<T>(c.m * c.k, 1), b = random_values<T>(c.k * c.n, 2);
  const auto c0 = random_values<T>(c.m * c.n, 3);
  std::vector<T> out = c0;
  kernels::gemm<T>(ta, tb, c.m, c.n, c.k, a.data(), b.data(), out.data(), accumulate);
  const double eps = std::numeric_limits<T>::epsilon();
  double worst = 0;  // error / bound
  for (std::int64_t i = 0; i < c.m; ++i)
    for (std::int64_t j = 0; j < c.n; ++j) {
      double sum = accumulate ? c0[i * c.n + j] : 0.0, mag = accumulate ? std::abs(sum) : 0.0;
      for (std::int64_t p = 0; p < c.k; ++p) {
        const double x = ta ? a[p * c.m + i] : a[i * c.k + p], y = tb ? b[j * c.k + p] : b[p * c.n + j];
        sum += x * y;
        mag += std::abs(x * y);
      }
      const double bound = 4.0 * static_cast<double>(c.k + 1) * eps * mag + 1e-300;
      worst = std::max(worst, std::abs(out[i * c.n + j] - sum) / bound);
    }
  CHECK(worst <= 1.0);
}

template <class T> void check_all_cases() {
  for (const Case& c : kCases)
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (bool accumulate : {false, true}) check_case<T>(c, ta, tb, accumulate);
}

// (callable before main, for doctest::skip: __builtin_cpu_init must run first there)
bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

}  // namespace

TEST_CASE("the kernel picks AVX-512 on CPUs that have it, OpenBLAS elsewhere and for tiny or narrow products") {
  const std::string expected = cpu_has_avx512() ? "avx512" : "openblas";
  CHECK(kernels::gemm_backend<float>(64, 128, 784) == expected);
  CHECK(kernels::gemm_backend<double>(64, 128, 784) == expected);
  CHECK(std::string(kernels::gemm_backend<float>(4, 4, 4)) == "openblas");
  CHECK(std::string(kernels::gemm_backend<float>(64, 10, 128)) == "openblas");  // N <= 16: padding
  CHECK(kernels::gemm_backend<float>(64, 17, 128) == expected);
  kernels::gemm_force_blas(true);
  CHECK(std::string(kernels::gemm_backend<float>(64, 128, 784)) == "openblas");
  kernels::gemm_force_blas(false);
  if (!cpu_has_avx512()) MESSAGE("this CPU has no AVX-512: the cases below test OpenBLAS only");
}

TEST_CASE("float32 products match a float64 triple loop") { check_all_cases<float>(); }

TEST_CASE("float64 products match a float64 triple loop") { check_all_cases<double>(); }

TEST_CASE("the OpenBLAS path matches the triple loop too") {
  kernels::gemm_force_blas(true);
  check_all_cases<float>();
  check_all_cases<double>();
  kernels::gemm_force_blas(false);
}

TEST_CASE("K = 0 gives zeros, or leaves C when accumulating; M = 0 or N = 0 writes nothing") {
  std::vector<float> c(6, 7.0f);
  kernels::gemm<float>(false, false, 2, 3, 0, nullptr, nullptr, c.data(), true);
  CHECK(c == std::vector<float>(6, 7.0f));
  kernels::gemm<float>(false, false, 2, 3, 0, nullptr, nullptr, c.data(), false);
  CHECK(c == std::vector<float>(6, 0.0f));
  kernels::gemm<float>(false, false, 0, 3, 5, nullptr, nullptr, nullptr, false);
  kernels::gemm<float>(false, false, 2, 0, 5, nullptr, nullptr, nullptr, false);
}

TEST_CASE("1 and 2 threads give the same bits, splitting rows or columns") {
  const int before = get_num_threads();
  // [600, 800] @ [800, 300] splits its rows; [20, 900] @ [900, 8000] its columns (each is over
  // the 2 x 2^26 multiply-adds that two threads need)
  for (const Case& c : {Case{600, 300, 800}, Case{20, 8000, 900}}) {
    CAPTURE(c.m);
    const auto a = random_values<float>(c.m * c.k, 4), b = random_values<float>(c.k * c.n, 5);
    std::vector<float> one(c.m * c.n), two(c.m * c.n);
    set_num_threads(1);
    CHECK(kernels::gemm_threads<float>(c.m, c.n, c.k) == 1);
    kernels::gemm<float>(false, true, c.m, c.n, c.k, a.data(), b.data(), one.data(), false);
    set_num_threads(2);
    CHECK(kernels::gemm_threads<float>(c.m, c.n, c.k) == 2);
    kernels::gemm<float>(false, true, c.m, c.n, c.k, a.data(), b.data(), two.data(), false);
    // both are right: spot-check row 0 and the last row against a float64 dot product
    for (std::int64_t i : {std::int64_t{0}, c.m - 1})
      for (std::int64_t j : {std::int64_t{0}, c.n - 1}) {
        double sum = 0;
        for (std::int64_t p = 0; p < c.k; ++p) sum += double(a[i * c.k + p]) * double(b[j * c.k + p]);
        CHECK(two[i * c.n + j] == doctest::Approx(sum).epsilon(1e-4));
      }
  }
  set_num_threads(before);
}

// Without AVX-512 these two are reported as skipped: products then go to OpenBLAS, whose
// threads follow set_num_threads and whose bits may change with the thread count.
TEST_CASE("tapegrad's AVX-512 kernel gives the same bits on 1 and 2 threads" * doctest::skip(!cpu_has_avx512())) {
  const int before = get_num_threads();
  for (const Case& c : {Case{600, 300, 800}, Case{20, 8000, 900}}) {
    CAPTURE(c.m);
    const auto a = random_values<float>(c.m * c.k, 4), b = random_values<float>(c.k * c.n, 5);
    std::vector<float> one(c.m * c.n), two(c.m * c.n);
    set_num_threads(1);
    kernels::gemm<float>(false, true, c.m, c.n, c.k, a.data(), b.data(), one.data(), false);
    set_num_threads(2);
    kernels::gemm<float>(false, true, c.m, c.n, c.k, a.data(), b.data(), two.data(), false);
    CHECK(one == two);
  }
  set_num_threads(before);
}

TEST_CASE("a product uses one thread per 2^26 multiply-adds, at most set_num_threads" *
          doctest::skip(!cpu_has_avx512())) {
  const int before = get_num_threads();
  set_num_threads(2);
  CHECK(kernels::gemm_threads<float>(256, 512, 784) == 1);    // 103M: the medium config's largest
  CHECK(kernels::gemm_threads<float>(512, 4096, 1024) == 2);  // 2.1G: the large config's
  set_num_threads(1);
  CHECK(kernels::gemm_threads<float>(512, 4096, 1024) == 1);
  set_num_threads(before);
}
