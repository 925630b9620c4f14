// The README's training script: an MLP learns three spirals with Adam, mini-batches and
// cross-entropy, then saves its weights as safetensors (readable by PyTorch and NumPy).
#include <fmt/core.h>
#include <tapegrad/tapegrad.hpp>
using namespace tapegrad;

int main() {
  manual_seed(0);
  auto [x, y] = data::spirals(200, 3, 0.1, /*seed=*/0);  // x [600, 2] float32, y [600] int64
  data::DataLoader loader(std::make_shared<data::TensorDataset>(x, y), {.batch_size = 32, .shuffle = true});

  auto model = nn::Sequential(nn::Linear(2, 64), nn::ReLU(), nn::Linear(64, 64), nn::ReLU(), nn::Linear(64, 3));
  optim::Adam opt(model.parameters(), {.lr = 1e-2});
  for (int epoch = 1; epoch <= 60; ++epoch) {
    double total = 0;
    for (auto& [xb, yb] : loader) {
      opt.zero_grad();
      Tensor loss = losses::cross_entropy(model(xb), yb);
      loss.backward();
      opt.step();
      total += loss.item() * static_cast<double>(xb.size(0));
    }
    if (epoch % 10 == 0) fmt::print("epoch {:2}  loss {:.4f}\n", epoch, total / static_cast<double>(x.size(0)));
  }
  model.eval();
  NoGradGuard no_grad;
  const double accuracy = mean((argmax(model(x), 1) == y).to(DType::f64)).item();
  fmt::print("train accuracy {:.1f}%\n", 100 * accuracy);
  nn::save(model, "spirals.safetensors");
  return accuracy > 0.95 ? 0 : 1;
}
