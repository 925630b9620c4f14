// Exponentials, logarithms, powers and erf (autograd/ops/unary_math.cpp): values and gradients
// against PyTorch (fixtures/math.txt), poles and domain edges, pow with a scalar base, gradcheck,
// double backward, grad_fn names, method forms, bad input and the in-place guard.
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
      {"log1p", log1p, &Tensor::log1p, "Log1PBackward0", -0.9, 3.0},
      {"expm1", expm1, &Tensor::expm1, "Expm1Backward0", -3.0, 3.0},
      {"log2", log2, &Tensor::log2, "Log2Backward0", 0.1, 4.0},
      {"log10", log10, &Tensor::log10, "Log10Backward0", 0.1, 4.0},
      {"exp2", exp2, &Tensor::exp2, "Exp2Backward0", -4.0, 4.0},
      {"reciprocal", reciprocal, &Tensor::reciprocal, "ReciprocalBackward0", 0.2, 3.0},
      {"rsqrt", rsqrt, &Tensor::rsqrt, "RsqrtBackward0", 0.1, 4.0},
      {"square", square, &Tensor::square, "PowBackward0", -3.0, 3.0},
      {"erf", erf, &Tensor::erf, "ErfBackward0", -3.0, 3.0},
      {"erfc", erfc, &Tensor::erfc, "ErfcBackward0", -3.0, 3.0},
  };
  return ops;
}

// the scalar bases of the pow fixtures, by the id in their names
const std::vector<std::pair<std::string, double>> kBases = {{"base2", 2.0}, {"basehalf", 0.5},  {"base10", 10.0},
                                                            {"basee", M_E}, {"baseneg2", -2.0}, {"base1", 1.0},
                                                            {"base0", 0.0}};

Fn unary_fn(Tensor (*f)(const Tensor&)) {
  return [f](const TL& v) { return f(v[0]); };
}
Fn pow_fn(double base) {
  return [base](const TL& v) { return pow(base, v[0]); };
}

Tensor f64(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64}); }

// f(x) for float64 x requiring grad, and the gradient for an upstream gradient of ones
std::pair<Tensor, Tensor> value_and_grad(const Fn& f, const std::vector<double>& x) {
  Tensor t = tensor(x, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = f({t});
  y.backward(ones_like(y));
  return {y, t.grad()};
}

}  // namespace

TEST_CASE(
    "log1p, expm1, log2, log10, exp2, reciprocal, rsqrt, square, erf and erfc match PyTorch in float64 and float32") {
  // per op and dtype: 0-d, 1-D, 2-D and 3-D inputs inside the domain, and one input at its edges
  // (poles, overflow to inf, underflow to 0, tails, ±inf, NaN); reciprocal also of negatives
  for (const auto& op : unary_ops()) {
    INFO("op ", op.name);
    CHECK(math_cases::check_all(op.name + ".", unary_fn(op.fn)) == (op.name == "reciprocal" ? 12 : 10));
  }
}

TEST_CASE("log1p is -inf at -1 and NaN below; its gradient 1/(x + 1) is inf at -1, as PyTorch") {
  const auto [y, dy] = value_and_grad(unary_fn(log1p), {-1.0, -1.5, 1e-10});
  CHECK_CLOSE_T(y, f64({-kInf, std::nan(""), 1e-10 - 5e-21}));  // log1p(x) = x - x²/2 + ...: exact for tiny x
  CHECK_CLOSE_T(dy, f64({kInf, -2.0, 1.0 / (1.0 + 1e-10)}));
}

TEST_CASE("rsqrt is inf at 0 and NaN below; reciprocal is inf at 0 and -inf at -0, with -inf gradients, as PyTorch") {
  const auto [r, dr] = value_and_grad(unary_fn(rsqrt), {0.0, -1.0, 4.0});
  CHECK_CLOSE_T(r, f64({kInf, std::nan(""), 0.5}));
  CHECK_CLOSE_T(dr, f64({-kInf, std::nan(""), -0.0625}));  // -y³/2
  const auto [q, dq] = value_and_grad(unary_fn(reciprocal), {0.0, -0.0, -4.0});
  CHECK_CLOSE_T(q, f64({kInf, -kInf, -0.25}));
  CHECK_CLOSE_T(dq, f64({-kInf, -kInf, -0.0625}));  // -y²
}

TEST_CASE("pow with a scalar base matches torch.pow(base, x) for bases 2, 0.5, 10, e, -2, 1 and 0") {
  for (const auto& [id, base] : kBases) {
    INFO("base ", base);
    // 0-d to 3-D exponents and, for 2, -2, 1 and 0, the edges; in both dtypes
    const int cases = math_cases::check_all("pow_scalar." + id + ".", pow_fn(base));
    CHECK(cases == (id == "base0" ? 2 : id == "base2" || id == "baseneg2" || id == "base1" ? 10 : 8));
  }
}

TEST_CASE("pow(0, x) has PyTorch's gradient: 0 where x >= 0 and -inf where x < 0 (PowBackward2)") {
  const auto [y, dy] = value_and_grad(pow_fn(0.0), {-1.0, 0.0, 2.0, std::nan("")});
  CHECK_CLOSE_T(y, f64({kInf, 1.0, 0.0, std::nan("")}));
  CHECK_CLOSE_T(dy, f64({-kInf, 0.0, 0.0, std::nan("")}));  // y ln 0 = inf * -inf where x < 0
  // by hand elsewhere: d 2^x = 2^x ln 2; a negative base has no real log, so NaN, as PyTorch
  const auto [y2, dy2] = value_and_grad(pow_fn(2.0), {3.0, -1.0});
  CHECK_CLOSE_T(y2, f64({8.0, 0.5}));
  CHECK_CLOSE_T(dy2, f64({8.0 * M_LN2, 0.5 * M_LN2}));
  const auto [yn, dyn] = value_and_grad(pow_fn(-2.0), {2.0, 3.0, 0.5});
  CHECK_CLOSE_T(yn, f64({4.0, -8.0, std::nan("")}));
  CHECK_CLOSE_T(dyn, f64({std::nan(""), std::nan(""), std::nan("")}));
  // the result takes the exponent's dtype
  CHECK(pow(2.0, tensor({1.0})).dtype() == DType::f32);
  CHECK(pow(2.0, f64({1.0})).dtype() == DType::f64);
}

TEST_CASE("gradcheck passes for every op here on 0-d, 1-D and 2-D inputs inside its domain") {
  std::uint64_t seed = 1;
  for (const auto& op : unary_ops())
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3}}) {
      INFO("op ", op.name, " shape ", shape);
      CHECK(gradcheck(unary_fn(op.fn), {math_cases::uniform64(shape, op.lo, op.hi, seed++)}));
    }
  for (double base : {2.0, 0.5, 10.0, M_E, 0.0})
    for (const Shape& shape : {Shape{}, Shape{2, 3}}) {
      INFO("pow base ", base, " shape ", shape);
      CHECK(gradcheck(pow_fn(base), {math_cases::uniform64(shape, base == 0.0 ? 0.5 : -2.0, 2.0, seed++)}));
    }
}

TEST_CASE("double backward: the rules are themselves differentiable, the saved-output ones included") {
  std::uint64_t seed = 100;
  std::vector<std::pair<std::string, Fn>> all;
  for (const auto& op : unary_ops()) all.emplace_back(op.name, unary_fn(op.fn));
  for (double base : {2.0, 0.5, M_E}) all.emplace_back("pow " + std::to_string(base), pow_fn(base));
  for (const auto& [name, f] : all)
    for (const Shape& shape : {Shape{}, Shape{2, 3}}) {
      INFO("op ", name, " shape ", shape);
      const UnaryOp* op = nullptr;
      for (const auto& o : unary_ops())
        if (o.name == name) op = &o;
      const Tensor x = math_cases::uniform64(shape, op ? op->lo : -2.0, op ? op->hi : 2.0, seed++);
      const Tensor w = math_cases::uniform64(shape, -1.0, 1.0, seed++);
      CHECK(gradcheck(math_cases::vjp(f, 1, 0), {x, w}));
    }
}

TEST_CASE(
    "grad_fn names are PyTorch's: Log1PBackward0 ... ErfcBackward0, square is PowBackward0, pow(s, x) PowBackward2") {
  for (const auto& op : unary_ops()) CHECK(math_cases::grad_fn_name(unary_fn(op.fn), {{0.5}}) == op.grad_fn);
  CHECK(math_cases::grad_fn_name(pow_fn(2.0), {{0.5}}) == "PowBackward2");
  CHECK(math_cases::grad_fn_name(pow_fn(0.0), {{0.5}}) == "PowBackward2");
}

TEST_CASE("Tensor::log1p ... Tensor::erfc are the free functions") {
  for (const auto& op : unary_ops()) {
    INFO("op ", op.name);
    Tensor x = tensor({0.25, 0.5, 2.0}, {.dtype = DType::f64, .requires_grad = true});
    const Tensor y = (x.*op.method)();
    CHECK(y.to_vector() == op.fn(x).to_vector());
    CHECK(y.grad_fn()->name() == op.grad_fn);
  }
}

TEST_CASE("the ops here reject int64 input with DTypeError naming the op") {
  const Tensor i = arange(0.0, 4.0, 1.0, {.dtype = DType::i64});
  for (const auto& op : unary_ops())
    CHECK_THROWS_WITH_AS(op.fn(i), doctest::Contains((op.name + ":").c_str()), DTypeError);
  CHECK_THROWS_WITH_AS(pow(2.0, i), doctest::Contains("pow:"), DTypeError);
}

TEST_CASE("no op here gives a silently wrong gradient after an in-place change of an input or its output") {
  // inputs inside every domain: > -1 for log1p, > 0 for the logarithms and rsqrt
  const std::vector<double> a = {0.3, -0.7, 0.6, 0.5}, p = {0.2, 0.6, 0.3, 0.8};
  using inplace_sweep::Case;
  std::vector<Case> cases;
  for (const auto& op : unary_ops()) {
    const bool positive = op.name == "log2" || op.name == "log10" || op.name == "rsqrt" || op.name == "reciprocal";
    cases.push_back({op.name, [f = op.fn](auto& v) { return f(v[0]); }, {positive ? p : a}});
  }
  cases.push_back({"pow_base2", [](auto& v) { return pow(2.0, v[0]); }, {a}});
  cases.push_back({"pow_base0", [](auto& v) { return pow(0.0, v[0]); }, {p}});
  inplace_sweep::run(cases);
}
