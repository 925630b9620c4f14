// clamp_min, clamp_max, masked_fill and where with scalars (autograd/ops/masking.cpp): values and
// gradients against PyTorch (fixtures/math.txt), bounds, NaN, broadcasting, dtypes of the
// results, gradcheck, double backward, grad_fn names, method forms, bad input, saved masks and
// the in-place guard.
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
const double kNaN = std::nan("");

// the fill values and bounds of the fixtures, by the id in their names
const std::vector<std::pair<std::string, double>> kValues = {
    {"v0", 0.0}, {"v2.5", 2.5}, {"vneginf", -kInf}, {"vnan", kNaN}};
const std::vector<std::pair<std::string, double>> kBounds = {{"v0.0", 0.0},  {"v0.3", 0.3},  {"v-0.5", -0.5},
                                                             {"vnan", kNaN}, {"vinf", kInf}, {"vneginf", -kInf}};

Tensor f64(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64}); }
Tensor leaf(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64, .requires_grad = true}); }

}  // namespace

TEST_CASE(
    "clamp_min and clamp_max match PyTorch in float64 and float32, at the bound, for NaN inputs and a NaN bound") {
  int n_min = 0, n_max = 0;
  for (const auto& [id, v] : kBounds) {
    INFO("bound ", v);
    const double b = v;
    n_min += math_cases::check_all("clamp_min." + id + ".", [b](const TL& x) { return clamp_min(x[0], b); });
    n_max += math_cases::check_all("clamp_max." + id + ".", [b](const TL& x) { return clamp_max(x[0], b); });
  }
  CHECK(n_min == 32);  // 3 bounds x 4 shapes x 2 dtypes, and 4 edge cases x 2 dtypes
  CHECK(n_max == 32);
}

TEST_CASE("clamp_min passes the gradient where x >= min, bound included; NaN in x or min gives NaN and no gradient") {
  Tensor x = leaf({0.3, 0.2, 0.5, kNaN});
  Tensor y = clamp_min(x, 0.3);
  CHECK_CLOSE_T(y, f64({0.3, 0.3, 0.5, kNaN}));
  y.backward(f64({1.0, 2.0, 3.0, 4.0}));
  CHECK(x.grad().to_vector() == std::vector<double>{1.0, 0.0, 3.0, 0.0});
  // a NaN bound makes every value NaN (as torch.clamp_min) and every gradient 0
  Tensor x2 = leaf({-1.0, 1.0});
  Tensor y2 = clamp_min(x2, kNaN);
  CHECK(std::isnan(y2.to_vector()[0]));
  CHECK(std::isnan(y2.to_vector()[1]));
  y2.backward(ones_like(y2));
  CHECK(x2.grad().to_vector() == std::vector<double>{0.0, 0.0});
  // clamp_max mirrors it: x <= max passes
  Tensor x3 = leaf({0.3, 0.4, -1.0});
  Tensor y3 = clamp_max(x3, 0.3);
  CHECK(y3.to_vector() == std::vector<double>{0.3, 0.3, -1.0});
  y3.backward(ones_like(y3));
  CHECK(x3.grad().to_vector() == std::vector<double>{1.0, 0.0, 1.0});
}

TEST_CASE(
    "masked_fill matches PyTorch with the mask broadcast to x, x broadcast to the mask, 0-d, and fills of 0, 2.5, "
    "-inf, NaN") {
  int n = 0;
  for (const auto& [id, v] : kValues) {
    const double value = v;
    n += math_cases::check_all("masked_fill." + id + ".",
                               [value](const TL& x) { return masked_fill(x[0], x[1], value); });
  }
  CHECK(n == 50);  // 4 values x 6 shape pairs x 2 dtypes, and x holding inf and NaN
}

TEST_CASE("masked_fill's gradient is 0 where filled and sums over the dims x was broadcast along") {
  // x [3] against mask [2, 3]: the output is [2, 3], and x's gradient counts the unfilled rows
  Tensor x = leaf({1.0, 2.0, 3.0});
  const Tensor mask = tensor({1, 0, 0, 1, 1, 0}, Shape{2, 3}, {.dtype = DType::i64});
  Tensor y = masked_fill(x, mask, -1.0);
  CHECK(y.shape() == Shape{2, 3});
  CHECK(y.to_vector() == std::vector<double>{-1.0, 2.0, 3.0, -1.0, -1.0, 3.0});
  y.backward(f64({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}).reshape({2, 3}));
  CHECK(x.grad().to_vector() == std::vector<double>{0.0, 2.0, 3.0 + 6.0});
  // a float mask of another dtype (here float32 against float64 x) reads as nonzero = filled
  const Tensor fmask = tensor({0.0, 1e-30, 0.0}, {.dtype = DType::f32});
  CHECK(masked_fill(f64({1.0, 2.0, 3.0}), fmask, 9.0).to_vector() == std::vector<double>{1.0, 9.0, 3.0});
}

TEST_CASE(
    "where with a scalar on either side matches PyTorch; NaN and inf in the other branch never reach the gradient") {
  int n_ts = 0, n_st = 0;
  for (const auto& [id, v] : kValues) {
    const double s = v;
    n_ts += math_cases::check_all("where_ts." + id + ".", [s](const TL& x) { return where(x[0], x[1], s); });
    n_st += math_cases::check_all("where_st." + id + ".", [s](const TL& x) { return where(x[0], s, x[1]); });
  }
  CHECK(n_ts == 50);
  CHECK(n_st == 50);
  // by hand: cond [3, 1] against a [2]: the output is [3, 2]; a's gradient counts the true rows
  Tensor a = leaf({1.0, 2.0});
  const Tensor cond = f64({1.0, 0.0, 1.0}).reshape({3, 1});
  Tensor y = where(cond, a, kNaN);
  CHECK_CLOSE_T(y, tensor({1.0, 2.0, kNaN, kNaN, 1.0, 2.0}, Shape{3, 2}, {.dtype = DType::f64}));
  y.backward(ones_like(y));
  CHECK(a.grad().to_vector() == std::vector<double>{2.0, 2.0});
  Tensor b = leaf({1.0, 2.0});
  Tensor z = where(cond, kInf, b);
  z.backward(ones_like(z));
  CHECK(b.grad().to_vector() == std::vector<double>{1.0, 1.0});
}

TEST_CASE("where of two scalars is float32 of the condition's shape, as PyTorch's default dtype, and needs no grad") {
  for (const char* s : {"0d", "1d", "2d", "3d"})
    CHECK(math_cases::check_all(std::string("where_ss.") + s + ".",
                                [](const TL& x) { return where(x[0], 1.5, -2.25); }) == 1);
  CHECK(math_cases::check_all("where_ss.special.", [](const TL& x) { return where(x[0], kInf, kNaN); }) == 1);
  const Tensor cond = tensor({1.0, 0.0}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor y = where(cond, 1.0, 0.0);
  CHECK(y.dtype() == DType::f32);
  CHECK_FALSE(y.requires_grad());
  CHECK(y.to_vector() == std::vector<double>{1.0, 0.0});
  // the scalars take the tensor operand's dtype
  CHECK(where(cond, tensor({1.0f, 2.0f}), 0.5).dtype() == DType::f32);
  CHECK(where(cond, 0.5, f64({1.0, 2.0})).dtype() == DType::f64);
}

TEST_CASE("a condition is read in its own dtype: a float64 1e-300 is true even for float32 values") {
  const Tensor cond = f64({1e-300, 0.0, -0.0, kNaN});
  CHECK(where(cond, tensor({1.0f, 2.0f, 3.0f, 4.0f}), 0.0).to_vector() == std::vector<double>{1.0, 0.0, 0.0, 4.0});
  CHECK(where(cond, 5.0, 6.0).to_vector() == std::vector<double>{5.0, 6.0, 6.0, 5.0});
  CHECK(masked_fill(tensor({1.0f, 2.0f, 3.0f, 4.0f}), cond, 0.0).to_vector() ==
        std::vector<double>{0.0, 2.0, 3.0, 0.0});
}

TEST_CASE("gradcheck passes for clamp_min, clamp_max, masked_fill and where away from the bounds") {
  const Tensor x = tensor({-1.2, -0.4, 0.6, 1.5, 0.9, -0.8}, Shape{2, 3}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor mask = tensor({1, 0, 0}, {.dtype = DType::i64});
  const Tensor cond = f64({0, 1}).reshape({2, 1});
  const std::vector<std::pair<std::string, Fn>> fns = {
      {"clamp_min", [](const TL& v) { return clamp_min(v[0], 0.1); }},
      {"clamp_max", [](const TL& v) { return clamp_max(v[0], 0.1); }},
      {"masked_fill", [mask](const TL& v) { return masked_fill(v[0], mask, 2.0); }},
      {"where_ts", [cond](const TL& v) { return where(cond, v[0], -3.0); }},
      {"where_st", [cond](const TL& v) { return where(cond, -3.0, v[0]); }},
  };
  std::uint64_t seed = 1;
  for (const auto& [name, f] : fns) {
    INFO("op ", name);
    CHECK(gradcheck(f, {x}));
    // double backward: the rule is recorded too, linear in the upstream gradient w
    CHECK(gradcheck(math_cases::vjp(f, 1, 0), {x, math_cases::uniform64(f({x}).shape(), -1.0, 1.0, seed++)}));
  }
}

TEST_CASE("grad_fn names are PyTorch's: ClampMinBackward0, ClampMaxBackward0, MaskedFillBackward0, WhereBackward0") {
  const Tensor m = f64({1.0, 0.0});
  CHECK(math_cases::grad_fn_name([](const TL& v) { return clamp_min(v[0], 0.0); }, {{1.0, -1.0}}) ==
        "ClampMinBackward0");
  CHECK(math_cases::grad_fn_name([](const TL& v) { return clamp_max(v[0], 0.0); }, {{1.0, -1.0}}) ==
        "ClampMaxBackward0");
  CHECK(math_cases::grad_fn_name([m](const TL& v) { return masked_fill(v[0], m, 0.0); }, {{1.0, -1.0}}) ==
        "MaskedFillBackward0");
  CHECK(math_cases::grad_fn_name([m](const TL& v) { return where(m, v[0], 0.0); }, {{1.0, -1.0}}) == "WhereBackward0");
  CHECK(math_cases::grad_fn_name([m](const TL& v) { return where(m, 0.0, v[0]); }, {{1.0, -1.0}}) == "WhereBackward0");
}

TEST_CASE("Tensor::clamp_min, clamp_max, masked_fill and where(condition, other) are the free functions") {
  Tensor x = leaf({-1.0, 0.5, 2.0});
  const Tensor m = f64({1.0, 0.0, 1.0});
  CHECK(x.clamp_min(0.0).to_vector() == clamp_min(x, 0.0).to_vector());
  CHECK(x.clamp_max(0.0).to_vector() == clamp_max(x, 0.0).to_vector());
  CHECK(x.masked_fill(m, 7.0).to_vector() == std::vector<double>{7.0, 0.5, 7.0});
  CHECK(x.where(m, 7.0).to_vector() == std::vector<double>{-1.0, 7.0, 2.0});  // torch.where(m, x, 7)
  CHECK(x.clamp_min(0.0).grad_fn()->name() == "ClampMinBackward0");
  CHECK(x.where(m, 7.0).grad_fn()->name() == "WhereBackward0");
}

TEST_CASE(
    "int64 values give DTypeError and shapes that do not broadcast give ShapeError, naming the op and the shapes") {
  const Tensor i = arange(0.0, 4.0, 1.0, {.dtype = DType::i64});
  const Tensor m = tensor({1, 0, 1, 0}, {.dtype = DType::i64});
  CHECK_THROWS_WITH_AS(clamp_min(i, 0.0), doctest::Contains("clamp_min:"), DTypeError);
  CHECK_THROWS_WITH_AS(clamp_max(i, 0.0), doctest::Contains("clamp_max:"), DTypeError);
  CHECK_THROWS_WITH_AS(masked_fill(i, m, 0.0), doctest::Contains("masked_fill:"), DTypeError);
  CHECK_THROWS_WITH_AS(where(m, i, 0.0), doctest::Contains("where:"), DTypeError);
  CHECK_THROWS_WITH_AS(where(m, 0.0, i), doctest::Contains("where:"), DTypeError);
  CHECK_THROWS_WITH_AS(masked_fill(zeros({3, 4}), zeros({5}), 0.0),
                       doctest::Contains("masked_fill: shapes [3, 4] and [5] cannot be broadcast"), ShapeError);
  CHECK_THROWS_WITH_AS(where(zeros({2}), zeros({3}), 0.0), doctest::Contains("where: shapes [2] and [3]"), ShapeError);
  CHECK_THROWS_WITH_AS(where(zeros({2}), 0.0, zeros({3})), doctest::Contains("where: shapes [2] and [3]"), ShapeError);
}

TEST_CASE("changing a saved mask or condition in place makes backward raise instead of routing the gradient wrongly") {
  Tensor x = leaf({1.0, 2.0});
  Tensor mask = f64({1.0, 0.0});
  Tensor y = masked_fill(x, mask, 0.0);
  mask.fill_(0.0);
  CHECK_THROWS_WITH_AS(y.sum().backward(), doctest::Contains("MaskedFillBackward0"), StateError);
  Tensor cond = f64({1.0, 0.0});
  Tensor z = where(cond, x, 0.0);
  cond.fill_(1.0);
  CHECK_THROWS_WITH_AS(z.sum().backward(), doctest::Contains("WhereBackward0"), StateError);
}

TEST_CASE("no masking op gives a silently wrong gradient after an in-place change of an input or its output") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5}, b = {0.9, 0.4, -0.2, 1.5};
  using inplace_sweep::Case;
  const std::vector<Case> cases = {
      {"clamp_min", [](auto& v) { return clamp_min(v[0], 0.2); }, {a}},
      {"clamp_max", [](auto& v) { return clamp_max(v[0], 0.2); }, {a}},
      {"masked_fill", [](auto& v) { return masked_fill(v[0], v[1] > 0.5, -1.0); }, {a, b}},
      {"where_ts", [](auto& v) { return where(v[1] > 0.5, v[0], 2.0); }, {a, b}},
      {"where_st", [](auto& v) { return where(v[1] > 0.5, 2.0, v[0]); }, {a, b}},
  };
  inplace_sweep::run(cases);
}
