// BackwardObserver: the hook that sees every backward step (node, incoming gradient, gradients
// produced per input). Values are worked by hand in the comments.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
struct Seen {
  std::string op;
  double grad_output;
  std::vector<double> grad_inputs;  // NaN where undefined
};

std::vector<Seen> watch_scalar_backward(const Tensor& root) {
  std::vector<Seen> seen;
  BackwardObserver observer([&](const BackwardStep& s) {
    Seen e{s.node.op(), s.grad_output.item(), {}};
    for (const Tensor& g : s.grad_inputs) e.grad_inputs.push_back(g.defined() ? g.item() : NAN);
    seen.push_back(e);
  });
  root.backward();
  return seen;
}
}  // namespace

TEST_CASE("the observer sees each step of micrograd's expression with the hand-computed gradients") {
  // a = 2, b = -3, c = 10, f = -2; e = a * b = -6; d = e + c = 4; L = d * f = -8
  Tensor a = scalar_tensor(2.0, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = scalar_tensor(-3.0, {.dtype = DType::f64, .requires_grad = true});
  Tensor c = scalar_tensor(10.0, {.dtype = DType::f64, .requires_grad = true});
  Tensor f = scalar_tensor(-2.0, {.dtype = DType::f64, .requires_grad = true});
  Tensor e = a * b;
  Tensor d = e + c;
  Tensor L = d * f;
  const auto seen = watch_scalar_backward(L);
  REQUIRE(seen.size() == 3);
  // L = d * f: g = 1; dd = g * f = -2, df = g * d = 4
  CHECK(seen[0].op == "mul");
  CHECK(seen[0].grad_output == 1.0);
  CHECK(seen[0].grad_inputs == std::vector<double>{-2.0, 4.0});
  // d = e + c: g = -2; de = dc = -2
  CHECK(seen[1].op == "add");
  CHECK(seen[1].grad_output == -2.0);
  CHECK(seen[1].grad_inputs == std::vector<double>{-2.0, -2.0});
  // e = a * b: g = -2; da = g * b = 6, db = g * a = -4
  CHECK(seen[2].op == "mul");
  CHECK(seen[2].grad_output == -2.0);
  CHECK(seen[2].grad_inputs == std::vector<double>{6.0, -4.0});
  CHECK(a.grad().item() == 6.0);
  CHECK(b.grad().item() == -4.0);
}

TEST_CASE("the observer gets the summed gradient of a node used twice, and undefined gradients where none flow") {
  // y = x * 3 (the constant 3 needs no gradient); z = y * y = 9 x^2, x = 2: dz/dy = 2y = 12
  Tensor x = tensor({2.0}, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = x * 3.0;
  Tensor z = sum(y * y);
  const auto seen = watch_scalar_backward(z);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].op == "sum");
  CHECK(seen[1].op == "mul");
  CHECK(seen[1].grad_inputs == std::vector<double>{6.0, 6.0});  // g = 1, y = 6 on both sides
  CHECK(seen[2].grad_output == 12.0);                           // 6 + 6 summed before the step
  REQUIRE(seen[2].grad_inputs.size() == 2);
  CHECK(seen[2].grad_inputs[0] == 36.0);  // 12 * 3
  CHECK(std::isnan(seen[2].grad_inputs[1]));
  CHECK(x.grad().item() == 36.0);  // 18 x
}

TEST_CASE("the node can be probed with a gradient of ones to show its local derivative") {
  Tensor a = tensor({2.0, 5.0}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = tensor({-3.0, 4.0}, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = sum(a * b);
  std::vector<double> local_a, local_b;
  {
    BackwardObserver observer([&](const BackwardStep& s) {
      if (std::string(s.node.op()) != "mul") return;
      const GradList local = s.node.apply(ones_like(s.grad_output));
      local_a = local[0].to_vector();  // d(a*b)/da = b
      local_b = local[1].to_vector();  // d(a*b)/db = a
    });
    y.backward();
  }
  CHECK(local_a == std::vector<double>{-3.0, 4.0});
  CHECK(local_b == std::vector<double>{2.0, 5.0});
  CHECK(a.grad().to_vector() == std::vector<double>{-3.0, 4.0});  // probing changed nothing
}

TEST_CASE("observers nest, are removed at scope exit, and also see grad()") {
  Tensor x = scalar_tensor(3.0, {.dtype = DType::f64, .requires_grad = true});
  int outer = 0, inner = 0;
  CHECK(BackwardObserver::current() == nullptr);
  {
    BackwardObserver o1([&](const BackwardStep&) { ++outer; });
    {
      BackwardObserver o2([&](const BackwardStep&) { ++inner; });
      CHECK(BackwardObserver::current() == &o2);
      grad({x * x}, {x});
    }
    CHECK(BackwardObserver::current() == &o1);
    (x * x).backward();
  }
  CHECK(BackwardObserver::current() == nullptr);
  (x * x).backward();
  CHECK(inner == 1);
  CHECK(outer == 1);
  CHECK(x.grad().item() == 12.0);  // two backward calls of d(x^2) = 6
}

TEST_CASE("an observer that throws stops the sweep cleanly; the next backward works") {
  Tensor x = scalar_tensor(3.0, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = (x * x) * 2.0;
  {
    BackwardObserver observer([](const BackwardStep&) { throw ValueError("observer says stop"); });
    CHECK_THROWS_WITH_AS(y.backward({}, {.retain_graph = true}), "observer says stop", ValueError);
  }
  CHECK_FALSE(x.has_grad());
  y.backward();
  CHECK(x.grad().item() == 12.0);  // 4x
}
