// A small MLP learns to tell three interleaved spirals apart: nn::Sequential, a DataLoader,
// cross-entropy and Adam, with a progress bar, per-epoch metrics in a CSV, loss and accuracy
// curves, and a map of the learned decision regions (PNG, via gnuplot).
//
//   spirals [--epochs 200] [--lr 0.01] [--optimizer adam] [--batch-size 32] [--hidden 64]
//           [--seed 0] [--threads 1] [--save model.safetensors] [--smoke] [--out out/spirals]
//           [--min-accuracy 0.9]
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

using namespace tapegrad;

namespace {

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params, double lr) {
  if (name == "adam") return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions{.lr = lr});
  if (name == "adamw") return std::make_unique<optim::AdamW>(std::move(params), optim::AdamWOptions{.lr = lr});
  if (name == "sgd") return std::make_unique<optim::SGD>(std::move(params), optim::SGDOptions{.lr = lr});
  if (name == "momentum") return std::make_unique<optim::Momentum>(std::move(params), optim::MomentumOptions{.lr = lr});
  if (name == "rmsprop") return std::make_unique<optim::RMSprop>(std::move(params), optim::RMSpropOptions{.lr = lr});
  if (name == "adagrad") return std::make_unique<optim::Adagrad>(std::move(params), optim::AdagradOptions{.lr = lr});
  throw ValueError(fmt::format("unknown --optimizer '{}' (adam, adamw, sgd, momentum, rmsprop, adagrad)", name));
}

/// Every sample of a dataset as one batch.
data::Sample whole(const data::Dataset& ds) {
  std::vector<std::int64_t> all(static_cast<std::size_t>(ds.size()));
  std::iota(all.begin(), all.end(), 0);
  return ds.get_batch(all);
}

struct Eval {
  double loss, accuracy;
};

/// Mean cross-entropy and accuracy of the model on a batch, without recording a graph.
Eval evaluate(nn::Module& model, const data::Sample& batch) {
  NoGradGuard no_grad;
  const Tensor scores = model(batch.input);  // [N, classes]
  const double loss = losses::cross_entropy(scores, batch.target).item();
  const double acc = mean(eq(argmax(scores, 1).to(DType::f64), batch.target.to(DType::f64))).item();
  return {loss, acc};
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 200, threads = 1, print_every = 0, hidden = 64;
  std::int64_t batch_size = 32, per_class = 200, classes = 3;
  double lr = 0.01, noise = 0.2, min_accuracy = 0.9;
  std::string optimizer = "adam", save, out = "out/spirals";
  std::uint64_t seed = 0;
  bool smoke = false;
  CLI::App app{"Trains an MLP on three spirals; writes metrics, curves and a decision-boundary map."};
  app.add_option("--epochs", epochs, "passes over the training set")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--lr", lr, "learning rate")->capture_default_str();
  app.add_option("--optimizer", optimizer, "adam, adamw, sgd, momentum, rmsprop or adagrad")->capture_default_str();
  app.add_option("--batch-size", batch_size, "samples per step")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden, "units in each of the two hidden layers")->capture_default_str();
  app.add_option("--per-class", per_class, "points per spiral arm")->capture_default_str();
  app.add_option("--noise", noise, "angle noise of the spirals (radians)")->capture_default_str();
  app.add_option("--seed", seed, "seed of the data, the split, the weights and the shuffling")->capture_default_str();
  app.add_option("--threads", threads, "threads (tapegrad::set_num_threads)")->capture_default_str();
  app.add_option("--save", save, "write the trained model to this safetensors file");
  app.add_option("--print-every", print_every, "epochs between progress reports (default: epochs / 10)");
  app.add_option("--min-accuracy", min_accuracy, "exit with 1 if the test accuracy is lower")->capture_default_str();
  app.add_flag("--smoke", smoke, "a short run for CI (100 epochs)");
  app.add_option("--out", out, "folder for metrics.csv, curves.png and boundary.png")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (smoke) epochs = std::min(epochs, 100);
  if (print_every <= 0) print_every = std::max(1, epochs / 10);
  set_num_threads(threads);

  // Data: 3 arms of per_class points; 80% to train on, 20% held out.
  const data::Sample set = data::spirals(per_class, classes, noise, seed);
  auto full = std::make_shared<data::TensorDataset>(set.input, set.target);
  const std::int64_t n_train = full->size() * 4 / 5;
  auto parts = data::random_split(full, {n_train, full->size() - n_train}, seed);
  data::DataLoader loader(parts[0], {.batch_size = batch_size, .shuffle = true, .seed = seed});
  const data::Sample train_all = whole(*parts[0]), test_all = whole(*parts[1]);

  manual_seed(seed);  // the weights' initialisation
  nn::Sequential model(nn::Linear(2, hidden), nn::ReLU(), nn::Linear(hidden, hidden), nn::ReLU(),
                       nn::Linear(hidden, classes));
  auto opt = make_optimizer(optimizer, model.parameters(), lr);
  fmt::print("{}\n", model.repr());
  fmt::print("{} training and {} test points, {} batches of {} per epoch, {} lr {}\n\n", parts[0]->size(),
             parts[1]->size(), loader.size(), batch_size, optimizer, lr);

  train::CsvLogger csv(out, {"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"});
  Eval test{};
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const bool report = epoch % print_every == 0 || epoch == 1 || epoch == epochs;
    std::unique_ptr<train::ProgressBar> bar;
    if (report)
      bar = std::make_unique<train::ProgressBar>(
          train::ProgressOptions{.total = loader.size(), .epoch = epoch, .epochs = epochs, .lines_per_epoch = 0});
    model.train();
    for (auto& [x, y] : loader) {
      opt->zero_grad();
      const Tensor loss = losses::cross_entropy(model(x), y);  // x [B, 2] -> scores [B, 3]; y [B]
      loss.backward();
      opt->step();
      if (bar) bar->update(x.size(0), loss.item());
    }
    model.eval();
    const Eval tr = evaluate(model, train_all);
    test = evaluate(model, test_all);
    csv.log({double(epoch), tr.loss, test.loss, tr.accuracy, test.accuracy});
    if (bar)
      bar->finish(
          fmt::format("train acc {:.4f}  test loss {:.4f}  test acc {:.4f}", tr.accuracy, test.loss, test.accuracy));
  }
  fmt::print("\ntest accuracy {:.1f}% on {} held-out points\n", 100 * test.accuracy, test_all.target.numel());

  if (!save.empty()) {
    nn::save(model, save);
    fmt::print("saved the model to {}\n", save);
  }
  // Pictures: the curves from the CSV, and the classes the model gives every point of the plane.
  const auto dir = std::filesystem::path(out);
  if (train::plot_curves(csv.path(), dir / "curves.png", {.title = "spirals: loss and accuracy per epoch"}))
    fmt::print("wrote {}\n", (dir / "curves.png").string());
  std::vector<train::LabeledPoint> points;
  const auto xy = set.input.to_vector(), labels = set.target.to_vector();
  for (std::size_t i = 0; i < labels.size(); ++i)
    points.push_back({xy[2 * i], xy[2 * i + 1], static_cast<std::int64_t>(labels[i])});
  const auto predict = [&](const std::vector<double>& xs, const std::vector<double>& ys) {
    std::vector<double> grid;
    for (std::size_t i = 0; i < xs.size(); ++i) grid.insert(grid.end(), {xs[i], ys[i]});
    NoGradGuard no_grad;
    const auto cls = argmax(model(tensor(grid, {static_cast<std::int64_t>(xs.size()), 2})), 1).to_vector();
    return std::vector<std::int64_t>(cls.begin(), cls.end());
  };
  if (train::plot_decision_boundary(
          predict, {.x_min = -1.2, .x_max = 1.2, .y_min = -1.2, .y_max = 1.2}, points, dir / "boundary.png",
          {.width = 800,
           .height = 700,
           .title = fmt::format("spirals: decision regions, test accuracy {:.1f}%", 100 * test.accuracy)}))
    fmt::print("wrote {}\n", (dir / "boundary.png").string());

  if (test.accuracy < min_accuracy) {
    fmt::print(stderr, "test accuracy {:.3f} is below --min-accuracy {:.3f}\n", test.accuracy, min_accuracy);
    return 1;
  }
  return 0;
}
