// Built against an installed tapegrad (see CMakeLists.txt and run.cmake): fits y = 2x - 1 with
// nn::Linear, mse_loss and optim::SGD, and checks the fitted weight and bias.
#include <fmt/core.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>

using namespace tapegrad;

int main() {
  manual_seed(0);
  const Tensor x = linspace(-1, 1, 32).reshape({32, 1});
  const Tensor y = x * 2.0 - 1.0;
  nn::Linear model(1, 1);
  optim::SGD sgd(model.parameters(), {.lr = 0.5});
  double loss_value = 0;
  for (int step = 0; step < 200; ++step) {
    sgd.zero_grad();
    Tensor loss = losses::mse_loss(model(x), y);
    loss.backward();
    sgd.step();
    loss_value = loss.item();
  }
  const double w = model.weight.item(), b = model.bias.item();
  const bool ok = std::abs(w - 2.0) < 1e-3 && std::abs(b + 1.0) < 1e-3;
  fmt::print("consumer: fitted y = {:.4f} x + {:.4f} (want 2x - 1), loss {:.2e}: {}\n", w, b, loss_value,
             ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
