// Elementwise ops: values and gradients against PyTorch, gradcheck, and bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};
}

TEST_CASE("binary elementwise ops match PyTorch, including broadcasting, scalars and 0-d") {
  const auto& fx = fixtures::load("elementwise");
  for (const char* tag : kTags) {
    for (const char* shape : {"same", "bcast", "scalar", "zerod"}) {
      auto name = [&](const char* op) { return fmt::format("{}.{}.{}", op, shape, tag); };
      CHECK_CASE(fx, name("add"), 2, [](const TL& v) { return v[0] + v[1]; });
      CHECK_CASE(fx, name("sub"), 2, [](const TL& v) { return v[0] - v[1]; });
      CHECK_CASE(fx, name("mul"), 2, [](const TL& v) { return v[0] * v[1]; });
      CHECK_CASE(fx, name("div"), 2, [](const TL& v) { return v[0] / v[1]; });
      CHECK_CASE(fx, name("maximum"), 2, [](const TL& v) { return maximum(v[0], v[1]); });
      CHECK_CASE(fx, name("minimum"), 2, [](const TL& v) { return minimum(v[0], v[1]); });
      CHECK_CASE(fx, name("powt"), 2, [](const TL& v) { return pow(v[0], v[1]); });
    }
  }
}

TEST_CASE("unary elementwise ops match PyTorch") {
  const auto& fx = fixtures::load("elementwise");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "neg." + tag, 1, [](const TL& v) { return -v[0]; });
    CHECK_CASE(fx, "exp." + tag, 1, [](const TL& v) { return exp(v[0]); });
    CHECK_CASE(fx, "log." + tag, 1, [](const TL& v) { return log(v[0]); });
    CHECK_CASE(fx, "sqrt." + tag, 1, [](const TL& v) { return sqrt(v[0]); });
    CHECK_CASE(fx, "abs." + tag, 1, [](const TL& v) { return abs(v[0]); });
    for (double p : {2.0, 3.0, 0.5, -1.5, 0.0})
      CHECK_CASE(fx, fmt::format("pow{:.1f}.{}", p, tag), 1, [p](const TL& v) { return pow(v[0], p); });
    CHECK_CASE(fx, "clamp.both." + tag, 1, [](const TL& v) { return clamp(v[0], -0.5, 0.7); });
    CHECK_CASE(fx, "clamp.min." + tag, 1, [](const TL& v) { return clamp(v[0], 0.0, std::nullopt); });
    CHECK_CASE(fx, "clamp.max." + tag, 1, [](const TL& v) { return clamp(v[0], std::nullopt, 0.3); });
  }
}

TEST_CASE("kinks and ties follow PyTorch: abs'(0) = 0, maximum/minimum split ties, clamp is inclusive") {
  const auto& fx = fixtures::load("elementwise");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "maximum.ties." + tag, 2, [](const TL& v) { return maximum(v[0], v[1]); });
    CHECK_CASE(fx, "minimum.ties." + tag, 2, [](const TL& v) { return minimum(v[0], v[1]); });
    CHECK_CASE(fx, "abs.zero." + tag, 1, [](const TL& v) { return abs(v[0]); });
    CHECK_CASE(fx, "clamp.edge." + tag, 1, [](const TL& v) { return clamp(v[0], -1.0, 1.0); });
    CHECK_CASE(fx, "powt.zero." + tag, 2, [](const TL& v) { return pow(v[0], v[1]); });
  }
  // by hand: maximum([1], [1]) gives each input half of the upstream gradient 4
  Tensor a = tensor({1.0}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = tensor({1.0}, {.dtype = DType::f64, .requires_grad = true});
  maximum(a, b).backward(tensor({4.0}, {.dtype = DType::f64}));
  CHECK(a.grad().item() == 2.0);
  CHECK(b.grad().item() == 2.0);
}

TEST_CASE("where and comparisons match PyTorch") {
  const auto& fx = fixtures::load("elementwise");
  for (std::string tag : kTags) {
    const Tensor cond = fx["where." + tag + ".cond"];
    CHECK_CASE(fx, "where." + tag, 2, [&](const TL& v) { return where(cond, v[0], v[1]); });
    for (const auto& [op, fn] : std::vector<std::pair<std::string, Tensor (*)(const Tensor&, const Tensor&)>>{
             {"eq", eq}, {"ne", ne}, {"lt", lt}, {"le", le}, {"gt", gt}, {"ge", ge}}) {
      const Tensor out = fn(fx[op + ".in0." + tag], fx[op + ".in1." + tag]);
      CHECK_CLOSE_T(out, fx[op + ".out." + tag]);
      CHECK_FALSE(out.requires_grad());
    }
  }
}

TEST_CASE("comparisons of int64 tensors (predicted vs target classes) give int64 masks") {
  const Tensor pred = tensor({2, 0, 1, 1}, {.dtype = DType::i64});
  const Tensor target = tensor({2, 1, 1, 0}, {.dtype = DType::i64});
  const Tensor hits = pred == target;
  CHECK(hits.dtype() == DType::i64);
  CHECK(hits.to_vector() == std::vector<double>{1, 0, 1, 0});
  CHECK(mean(hits.to(DType::f64)).item() == 0.5);
  CHECK((pred > tensor({1}, {.dtype = DType::i64})).to_vector() == std::vector<double>{1, 0, 0, 0});
  CHECK_THROWS_WITH_AS(pred == tensor({1.0, 2.0, 3.0, 4.0}), doctest::Contains("eq"), DTypeError);
}

TEST_CASE("where: the gradient goes to the chosen branch, summed over broadcast dims") {
  // cond [[1, 0], [0, 1]], a [2, 2], b [2] broadcast; g = 1
  Tensor cond = tensor({1, 0, 0, 1}, Shape{2, 2}, {.dtype = DType::f64});
  Tensor a = tensor({1, 2, 3, 4}, Shape{2, 2}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = tensor({10, 20}, {.dtype = DType::f64, .requires_grad = true});
  Tensor out = where(cond, a, b);
  CHECK(out.to_vector() == std::vector<double>{1, 20, 10, 4});
  sum(out).backward();
  CHECK(a.grad().to_vector() == std::vector<double>{1, 0, 0, 1});
  CHECK(b.grad().to_vector() == std::vector<double>{1, 1});
  CHECK(gradcheck([&](const TL& v) { return where(cond, v[0], v[1]); }, {a, b}));
}

TEST_CASE("gradcheck passes for every elementwise op on several shapes") {
  manual_seed(7);
  const TensorOptions o{.dtype = DType::f64, .requires_grad = true};
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 4}, {3, 4}}, {{2, 3, 4}, {3, 1}}, {{3, 4}, {}}, {{}, {}}, {{1, 4}, {3, 1}}};
  for (const auto& [sa, sb] : shapes) {
    CAPTURE(sa);
    CAPTURE(sb);
    Tensor a = randn(sa, o), b = randn(sb, o);
    Tensor bpos = (rand(sb, {.dtype = DType::f64}) + 0.5).detach().requires_grad_();
    Tensor apos = (rand(sa, {.dtype = DType::f64}) + 0.5).detach().requires_grad_();
    CHECK(gradcheck([](const TL& v) { return v[0] + v[1]; }, {a, b}));
    CHECK(gradcheck([](const TL& v) { return v[0] - v[1]; }, {a, b}));
    CHECK(gradcheck([](const TL& v) { return v[0] * v[1]; }, {a, b}));
    CHECK(gradcheck([](const TL& v) { return v[0] / v[1]; }, {a, bpos}));
    CHECK(gradcheck([](const TL& v) { return pow(v[0], v[1]); }, {apos, b}));
    CHECK(gradcheck([](const TL& v) { return maximum(v[0], v[1]); }, {a, b}));
    CHECK(gradcheck([](const TL& v) { return minimum(v[0], v[1]); }, {a, b}));
    CHECK(gradcheck([](const TL& v) { return 2.0 * v[0] - v[0] / 3.0 + 1.0; }, {a}));
  }
  for (const Shape& s : {Shape{3, 4}, Shape{}, Shape{5}}) {
    Tensor x = randn(s, o);
    Tensor xp = (rand(s, {.dtype = DType::f64}) + 0.2).detach().requires_grad_();
    CHECK(gradcheck([](const TL& v) { return -v[0]; }, {x}));
    CHECK(gradcheck([](const TL& v) { return exp(v[0]); }, {x}));
    CHECK(gradcheck([](const TL& v) { return log(v[0]); }, {xp}));
    CHECK(gradcheck([](const TL& v) { return sqrt(v[0]); }, {xp}));
    CHECK(gradcheck([](const TL& v) { return abs(v[0]); }, {x}));
    CHECK(gradcheck([](const TL& v) { return pow(v[0], 3.0); }, {x}));
    CHECK(gradcheck([](const TL& v) { return pow(v[0], -0.5); }, {xp}));
    CHECK(gradcheck([](const TL& v) { return clamp(v[0], -0.5, 0.5); }, {x}));
    CHECK(gradcheck([](const TL& v) { return v[0].to(DType::f32).to(DType::f64); }, {x},
                    {.eps = 1e-2, .atol = 1e-4, .rtol = 1e-3}));
    CHECK(gradcheck([](const TL& v) { return v[0].clone() * v[0]; }, {x}));
  }
}

TEST_CASE("elementwise bad input: shapes that do not broadcast, mixed dtypes, int64") {
  Tensor a = zeros({3, 4}), b = zeros({5});
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("add: shapes [3, 4] and [5] cannot be broadcast"), ShapeError);
  CHECK_THROWS_WITH_AS(mul(a, zeros({2, 4})), doctest::Contains("mul"), ShapeError);
  CHECK_THROWS_WITH_AS(add(a, zeros({3, 4}, {.dtype = DType::f64})),
                       doctest::Contains("add: dtypes float32 and float64 differ"), DTypeError);
  CHECK_THROWS_WITH_AS(exp(zeros({2}, {.dtype = DType::i64})), doctest::Contains("exp"), DTypeError);
  CHECK_THROWS_AS(where(zeros({2}), zeros({3}), zeros({3})), ShapeError);
}

TEST_CASE("operators with scalars on either side compute the same as PyTorch would") {
  Tensor x = tensor({1, 2, 4}, {.dtype = DType::f64});
  CHECK((x + 1.0).to_vector() == std::vector<double>{2, 3, 5});
  CHECK((1.0 - x).to_vector() == std::vector<double>{0, -1, -3});
  CHECK((x * 2.0).to_vector() == std::vector<double>{2, 4, 8});
  CHECK((8.0 / x).to_vector() == std::vector<double>{8, 4, 2});
  CHECK((x / 2.0).to_vector() == std::vector<double>{0.5, 1, 2});
  CHECK((x > 1.5).to_vector() == std::vector<double>{0, 1, 1});
  CHECK(sign(tensor({-3, 0, 2})).to_vector() == std::vector<double>{-1, 0, 1});
}

TEST_CASE("where reads a condition of another dtype in its own dtype: a float64 1e-300 is true for float32 values") {
  const Tensor cond = tensor({1e-300, 0.0, -0.0}, {.dtype = DType::f64});
  const Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({-1.0, -2.0, -3.0});
  CHECK(where(cond, a, b).to_vector() == std::vector<double>{1.0, -2.0, -3.0});
  const Tensor ints = tensor({2, 0, -7}, {.dtype = DType::i64});
  CHECK(where(ints, a, b).to_vector() == std::vector<double>{1.0, -2.0, 3.0});
}
