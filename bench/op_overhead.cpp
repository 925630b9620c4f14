// Per-op overhead of the engine: an add of two 1-element float32 tensors, forward only and
// forward + backward, and a chain of 100 adds (forward + backward), per op.
//
//   op_overhead [--samples 15]
#include <fmt/core.h>
#include <tapegrad/tapegrad.hpp>

#include <cstring>

#include "harness.hpp"

using namespace tapegrad;

int main(int argc, char** argv) {
  int samples = 15;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--samples") == 0) samples = std::atoi(argv[i + 1]);

  Tensor a = tensor({1.5}, {.requires_grad = true});
  Tensor b = tensor({2.5}, {.requires_grad = true});
  Tensor c = tensor({0.5});

  // forward only, with a graph recorded (a and b require grad)
  const bench::Timing fwd = bench::time_it([&] { Tensor y = a + b; }, 100000, samples);
  // forward + backward: y = a + b, then dy/da = dy/db = 1 accumulate into a.grad, b.grad
  const bench::Timing fwd_bwd = bench::time_it([&] { (a + b).backward(); }, 100000, samples);
  // forward under NoGradGuard: the cost of the kernel and the tensor alone
  const bench::Timing fwd_nograd = bench::time_it(
      [&] {
        NoGradGuard no_grad;
        Tensor y = a + b;
      },
      100000, samples);
  // a chain of 100 adds, forward + backward, per op
  const bench::Timing chain = bench::time_it(
      [&] {
        Tensor y = a;
        for (int i = 0; i < 100; ++i) y = y + c;
        y.backward();
      },
      1000, samples);

  const auto row = [](const char* name, const bench::Timing& t, double scale) {
    fmt::print("{:<40} {:>9.3f} us  (min {:.3f}, max {:.3f})\n", name, t.median() * scale,
               t.min() * scale, t.max() * scale);
  };
  fmt::print("per-op overhead, float32 1-element tensors, median of {} samples\n", samples);
  row("add, forward (graph recorded)", fwd, 1e6);
  row("add, forward (NoGradGuard)", fwd_nograd, 1e6);
  row("add, forward + backward", fwd_bwd, 1e6);
  row("100-add chain, forward + backward, per op", chain, 1e6 / 100);
  return a.grad().item() > 0 ? 0 : 1;
}
