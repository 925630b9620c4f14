// Memory in the steady state of a training loop: a 2-16-16-1 ReLU MLP, MSE loss, Adam, batch 32,
// float32. Prints resident memory, minor page faults and live tape nodes every `--every` steps;
// flat RSS and no new faults after warm-up mean nothing leaks and storage is reused.
//
//   steady_state [--steps 1000000] [--every 100000]
#include <fmt/core.h>
#include <tapegrad/tapegrad.hpp>

#include <cstring>

#include "harness.hpp"

using namespace tapegrad;

int main(int argc, char** argv) {
  long steps = 1000000, every = 100000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--every") == 0) every = std::atol(argv[i + 1]);
  }
  manual_seed(0);
  auto model = nn::Sequential(nn::Linear(2, 16), nn::ReLU(), nn::Linear(16, 16), nn::ReLU(), nn::Linear(16, 1));
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  Tensor x = randn({32, 2});
  Tensor y = sum(x * x, {1}, true);  // target x0^2 + x1^2, [32, 1]

  const long nodes_before = Node::live_count();
  fmt::print("{:>9} {:>12} {:>10} {:>14} {:>11}\n", "step", "loss", "RSS KiB", "minor faults", "live nodes");
  const long faults_start = bench::minor_faults();
  for (long step = 1; step <= steps; ++step) {
    opt.zero_grad();
    Tensor loss = losses::mse_loss(model(x), y);
    loss.backward();
    opt.step();
    if (step % every == 0 || step == 1000)
      fmt::print("{:>9} {:>12.6f} {:>10} {:>14} {:>11}\n", step, loss.item(), bench::rss_kib(),
                 bench::minor_faults() - faults_start, Node::live_count() - nodes_before);
  }
  return 0;
}
