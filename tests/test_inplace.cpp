// In-place ops and version counters (autograd/inplace.cpp, SavedTensor in autograd/node.hpp):
// every in-place write bumps the storage's version, a rule that saved a changed tensor raises as
// PyTorch does, in-place ops on non-leaves are recorded, and the misuse PyTorch refuses is refused.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "inplace_sweep.hpp"

using namespace tapegrad;

namespace {
Tensor leaf(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64, .requires_grad = true}); }
Tensor value(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64}); }
}  // namespace

TEST_CASE("a tensor saved by mul and changed by fill_ makes backward raise, naming MulBackward0 and the versions") {
  // the example: dl/dw would silently be 100 instead of 3
  Tensor w = leaf({2.0});
  Tensor x = value({3.0});
  Tensor l = sum(w * x);
  x.fill_(100);
  CHECK(x.version() == 1);
  CHECK_THROWS_WITH_AS(l.backward(),
                       doctest::Contains("MulBackward0: one of the variables needed for gradient computation has been "
                                         "modified by an inplace operation: [float64 [1]] at version 1; expected "
                                         "version 0"),
                       StateError);
}

TEST_CASE("an optimizer step between two retain_graph backwards makes the second raise") {
  Tensor w = leaf({2.0, -1.0});
  Tensor x = value({3.0, 4.0});
  Tensor l = sum(w * w * x);
  l.backward({}, {.retain_graph = true});
  CHECK(w.grad().to_vector() == std::vector<double>{12.0, -8.0});  // 2 w x
  optim::SGD opt({w}, {.lr = 0.1});
  opt.step();
  CHECK(w.version() == 1);
  CHECK_THROWS_AS(l.backward(), StateError);
}

TEST_CASE("every in-place op bumps the version, which views (reshape, detach) share") {
  Tensor t = value({1, 2, 3, 4});
  const Tensor v = t.reshape({2, 2});
  const Tensor d = t.detach();
  std::uint64_t expect = 0;
  auto bumped = [&] {
    ++expect;
    CHECK(t.version() == expect);
    CHECK(v.version() == expect);
    CHECK(d.version() == expect);
  };
  t.fill_(1.0);
  bumped();
  t.zero_();
  bumped();
  t.copy_(value({1, 2, 3, 4}));
  bumped();
  t.add_(value({1, 1, 1, 1}), 2.0);
  bumped();
  t.sub_(1.0);
  bumped();
  t.mul_(value({2, 2, 2, 2}));
  bumped();
  t.div_(4.0);
  bumped();
  t.clamp_(1.5, 2.5);
  bumped();
  // (1, 2, 3, 4) +2 -> (3, 4, 5, 6) -1 -> (2, 3, 4, 5) *2 -> (4, 6, 8, 10) /4 -> (1, 1.5, 2, 2.5),
  // clamped to [1.5, 2.5]
  CHECK(t.to_vector() == std::vector<double>{1.5, 1.5, 2.0, 2.5});
  CHECK(v.to_vector() == t.to_vector());
  Tensor p = leaf({1.0, 2.0});
  nn::init::constant_(p, 0.5);
  CHECK(p.version() == 1);
}

TEST_CASE("a change that the rule does not read is fine, as in PyTorch: exp saves its output, not its input") {
  Tensor x = leaf({0.5, -1.0});
  Tensor y = exp(x);
  {
    NoGradGuard no_grad;
    x.add_(1.0);  // exp's rule reads e^x from its saved output
  }
  y.backward(ones_like(y));
  CHECK(x.grad().to_vector() == std::vector<double>{std::exp(0.5), std::exp(-1.0)});
}

TEST_CASE("in-place ops on a non-leaf are recorded: b = 2a; b *= c; b += a gives PyTorch's gradients") {
  Tensor a = leaf({1.0, 2.0, 3.0});
  Tensor c = leaf({4.0, 5.0, 6.0});
  Tensor b = a * 2.0;
  b.mul_(c);
  CHECK(b.grad_fn()->name() == "MulBackward0");
  b.add_(a);
  CHECK(b.grad_fn()->name() == "AddBackward0");
  CHECK(b.to_vector() == std::vector<double>{9.0, 22.0, 39.0});  // 2ac + a
  b.sum().backward();
  CHECK(a.grad().to_vector() == std::vector<double>{9.0, 11.0, 13.0});  // 2c + 1
  CHECK(c.grad().to_vector() == std::vector<double>{2.0, 4.0, 6.0});    // 2a
}

TEST_CASE("recorded fill_, copy_ and clamp_ on a non-leaf pass the right gradients") {
  SUBCASE("fill_: the old values get no gradient") {
    Tensor x = leaf({1.0, 2.0});
    Tensor y = x * 3.0;
    y.fill_(5.0);
    CHECK(y.requires_grad());
    (y * x).sum().backward();  // d/dx of 5x (y no longer depends on x)
    CHECK(x.grad().to_vector() == std::vector<double>{5.0, 5.0});
  }
  SUBCASE("copy_: the source gets the gradient, summed over broadcast rows") {
    Tensor x = leaf({1.0, 2.0, 3.0, 4.0});
    Tensor src = leaf({10.0, 20.0});
    Tensor y = x.reshape({2, 2}) * 1.0;
    y.copy_(src);
    CHECK(y.to_vector() == std::vector<double>{10.0, 20.0, 10.0, 20.0});
    y.sum().backward();
    CHECK(src.grad().to_vector() == std::vector<double>{2.0, 2.0});
    CHECK(x.grad().to_vector() == std::vector<double>{0.0, 0.0, 0.0, 0.0});
  }
  SUBCASE("clamp_: the gradient passes inside the bounds only") {
    Tensor x = leaf({-2.0, 0.5, 2.0});
    Tensor y = x * 1.0;
    y.clamp_(-1.0, 1.0);
    y.sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{0.0, 1.0, 0.0});
  }
}

TEST_CASE("misuse PyTorch refuses: in-place on a leaf that requires grad, or on a view, while recording") {
  Tensor w = leaf({1.0, 2.0});
  CHECK_THROWS_WITH_AS(w.add_(1.0), doctest::Contains("add_: a leaf tensor that requires grad"), StateError);
  CHECK_THROWS_AS(w.mul_(value({2.0, 2.0})), StateError);
  CHECK(w.version() == 0);  // nothing was written
  {
    NoGradGuard no_grad;
    w.add_(1.0);  // as an optimizer does
  }
  CHECK(w.to_vector() == std::vector<double>{2.0, 3.0});
  Tensor y = w * 2.0;
  Tensor v = y.reshape({2, 1});
  CHECK_THROWS_WITH_AS(v.mul_(3.0), doctest::Contains("view"), StateError);
  // a plain tensor changed by one that requires grad becomes part of the graph
  Tensor plain = value({1.0, 1.0});
  plain.mul_(w);
  CHECK(plain.requires_grad());
  plain.sum().backward();
  CHECK(w.grad().to_vector() == std::vector<double>{1.0, 1.0});
}

TEST_CASE("in-place operands: other broadcasts to the tensor's shape, never the other way; dtypes match") {
  Tensor t = zeros({2, 3}, {.dtype = DType::f64});
  t.add_(value({1, 2, 3}));
  CHECK(t.to_vector() == std::vector<double>{1, 2, 3, 1, 2, 3});
  Tensor small = zeros({3}, {.dtype = DType::f64});
  CHECK_THROWS_WITH_AS(small.add_(zeros({2, 3}, {.dtype = DType::f64})), doctest::Contains("add_"), ShapeError);
  CHECK_THROWS_WITH_AS(t.mul_(zeros({2, 3})), doctest::Contains("mul_: dtypes float64"), DTypeError);
  CHECK(small.version() == 0);
}

TEST_CASE("copy_ broadcasts its source and converts its dtype, as Tensor.copy_") {
  Tensor t = zeros({2, 3});
  t.copy_(tensor({1, 2, 3}, {.dtype = DType::f64}));
  CHECK(t.dtype() == DType::f32);
  CHECK(t.to_vector() == std::vector<double>{1, 2, 3, 1, 2, 3});
  t.copy_(scalar_tensor(7.0, {.dtype = DType::i64}));
  CHECK(t.to_vector() == std::vector<double>{7, 7, 7, 7, 7, 7});
  CHECK_THROWS_AS(t.copy_(zeros({4})), ShapeError);
}

TEST_CASE("a released node never runs its rule again: StateError") {
  Tensor x = leaf({3.0});
  Tensor y = x * x;
  const auto node = y.grad_fn();
  y.backward();
  REQUIRE(node->released());
  CHECK_THROWS_WITH_AS(node->apply(ones_like(y)), doctest::Contains("MulBackward0"), StateError);
}

TEST_CASE("sum never returns a view of its input, even when nothing is reduced") {
  Tensor x = value({5.0});
  Tensor s = x.sum();
  s.fill_(1.0);
  CHECK(x.item() == 5.0);
  Tensor m = value({1.0, 2.0}).reshape({2, 1});
  Tensor r = sum(m, {1});
  r.zero_();
  CHECK(m.to_vector() == std::vector<double>{1.0, 2.0});
}

TEST_CASE("changing the indices max returned makes its backward raise instead of routing the gradient wrongly") {
  Tensor x = tensor({1.0, 5.0, 3.0, 2.0}, Shape{2, 2}, {.dtype = DType::f64, .requires_grad = true});
  auto [values, indices] = max(x, 1);
  indices.fill_(0);
  CHECK_THROWS_WITH_AS(values.sum().backward(), doctest::Contains("MaxBackward0"), StateError);
}

TEST_CASE("no op gives a silently wrong gradient after an in-place change of an input or its output") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5}, b = {0.9, 0.4, -0.2, 1.5}, p = {0.2, 0.6, 0.3, 0.8};
  using inplace_sweep::Case;
  const std::vector<Case> cases = {
      {"mul", [](auto& v) { return mul(v[0], v[1]); }, {a, b}},
      {"div", [](auto& v) { return div(v[0], v[1]); }, {a, b}},
      {"pow", [](auto& v) { return pow(abs(v[0]), v[1]); }, {a, b}},
      {"pow_scalar", [](auto& v) { return pow(v[0], 3.0); }, {a}},
      {"exp", [](auto& v) { return exp(v[0]); }, {a}},
      {"log", [](auto& v) { return log(v[0]); }, {p}},
      {"sqrt", [](auto& v) { return sqrt(v[0]); }, {p}},
      {"abs", [](auto& v) { return abs(v[0]); }, {a}},
      {"clamp", [](auto& v) { return clamp(v[0], -0.5, 0.8); }, {a}},
      {"maximum", [](auto& v) { return maximum(v[0], v[1]); }, {a, b}},
      {"where", [](auto& v) { return where(v[1] > 0.5, v[0], v[1]); }, {a, b}},
      {"relu", [](auto& v) { return relu(v[0]); }, {a}},
      {"leaky_relu", [](auto& v) { return leaky_relu(v[0], 0.1); }, {a}},
      {"sigmoid", [](auto& v) { return sigmoid(v[0]); }, {a}},
      {"tanh", [](auto& v) { return tanh(v[0]); }, {a}},
      {"gelu", [](auto& v) { return gelu(v[0]); }, {a}},
      {"silu", [](auto& v) { return silu(v[0]); }, {a}},
      {"elu", [](auto& v) { return elu(v[0]); }, {a}},
      {"softplus", [](auto& v) { return softplus(v[0]); }, {a}},
      {"softmax", [](auto& v) { return softmax(v[0], 1); }, {a}},
      {"log_softmax", [](auto& v) { return log_softmax(v[0], 1); }, {a}},
      {"matmul", [](auto& v) { return matmul(v[0], v[1]); }, {a, b}},
      {"linear", [](auto& v) { return linear(v[0], v[1]); }, {a, b}},
      {"norm", [](auto& v) { return norm(v[0], 3.0, {1}); }, {a}},
      {"max_all", [](auto& v) { return max(v[0]); }, {a}},
      {"max_dim", [](auto& v) { return max(v[0], 1).values; }, {a}},
      {"var", [](auto& v) { return var(v[0], {1}); }, {a}},
      {"logsumexp", [](auto& v) { return logsumexp(v[0], {1}); }, {a}},
      {"mean", [](auto& v) { return mean(v[0], {0}); }, {a}},
      {"transpose", [](auto& v) { return v[0].t() * v[1]; }, {a, b}},
      {"bce", [](auto& v) { return losses::binary_cross_entropy(sigmoid(v[0]), sigmoid(v[1])); }, {a, b}},
      {"bce_logits", [](auto& v) { return losses::binary_cross_entropy_with_logits(v[0], sigmoid(v[1])); }, {a, b}},
      {"mse", [](auto& v) { return losses::mse_loss(v[0], v[1]); }, {a, b}},
      {"cross_entropy_probs", [](auto& v) { return losses::cross_entropy(v[0], softmax(v[1], 1)); }, {a, b}},
  };
  inplace_sweep::run(cases);
}
