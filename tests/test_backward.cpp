// The tape and the reverse sweep: accumulation, retain_graph, freed graphs, non-leaves,
// grad(), NoGradGuard, double backward, deep graphs and memory.
#include <doctest/doctest.h>

#include <fstream>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
const TensorOptions f64g{.dtype = DType::f64, .requires_grad = true};
Tensor vec(std::vector<double> v, TensorOptions o = f64g) { return tensor(v, o); }
}  // namespace

TEST_CASE("gradients accumulate into .grad across backward calls until zeroed") {
  Tensor x = vec({1, 2, 3});
  sum(x * x).backward();  // d/dx sum(x^2) = 2x
  CHECK(x.grad().to_vector() == std::vector<double>{2, 4, 6});
  sum(x * 3.0).backward();  // + 3
  CHECK(x.grad().to_vector() == std::vector<double>{5, 7, 9});
  x.grad().zero_();
  sum(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{1, 1, 1});
  x.set_grad(Tensor());
  CHECK_FALSE(x.has_grad());
}

TEST_CASE("a tensor used twice gets the sum of both paths (fan-out)") {
  // y = x*x + x*2 -> dy/dx = 2x + 2
  Tensor x = vec({1, -2});
  Tensor a = x * x;
  Tensor y = sum(a + x * 2.0 + a);  // a used twice: 2*(2x) + 2
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{6, -6});
}

TEST_CASE("backward on a non-scalar needs a gradient; a given gradient weights the outputs") {
  Tensor x = vec({1, 2});
  Tensor y = x * x;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("one-element tensor or given a gradient"), StateError);
  y.backward(vec({10, 100}, {.dtype = DType::f64}));
  CHECK(x.grad().to_vector() == std::vector<double>{20, 400});
  Tensor z = x * 2.0;
  CHECK_THROWS_WITH_AS(z.backward(zeros({3}, {.dtype = DType::f64})), doctest::Contains("[3]"), ShapeError);
}

TEST_CASE("the graph is freed after backward; a second backward is a clear error unless retained") {
  Tensor x = vec({1, 2});
  Tensor y = sum(x * x);
  y.backward();
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("second time"), StateError);

  Tensor w = vec({3});
  Tensor z = sum(w * w * w);  // dz/dw = 3w^2 = 27
  z.backward({}, {.retain_graph = true});
  z.backward();
  CHECK(w.grad().item() == fixtures::approx64(54));
}

TEST_CASE("leaves get .grad; non-leaves only with retain_grad(); reading a missing grad throws") {
  Tensor x = vec({1, 2});
  Tensor h = x * 3.0;
  Tensor k = h + 1.0;
  k.retain_grad();
  Tensor y = sum(h * k);
  y.backward();
  CHECK(x.is_leaf());
  CHECK_FALSE(h.is_leaf());
  CHECK_THROWS_WITH_AS(h.grad(), doctest::Contains("retain_grad"), StateError);
  CHECK(k.grad().to_vector() == std::vector<double>{3, 6});  // dy/dk = h
  Tensor c = vec({1}, {.dtype = DType::f64});
  CHECK_THROWS_WITH_AS(c.grad(), doctest::Contains("does not require grad"), StateError);
  CHECK_THROWS_AS(c.retain_grad(), StateError);
}

TEST_CASE("grad() returns gradients without touching .grad, and supports create_graph") {
  Tensor x = vec({2, -1});
  Tensor y = sum(x * x * x);  // dy/dx = 3x^2, d2y/dx2 = 6x
  auto g = grad({y}, {x}, {}, {.create_graph = true});
  CHECK(g[0].to_vector() == std::vector<double>{12, 3});
  CHECK_FALSE(x.has_grad());
  auto g2 = grad({sum(g[0])}, {x});
  CHECK(g2[0].to_vector() == std::vector<double>{12, -6});
  // unused input
  Tensor u = vec({1});
  Tensor y2 = sum(x * 2.0);
  CHECK_THROWS_WITH_AS(grad({y2}, {u}), doctest::Contains("not used"), StateError);
  Tensor y3 = sum(x * 2.0);
  auto gu = grad({y3}, {x, u}, {}, {.allow_unused = true});
  CHECK(gu[0].to_vector() == std::vector<double>{2, 2});
  CHECK_FALSE(gu[1].defined());
}

TEST_CASE("grad() of a non-leaf input gives the gradient reaching it") {
  Tensor x = vec({1, 2});
  Tensor h = x * 2.0;
  Tensor y = sum(h * h);  // dy/dh = 2h = [4, 8]
  auto g = grad({y}, {h});
  CHECK(g[0].to_vector() == std::vector<double>{4, 8});
}

TEST_CASE("double backward through Tensor::backward(create_graph) makes .grad differentiable") {
  Tensor x = vec({1.5});
  Tensor y = sum(exp(x * 2.0));  // dy/dx = 2 e^{2x}
  y.backward({}, {.create_graph = true});
  Tensor gx = x.grad();
  CHECK(gx.requires_grad());
  auto g2 = grad({sum(gx)}, {x});  // 4 e^{2x}
  CHECK(g2[0].item() == doctest::Approx(4 * std::exp(3.0)).epsilon(1e-12));
  x.set_grad(Tensor());  // x.grad's graph refers to x: a reference cycle, as in PyTorch; break it
}

TEST_CASE("NoGradGuard stops recording and nests; EnableGradGuard turns it back on") {
  Tensor x = vec({1, 2});
  {
    NoGradGuard ng;
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.is_leaf());
    {
      EnableGradGuard eg;
      CHECK((x * 2.0).requires_grad());
    }
    CHECK_FALSE((x * 2.0).requires_grad());
  }
  CHECK((x * 2.0).requires_grad());
}

TEST_CASE("in-place updates of a tensor that requires grad need NoGradGuard") {
  Tensor w = vec({1, 2});
  CHECK_THROWS_WITH_AS(w.zero_(), doctest::Contains("NoGradGuard"), StateError);
  NoGradGuard ng;
  w.fill_(3.0);
  CHECK(w.to_vector() == std::vector<double>{3, 3});
}

TEST_CASE("detach cuts the graph and shares values") {
  Tensor x = vec({1, 2});
  Tensor d = (x * 2.0).detach();
  CHECK_FALSE(d.requires_grad());
  Tensor y = sum(d * x);  // gradient only through x: d = [2, 4]
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{2, 4});
}

TEST_CASE("a chain of 100,000 ops backpropagates and is freed without recursion") {
  const auto before = Node::live_count();
  {
    Tensor x = vec({1.0});
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.00001;
    CHECK(Node::live_count() - before == 100000);
    y.backward(vec({1.0}, {.dtype = DType::f64}));
    CHECK(x.grad().item() == doctest::Approx(std::pow(1.00001, 100000)).epsilon(1e-9));
  }
  CHECK(Node::live_count() == before);
  {
    // freed by dropping the output, without any backward
    Tensor x = vec({1.0});
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y + 1.0;
  }
  CHECK(Node::live_count() == before);
}

namespace {
long rss_kb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * 4;
}
}  // namespace

TEST_CASE("memory stays flat over many training steps with eval passes between them") {
  // y = w*x + b fitted by hand-written gradient descent; every 10th step an eval pass
  manual_seed(0);
  Tensor xs = randn({64, 8});
  Tensor ys = xs * 3.0 + 2.0;
  Tensor w = zeros({8}, {.requires_grad = true});
  Tensor b = zeros({1}, {.requires_grad = true});
  const auto nodes_before = Node::live_count();
  long rss_at_1000 = 0;
  for (int step = 0; step < 5000; ++step) {
    Tensor loss = mean(pow(xs * w + b - ys, 2.0));
    loss.backward();
    {
      NoGradGuard ng;
      w.copy_(w - w.grad() * 0.1);
      b.copy_(b - b.grad() * 0.1);
      w.grad().zero_();
      b.grad().zero_();
      if (step % 10 == 0) (void)mean(xs * w + b);
    }
    if (step == 1000) rss_at_1000 = rss_kb();
  }
  CHECK(Node::live_count() == nodes_before);
  const long growth = rss_kb() - rss_at_1000;
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine holds freed memory on purpose, so RSS grows there
  CHECK_MESSAGE(growth < 1024, "RSS grew by " << growth << " KiB between step 1000 and 5000");
#else
  MESSAGE("RSS check skipped under AddressSanitizer; growth " << growth << " KiB");
#endif
  CHECK(w.to_vector()[0] == doctest::Approx(3.0).epsilon(1e-3));
}

TEST_CASE("backward on a tensor that does not require grad is a clear error") {
  Tensor c = zeros({1});
  CHECK_THROWS_WITH_AS(c.backward(), doctest::Contains("does not require grad"), StateError);
  CHECK_THROWS_AS(Tensor().backward(), StateError);
}

TEST_CASE("grad norms are recorded on nodes when asked (for the Graphviz export)") {
  set_record_grad_norms(true);
  Tensor x = vec({3, 4});
  Tensor h = x * 1.0;
  Tensor y = sum(h);
  auto node = h.grad_fn();
  y.backward();
  set_record_grad_norms(false);
  CHECK(node->last_grad_norm() == fixtures::approx64(std::sqrt(2.0)));
}
