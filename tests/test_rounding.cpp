// Rounding ops (autograd/ops/rounding.cpp): values and gradients against PyTorch
// (fixtures/math.txt), halves to even, signs, inf and NaN, zero gradients, gradcheck, grad_fn
// names, method forms, bad input and the in-place guard.
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
};

const std::vector<UnaryOp>& ops() {
  static const std::vector<UnaryOp> table = {
      {"floor", floor, &Tensor::floor, "FloorBackward0"}, {"ceil", ceil, &Tensor::ceil, "CeilBackward0"},
      {"round", round, &Tensor::round, "RoundBackward0"}, {"trunc", trunc, &Tensor::trunc, "TruncBackward0"},
      {"frac", frac, &Tensor::frac, "FracBackward0"},
  };
  return table;
}

Fn unary_fn(Tensor (*f)(const Tensor&)) {
  return [f](const TL& v) { return f(v[0]); };
}

Tensor f64(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64}); }

}  // namespace

TEST_CASE(
    "floor, ceil, round, trunc and frac match PyTorch in float64 and float32, at ties, ±0, 2^52 - 0.5, inf and NaN") {
  for (const auto& op : ops()) {
    INFO("op ", op.name);
    CHECK(math_cases::check_all(op.name + ".", unary_fn(op.fn)) == 10);
  }
}

TEST_CASE("round rounds halves to even, as torch.round, and keeps the sign of zero") {
  const Tensor r = round(f64({0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, 2.5000000000000004}));
  CHECK(r.to_vector() == std::vector<double>{0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 0.0, 3.0});
  CHECK(std::signbit(r.to_vector()[3]));  // round(-0.5) = -0, as PyTorch prints it
  CHECK(round(tensor({0.5f, 1.5f, -2.5f})).to_vector() == std::vector<double>{0.0, 2.0, -2.0});
}

TEST_CASE("frac keeps x's sign, frac(-1.5) = -0.5, and frac(±inf) is NaN, as PyTorch") {
  const Tensor f = frac(f64({-1.5, 1.25, -3.0, kInf, -kInf}));
  CHECK_CLOSE_T(f, f64({-0.5, 0.25, 0.0, std::nan(""), std::nan("")}));
  // floor, ceil, round and trunc pass inf and NaN through
  for (const auto& op : ops()) {
    if (op.name == "frac") continue;
    INFO("op ", op.name);
    CHECK_CLOSE_T(op.fn(f64({kInf, -kInf, std::nan("")})), f64({kInf, -kInf, std::nan("")}));
  }
  // by hand on negatives: floor(-1.5) = -2, ceil(-1.5) = -1, trunc(-1.5) = -1, round(-1.7) = -2
  CHECK(floor(f64({-1.5})).item() == -2.0);
  CHECK(ceil(f64({-1.5})).item() == -1.0);
  CHECK(trunc(f64({-1.5})).item() == -1.0);
  CHECK(round(f64({-1.7})).item() == -2.0);
}

TEST_CASE("floor, ceil, round and trunc have a zero gradient everywhere, at their jumps too; frac's gradient is g") {
  const Tensor g = f64({1.0, 2.0, 3.0, 4.0, 5.0});
  for (const auto& op : ops()) {
    INFO("op ", op.name);
    Tensor x = tensor({-1.5, 0.0, 0.5, 2.0, 2.7}, {.dtype = DType::f64, .requires_grad = true});
    op.fn(x).backward(g);
    CHECK(x.grad().to_vector() == (op.name == "frac" ? g.to_vector() : std::vector<double>(5, 0.0)));
  }
}

TEST_CASE("gradcheck passes for the rounding ops away from their jumps, and frac's rule is differentiable in g") {
  // values 0.2 or more from every integer
  const Tensor x =
      tensor({-2.7, -1.3, 0.2, 0.75, 1.6, 3.35}, Shape{2, 3}, {.dtype = DType::f64, .requires_grad = true});
  for (const auto& op : ops()) {
    INFO("op ", op.name);
    CHECK(gradcheck(unary_fn(op.fn), {x}));
  }
  const Tensor w = math_cases::uniform64({2, 3}, -1.0, 1.0, 7);
  CHECK(gradcheck(math_cases::vjp(unary_fn(frac), 1, 0), {x, w}));
}

TEST_CASE("grad_fn names are PyTorch's: FloorBackward0, CeilBackward0, RoundBackward0, TruncBackward0, FracBackward0") {
  for (const auto& op : ops()) CHECK(math_cases::grad_fn_name(unary_fn(op.fn), {{1.5, -0.5}}) == op.grad_fn);
}

TEST_CASE("Tensor::floor, ceil, round, trunc and frac are the free functions") {
  for (const auto& op : ops()) {
    INFO("op ", op.name);
    Tensor x = tensor({-2.5, -0.7, 0.5, 1.5, 3.2}, {.dtype = DType::f64, .requires_grad = true});
    const Tensor y = (x.*op.method)();
    CHECK(y.to_vector() == op.fn(x).to_vector());
    CHECK(y.grad_fn()->name() == op.grad_fn);
  }
}

TEST_CASE("the rounding ops reject int64 input with DTypeError naming the op") {
  const Tensor i = arange(0.0, 4.0, 1.0, {.dtype = DType::i64});
  for (const auto& op : ops()) CHECK_THROWS_WITH_AS(op.fn(i), doctest::Contains((op.name + ":").c_str()), DTypeError);
}

TEST_CASE("no rounding op gives a silently wrong gradient after an in-place change of an input or its output") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 2.5};
  using inplace_sweep::Case;
  std::vector<Case> cases;
  for (const auto& op : ops()) cases.push_back({op.name, [f = op.fn](auto& v) { return f(v[0]); }, {a}});
  inplace_sweep::run(cases);
}
