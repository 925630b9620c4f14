// A guided tour of the tape, for teaching. Three small computations are recorded, printed (one
// line per op), drawn with Graphviz and differentiated; with --explain every backward step is
// spelled out: the op's rule, the gradient arriving at its output, the local derivative, and
// what the step adds to each input.
//   1. micrograd's first expression: L = (a * b + c) * f
//   2. micrograd's README expression, checked against the values its README prints
//   3. micrograd's tiny MLP (3 -> 4 -> 4 -> 1, tanh), one explained backward, then training
//
//   tape_tour [--explain] [--out out/tape_tour] [--steps 100] [--lr 0.05] [--seed 0] [--smoke]
// Exits 1 if a gradient or the training result is not what it should be.
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace tapegrad;

namespace {

bool g_ok = true;

void expect(bool ok, const std::string& what) {
  fmt::print("  check: {} ... {}\n", what, ok ? "ok" : "FAILED");
  g_ok = g_ok && ok;
}

/// Values of a tensor, short: "-2" for one element, "[1, 2, 3]" for a few, "[4, 3] 0.1 0.2 ..." for more.
std::string show(const Tensor& t) {
  if (!t.defined()) return "(none)";
  const std::vector<double> v = t.to_vector();
  if (v.size() == 1) return fmt::format("{:.6g}", v[0]);
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) parts.push_back(fmt::format("{:.4g}", v[i]));
  if (v.size() <= 8) return fmt::format("[{}]", fmt::join(parts, ", "));
  return fmt::format("{} [{}, ...]", t.shape(), fmt::join(parts, ", "));
}

/// Names the user gave to tensors, so the explanation can say "d" rather than "#1".
class Names {
 public:
  Tensor operator()(const std::string& name, Tensor t) {
    if (t.grad_fn()) nodes_[t.grad_fn().get()] = name;
    else leaves_[t.impl()] = name;
    return t;
  }
  std::string of(const Edge& e, const std::map<const Node*, std::size_t>& index) const {
    if (e.leaf) {
      auto it = leaves_.find(e.leaf.get());
      return it == leaves_.end() ? "a leaf" : "leaf " + it->second;
    }
    if (!e.fn) return "a constant";
    auto it = nodes_.find(e.fn.get());
    const std::string id = fmt::format("#{}", index.at(e.fn.get()));
    return it == nodes_.end() ? id : fmt::format("{} ({})", id, it->second);
  }
  std::string of(const Node& n) const {
    auto it = nodes_.find(&n);
    return it == nodes_.end() ? "" : " = " + it->second;
  }

 private:
  std::map<const Node*, std::string> nodes_;
  std::map<const TensorImpl*, std::string> leaves_;
};

/// Runs root.backward(), printing each step when `explain` is on.
void backward_explained(const Tensor& root, const Names& names, bool explain) {
  std::map<const Node*, std::size_t> index;  // the tape's numbering (#i), as tape_string shows it
  const auto tape = tape_of(root);
  for (std::size_t i = 0; i < tape.size(); ++i) index[tape[i].get()] = i;
  int step = 0;
  BackwardObserver observer([&](const BackwardStep& s) {
    if (!explain) return;
    const Node& n = s.node;
    fmt::print("step {}: #{} {}{}, output {}\n", ++step, index.at(&n), n.op(), names.of(n), n.out_shape());
    fmt::print("  rule          {}: {}\n", n.op(), n.rule());
    fmt::print("  incoming g    {}\n", show(s.grad_output));
    // the rule applied to a gradient of ones: for an elementwise op, d output / d input itself
    const GradList local = s.node.apply(ones_like(s.grad_output));
    for (std::size_t i = 0; i < s.grad_inputs.size(); ++i) {
      const Edge& e = n.inputs()[i];
      if (!e.needs_grad()) {
        fmt::print("  input {}, {}: needs no gradient\n", i, names.of(e, index));
        continue;
      }
      const std::string who = names.of(e, index);
      // a leaf keeps what it gets in grad(); an op's output passes it on when its own step runs
      const char* verb = e.leaf ? "adds to its grad" : "sends back";
      if (local[i].defined() && local[i].numel() == 1 && s.grad_inputs[i].defined() && s.grad_inputs[i].numel() == 1)
        fmt::print("  input {}, {}: local derivative {}; {}\n", i, who, show(local[i]),
                   e.leaf ? fmt::format("adds {} to its grad", show(s.grad_inputs[i]))
                          : fmt::format("sends {} back", show(s.grad_inputs[i])));
      else
        fmt::print("  input {}, {}:\n      local derivative  {}\n      {:<17} {}\n", i, who, show(local[i]), verb,
                   show(s.grad_inputs[i]));
    }
  });
  set_record_grad_norms(true);  // so the drawing shows the gradient norm reaching each op
  root.backward();
  set_record_grad_norms(false);
}

/// Writes <out>/<stem>.dot, and <stem>.png when Graphviz's `dot` is on PATH.
void draw(const Tensor& root, const std::filesystem::path& out, const std::string& stem) {
  const std::string dot_path = (out / (stem + ".dot")).string();
  write_dot(root, dot_path);
  fmt::print("wrote {}\n", dot_path);
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    fmt::print("Graphviz `dot` is not on PATH: no PNG drawn (install graphviz, then: dot -Tpng {} -o {}.png)\n",
               dot_path, (out / stem).string());
    return;
  }
  const std::string png = (out / (stem + ".png")).string();
  const int rc = std::system(fmt::format("dot -Tpng '{}' -o '{}'", dot_path, png).c_str());
  if (rc == 0) fmt::print("wrote {}\n", png);
  else fmt::print("dot failed (exit {}): no PNG\n", rc);
}

bool close(double a, double b, double tol = 1e-4) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); }

Tensor value(double v) { return scalar_tensor(v, {.dtype = DType::f64, .requires_grad = true}); }

// 1. L = (a * b + c) * f with a = 2, b = -3, c = 10, f = -2 (micrograd's first lecture).
void first_expression(const std::filesystem::path& out, bool explain) {
  fmt::print("\n=== 1. micrograd's first expression: L = (a * b + c) * f ===\n");
  Names name;
  Tensor a = name("a", value(2.0)), b = name("b", value(-3.0)), c = name("c", value(10.0)), f = name("f", value(-2.0));
  Tensor e = name("e", a * b);
  Tensor d = name("d", e + c);
  Tensor L = name("L", d * f);
  fmt::print("L = {} (e = a * b = {}, d = e + c = {})\n\nthe tape:\n{}\n", show(L), show(e), show(d), tape_string(L));
  backward_explained(L, name, explain);
  fmt::print("gradients: a {}, b {}, c {}, f {}\n", show(a.grad()), show(b.grad()), show(c.grad()), show(f.grad()));
  // by hand: dL/da = f * b = 6, dL/db = f * a = -4, dL/dc = f = -2, dL/df = d = 4
  expect(L.item() == -8.0 && a.grad().item() == 6.0 && b.grad().item() == -4.0 && c.grad().item() == -2.0 &&
             f.grad().item() == 4.0,
         "L = -8, gradients 6, -4, -2, 4 (worked by hand)");
  draw(L, out, "expression");
}

// 2. micrograd's README example; its README prints g = 24.7041, a.grad = 138.8338, b.grad = 645.5773.
void readme_expression(const std::filesystem::path& out, bool explain) {
  fmt::print("\n=== 2. micrograd's README expression ===\n");
  Names name;
  Tensor a = name("a", value(-4.0)), b = name("b", value(2.0));
  Tensor c = a + b;
  Tensor d = a * b + pow(b, 3.0);
  c = c + c + 1.0;
  c = c + (1.0 + c + (-a));
  d = d + (d * 2.0 + relu(b + a));
  d = d + (3.0 * d + relu(b - a));
  Tensor e = c - d;
  Tensor f = pow(e, 2.0);
  Tensor g = f / 2.0;
  g = name("g", g + 10.0 / f);
  fmt::print("g = {:.4f}; the tape has {} ops:\n{}\n", g.item(), tape_of(g).size(), tape_string(g));
  backward_explained(g, name, explain);
  fmt::print("a.grad = {:.4f}, b.grad = {:.4f}\n", a.grad().item(), b.grad().item());
  expect(close(g.item(), 24.7041) && close(a.grad().item(), 138.8338) && close(b.grad().item(), 645.5773),
         "g = 24.7041, a.grad = 138.8338, b.grad = 645.5773 (micrograd's README)");
  draw(g, out, "readme_expression");
}

// 3. micrograd's demo network: MLP(3, [4, 4, 1]) with tanh, four samples, squared-error loss.
void tiny_mlp(const std::filesystem::path& out, bool explain, int steps, double lr) {
  fmt::print("\n=== 3. a tiny MLP: 3 -> 4 -> 4 -> 1 with tanh, on micrograd's four samples ===\n");
  nn::Sequential mlp(nn::Linear(3, 4), nn::Tanh(), nn::Linear(4, 4), nn::Tanh(), nn::Linear(4, 1), nn::Tanh());
  Names name;
  for (auto& [pname, p] : mlp.named_parameters()) name(pname, p);
  const Tensor x = name("x", tensor({2, 3, -1, 3, -1, 0.5, 0.5, 1, 1, 1, 1, -1}, {4, 3}));
  const Tensor y = name("y", tensor({1, -1, -1, 1}, {4, 1}));
  Tensor loss = name("loss", sum(pow(mlp(x) - y, 2.0)));
  fmt::print("{}\nloss = {:.4f}; the tape:\n{}\n", mlp.repr(), loss.item(), tape_string(loss));
  backward_explained(loss, name, explain);
  draw(loss, out, "mlp");
  const double first = loss.item();
  optim::SGD sgd(mlp.parameters(), {.lr = lr});
  for (int step = 1; step <= steps; ++step) {
    sgd.zero_grad();
    loss = sum(pow(mlp(x) - y, 2.0));
    loss.backward();
    sgd.step();
    if (step % 20 == 0 || step == steps) fmt::print("step {:4d}  loss {:.5f}\n", step, loss.item());
  }
  NoGradGuard no_grad;
  const double last = sum(pow(mlp(x) - y, 2.0)).item();
  expect(last < first / 4,
         fmt::format("training lowers the loss from {:.4f} to under a quarter ({:.4f})", first, last));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tape_tour: print, draw and explain the tape of small computations"};
  bool explain = false, smoke = false;
  std::string out = "out/tape_tour";
  int steps = 100, seed = 0;
  double lr = 0.05;
  app.add_flag("--explain", explain,
               "print every backward step: rule, incoming gradient, local derivative, what it adds");
  app.add_option("--out", out, "folder for the .dot and .png drawings")->capture_default_str();
  app.add_option("--steps", steps, "training steps of the MLP")->capture_default_str();
  app.add_option("--lr", lr, "learning rate of the MLP's SGD")->capture_default_str();
  app.add_option("--seed", seed, "seed of the MLP's initial weights")->capture_default_str();
  app.add_flag("--smoke", smoke, "a quick run for CI (fewer training steps)");
  CLI11_PARSE(app, argc, argv);
  if (smoke) steps = std::min(steps, 60);

  manual_seed(static_cast<std::uint64_t>(seed));
  std::filesystem::create_directories(out);
  try {
    first_expression(out, explain);
    readme_expression(out, explain);
    tiny_mlp(out, explain, steps, lr);
  } catch (const Error& e) {
    fmt::print(stderr, "tape_tour: {}\n", e.what());
    return 1;
  }
  fmt::print("\n{}\n", g_ok ? "all checks passed" : "SOME CHECKS FAILED");
  return g_ok ? 0 : 1;
}
