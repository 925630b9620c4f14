// Trigonometric and hyperbolic ops (autograd/ops/trig.cpp): values and gradients against PyTorch
// (fixtures/math.txt), domain edges, gradcheck, double backward, grad_fn names, method forms,
// bad input and the in-place guard.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "inplace_sweep.hpp"
#include "math_cases.hpp"

using namespace tapegrad;
using math_cases::Fn;
using TL = std::vector<Tensor>;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct UnaryOp {
  std::string name;
  Tensor (*fn)(const Tensor&);
  Tensor (Tensor::*method)() const;
  std::string grad_fn;
  double lo, hi;  // a range inside the domain, for gradcheck
};

const std::vector<UnaryOp>& unary_ops() {
  static const std::vector<UnaryOp> ops = {
      {"sin", sin, &Tensor::sin, "SinBackward0", -4.0, 4.0},
      {"cos", cos, &Tensor::cos, "CosBackward0", -4.0, 4.0},
      {"tan", tan, &Tensor::tan, "TanBackward0", -1.3, 1.3},
      {"asin", asin, &Tensor::asin, "AsinBackward0", -0.9, 0.9},
      {"acos", acos, &Tensor::acos, "AcosBackward0", -0.9, 0.9},
      {"atan", atan, &Tensor::atan, "AtanBackward0", -4.0, 4.0},
      {"sinh", sinh, &Tensor::sinh, "SinhBackward0", -3.0, 3.0},
      {"cosh", cosh, &Tensor::cosh, "CoshBackward0", -3.0, 3.0},
      {"asinh", asinh, &Tensor::asinh, "AsinhBackward0", -4.0, 4.0},
      {"acosh", acosh, &Tensor::acosh, "AcoshBackward0", 1.1, 4.0},
      {"atanh", atanh, &Tensor::atanh, "AtanhBackward0", -0.9, 0.9},
  };
  return ops;
}

Fn unary_fn(Tensor (*f)(const Tensor&)) {
  return [f](const TL& v) { return f(v[0]); };
}

// f(x) for float64 x requiring grad, and the gradient for an upstream gradient of ones
std::pair<Tensor, Tensor> value_and_grad(Tensor (*f)(const Tensor&), const std::vector<double>& x) {
  Tensor t = tensor(x, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = f(t);
  y.backward(ones_like(y));
  return {y, t.grad()};
}

Tensor f64(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64}); }

bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

}  // namespace

TEST_CASE("sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh and atanh match PyTorch in float64 and float32") {
  // per op and dtype: 0-d, 1-D, 2-D and 3-D inputs inside the domain, and one input at its edges
  for (const auto& op : unary_ops()) {
    INFO("op ", op.name);
    CHECK(math_cases::check_all(op.name + ".", unary_fn(op.fn)) == 10);
  }
}

TEST_CASE("asin and acos are NaN outside [-1, 1] and their gradients are infinite at ±1, as PyTorch") {
  const double nan = std::nan("");
  // d asin = 1/√(1 - x²), d acos = -1/√(1 - x²): ±inf at ±1 (1/√0), NaN outside (√ of a negative)
  const auto [as, das] = value_and_grad(asin, {-1.0, 1.0, 1.5, -1.5});
  CHECK_CLOSE_T(as, f64({-M_PI / 2, M_PI / 2, nan, nan}));
  CHECK_CLOSE_T(das, f64({kInf, kInf, nan, nan}));
  const auto [ac, dac] = value_and_grad(acos, {-1.0, 1.0, 1.5});
  CHECK_CLOSE_T(ac, f64({M_PI, 0.0, nan}));
  CHECK_CLOSE_T(dac, f64({-kInf, -kInf, nan}));
}

TEST_CASE("acosh is NaN below 1 with an infinite gradient at 1; atanh is ±inf at ±1, as PyTorch") {
  const double nan = std::nan("");
  // d acosh = 1/√(x² - 1): inf at 1, NaN in (-1, 1), and PyTorch's formula gives 1/√3 at -2,
  // where acosh itself is NaN
  const auto [ach, dach] = value_and_grad(acosh, {1.0, 0.5, -2.0});
  CHECK_CLOSE_T(ach, f64({0.0, nan, nan}));
  CHECK_CLOSE_T(dach, f64({kInf, nan, 1.0 / std::sqrt(3.0)}));
  // d atanh = 1/(1 - x²): inf at ±1, and PyTorch's formula gives a finite value outside:
  // 1/(1 - 2.25) = -0.8 at ±1.5, where atanh itself is NaN
  const auto [ath, dath] = value_and_grad(atanh, {-1.0, 1.0, 1.5, -1.5});
  CHECK_CLOSE_T(ath, f64({-kInf, kInf, nan, nan}));
  CHECK_CLOSE_T(dath, f64({kInf, kInf, -0.8, -0.8}));
}

TEST_CASE("atan2 matches PyTorch with broadcasting, 0-d operands, signed zeros and infinities") {
  // same shapes, [2, 3, 4] with [3, 1], [4] with [3, 1], a 0-d side, both 0-d, and the edges
  CHECK(math_cases::check_all("atan2.", [](const TL& v) { return atan2(v[0], v[1]); }) == 12);
  // by hand: the quadrant follows the signs, zeros included, as C's atan2
  CHECK_CLOSE_T(atan2(f64({0.0, 0.0, -0.0, 1.0, -1.0}), f64({0.0, -0.0, -1.0, 0.0, -1.0})),
                f64({0.0, M_PI, -M_PI, M_PI / 2, -3 * M_PI / 4}));
  CHECK(std::signbit(atan2(f64({-0.0}), f64({1.0})).item()));
}

TEST_CASE("atan2's gradient is (b, -a) / (a² + b²), NaN at (0, 0) as PyTorch, summed over broadcast dims") {
  Tensor a = tensor({0.0, 3.0}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = tensor({0.0, 4.0}, {.dtype = DType::f64, .requires_grad = true});
  atan2(a, b).backward(ones_like(a));
  CHECK_CLOSE_T(a.grad(), f64({std::nan(""), 4.0 / 25.0}));
  CHECK_CLOSE_T(b.grad(), f64({std::nan(""), -3.0 / 25.0}));
  // a [2, 1] against b [3]: the output is [2, 3]; a's gradient sums over the 3, b's over the 2
  Tensor a2 = tensor({1.0, 2.0}, Shape{2, 1}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b2 = tensor({1.0, 1.0, 1.0}, {.dtype = DType::f64, .requires_grad = true});
  atan2(a2, b2).sum().backward();
  CHECK(a2.grad().shape() == Shape{2, 1});
  CHECK_CLOSE_T(a2.grad(), tensor({3 * 0.5, 3 * 0.2}, Shape{2, 1}, {.dtype = DType::f64}));
  CHECK_CLOSE_T(b2.grad(), tensor({-0.9, -0.9, -0.9}, {.dtype = DType::f64}));  // -(1/2 + 2/5)
}

TEST_CASE("gradcheck passes for every trig op on 0-d, 1-D and 2-D inputs inside its domain") {
  std::uint64_t seed = 1;
  for (const auto& op : unary_ops())
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3}}) {
      INFO("op ", op.name, " shape ", shape);
      CHECK(gradcheck(unary_fn(op.fn), {math_cases::uniform64(shape, op.lo, op.hi, seed++)}));
    }
  for (const auto& [sa, sb] : std::vector<std::pair<Shape, Shape>>{{{3, 4}, {3, 4}}, {{2, 3, 4}, {3, 1}}, {{3}, {}}}) {
    INFO("atan2 shapes ", sa, " ", sb);
    CHECK(gradcheck([](const TL& v) { return atan2(v[0], v[1]); },
                    {math_cases::uniform64(sa, -2.0, 2.0, seed++), math_cases::uniform64(sb, 0.5, 2.0, seed++)}));
  }
}

TEST_CASE("double backward: the trig ops' rules are themselves differentiable") {
  std::uint64_t seed = 100;
  for (const auto& op : unary_ops())
    for (const Shape& shape : {Shape{}, Shape{2, 3}}) {
      INFO("op ", op.name, " shape ", shape);
      const Tensor x = math_cases::uniform64(shape, op.lo, op.hi, seed++);
      const Tensor w = math_cases::uniform64(shape, -1.0, 1.0, seed++);
      CHECK(gradcheck(math_cases::vjp(unary_fn(op.fn), 1, 0), {x, w}));
    }
  const Tensor a = math_cases::uniform64({2, 3}, -2.0, 2.0, seed++), b = math_cases::uniform64({3}, 0.5, 2.0, seed++);
  const Tensor w = math_cases::uniform64({2, 3}, -1.0, 1.0, seed++);
  const Fn f = [](const TL& v) { return atan2(v[0], v[1]); };
  CHECK(gradcheck(math_cases::vjp(f, 2, 0), {a, b, w}));
  CHECK(gradcheck(math_cases::vjp(f, 2, 1), {a, b, w}));
}

TEST_CASE("grad_fn names are PyTorch's: SinBackward0 ... AtanhBackward0, Atan2Backward0") {
  for (const auto& op : unary_ops()) CHECK(math_cases::grad_fn_name(unary_fn(op.fn), {{1.5}}) == op.grad_fn);
  CHECK(math_cases::grad_fn_name([](const TL& v) { return atan2(v[0], v[1]); }, {{1.0}, {2.0}}) == "Atan2Backward0");
  CHECK_FALSE(sin(tensor({1.0})).requires_grad());  // nothing to record without an input that requires grad
}

TEST_CASE("Tensor::sin ... Tensor::atanh and Tensor::atan2 are the free functions") {
  for (const auto& op : unary_ops()) {
    INFO("op ", op.name);
    Tensor x = tensor({1.25, 1.5, 2.0}, {.dtype = DType::f64, .requires_grad = true});
    const Tensor y = (x.*op.method)();
    CHECK(same(y.to_vector(), op.fn(x).to_vector()));
    CHECK(y.grad_fn()->name() == op.grad_fn);
  }
  const Tensor a = tensor({1.0, -1.0}), b = tensor({-1.0, 2.0});
  CHECK(a.atan2(b).to_vector() == atan2(a, b).to_vector());
}

TEST_CASE(
    "trig ops reject int64 and mixed dtypes with DTypeError, and atan2 shapes that do not broadcast with ShapeError") {
  const Tensor i = arange(0.0, 4.0, 1.0, {.dtype = DType::i64});
  for (const auto& op : unary_ops())
    CHECK_THROWS_WITH_AS(op.fn(i), doctest::Contains((op.name + ":").c_str()), DTypeError);
  CHECK_THROWS_WITH_AS(atan2(i, i), doctest::Contains("atan2:"), DTypeError);
  CHECK_THROWS_WITH_AS(atan2(zeros({3}), zeros({3}, {.dtype = DType::f64})),
                       doctest::Contains("atan2: dtypes float32 and float64 differ"), DTypeError);
  CHECK_THROWS_WITH_AS(atan2(zeros({3, 4}), zeros({5})), doctest::Contains("atan2: shapes [3, 4] and [5]"), ShapeError);
}

TEST_CASE("no trig op gives a silently wrong gradient after an in-place change of an input or its output") {
  // inputs inside every domain: (-1, 1) for asin, acos, atanh; > 1 for acosh
  const std::vector<double> a = {0.3, -0.7, 0.6, 0.5}, b = {0.9, 0.4, -0.2, 1.5}, big = {1.2, 1.5, 2.0, 3.0};
  using inplace_sweep::Case;
  std::vector<Case> cases;
  for (const auto& op : unary_ops())
    cases.push_back({op.name, [f = op.fn](auto& v) { return f(v[0]); }, {op.name == "acosh" ? big : a}});
  cases.push_back({"atan2", [](auto& v) { return atan2(v[0], v[1]); }, {a, b}});
  inplace_sweep::run(cases);
}
