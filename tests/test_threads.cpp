// set_num_threads / get_num_threads: the default, OpenBLAS's count following ours, products
// computed right with 1, 2 and 3 threads, and bad counts.
#include <doctest/doctest.h>
#include <tapegrad/core/parallel.hpp>
#include <tapegrad/tapegrad.hpp>

#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <utility>
#include <vector>

using namespace tapegrad;

extern "C" int openblas_get_num_threads(void);

namespace {
bool env_sets_threads() {
  for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}
}  // namespace

TEST_CASE("the default is one thread per available CPU, unless the environment chose") {
  if (env_sets_threads()) {
    MESSAGE("OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set: the default follows OpenBLAS");
    CHECK(get_num_threads() == openblas_get_num_threads());
  } else {
    cpu_set_t set;
    REQUIRE(sched_getaffinity(0, sizeof(set), &set) == 0);
    CHECK(get_num_threads() == CPU_COUNT(&set));
  }
}

TEST_CASE("set_num_threads sets our count and OpenBLAS's, and products stay exact") {
  // (this product is under 2^24 multiply-adds, so if it goes to OpenBLAS it runs there on one
  // thread; the count is checked before it)
  const int before = get_num_threads();
  // [200, 300] of ones @ [300, 100] of 0.5: every entry is 300 * 0.5 = 150
  const Tensor a = ones({200, 300}, {.dtype = DType::f64});
  const Tensor b = full({300, 100}, 0.5, {.dtype = DType::f64});
  for (int n : {2, 1, 3}) {
    CAPTURE(n);
    set_num_threads(n);
    CHECK(get_num_threads() == n);
    CHECK(openblas_get_num_threads() == n);
    const Tensor c = matmul(a, b);
    CHECK(c.shape() == Shape{200, 100});
    CHECK(max(c).item() == 150.0);
    CHECK(min(c).item() == 150.0);
  }
  set_num_threads(before);
  CHECK(get_num_threads() == before);
}

TEST_CASE("set_num_threads rejects fewer than one thread") {
  const int before = get_num_threads(), blas_before = openblas_get_num_threads();
  CHECK_THROWS_WITH_AS(set_num_threads(0), doctest::Contains("set_num_threads"), ValueError);
  CHECK_THROWS_WITH_AS(set_num_threads(-4), doctest::Contains("got -4"), ValueError);
  CHECK(get_num_threads() == before);  // unchanged by the failed calls
  CHECK(openblas_get_num_threads() == blas_before);
}

TEST_CASE("parallel_for cuts a large loop into one range per thread, a small one not at all") {
  const int before = get_num_threads();
  set_num_threads(2);
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges(2, {-1, -1});
  std::atomic<int> calls{0};
  const std::int64_t n = 3 * detail::kElementsPerThread;
  detail::parallel_for(n, [&](std::int64_t lo, std::int64_t hi) {
    ranges[lo == 0 ? 0 : 1] = {lo, hi};
    ++calls;
  });
  CHECK(calls == 2);
  CHECK(ranges[0] == std::pair<std::int64_t, std::int64_t>{0, n / 2});
  CHECK(ranges[1] == std::pair<std::int64_t, std::int64_t>{n / 2, n});
  calls = 0;
  detail::parallel_for(detail::kElementsPerThread, [&](std::int64_t lo, std::int64_t hi) {
    CHECK(lo == 0);
    CHECK(hi == detail::kElementsPerThread);
    ++calls;
  });
  CHECK(calls == 1);
  set_num_threads(before);
}

TEST_CASE("large elementwise ops, gradient sums and Adam steps give the same bits on 1 and 2 threads") {
  const int before = get_num_threads();
  auto run = [](int threads) {
    set_num_threads(threads);
    manual_seed(3);
    // 600k elements: over two threads' worth (2 x 2^18)
    Tensor w = randn({600, 1000}, {.requires_grad = true});
    const Tensor x = randn({600, 1000});
    optim::Adam opt({w}, {.lr = 0.01});
    for (int step = 0; step < 2; ++step) {
      opt.zero_grad();
      const Tensor y = exp(w * 0.5) + x * w - 2.0;
      sum(y).backward({}, {.retain_graph = true});
      sum(y * 0.25).backward();  // a second backward adds into w.grad in place
      opt.step();
    }
    return std::make_pair(w.detach().to_vector(), w.grad().to_vector());
  };
  const auto one = run(1), two = run(2);
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
  CHECK(one.first != std::vector<double>(one.first.size(), 0.0));
  set_num_threads(before);
}
