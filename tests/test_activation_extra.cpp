// More activation functions (autograd/ops/activation_extra.hpp): values and gradients against
// PyTorch (fixtures/activation_extra.txt) at the breakpoints, for huge, tiny and non-finite
// inputs; gradcheck, double backward, grad_fn names, bad input and the in-place guard.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "inplace_sweep.hpp"

using namespace tapegrad;
using UnaryFn = std::function<Tensor(const Tensor&)>;

namespace {

const char* kTags[] = {"f64", "f32"};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;  // torch.nn.SELU's constants
constexpr double kSeluScale = 1.0507009873554804934193349852946;

// Every elementwise op as the fixtures name it, with the options each fixture used.
const std::vector<std::pair<std::string, UnaryFn>>& ops() {
  static const std::vector<std::pair<std::string, UnaryFn>> table = {
      {"hardtanh", [](const Tensor& x) { return hardtanh(x); }},
      {"hardtanh_-2_3", [](const Tensor& x) { return hardtanh(x, -2.0, 3.0); }},
      {"hardtanh_-0.5_0.25", [](const Tensor& x) { return hardtanh(x, -0.5, 0.25); }},
      {"relu6", [](const Tensor& x) { return relu6(x); }},
      {"hardsigmoid", [](const Tensor& x) { return hardsigmoid(x); }},
      {"hardswish", [](const Tensor& x) { return hardswish(x); }},
      {"selu", [](const Tensor& x) { return selu(x); }},
      {"celu", [](const Tensor& x) { return celu(x); }},
      {"celu_0.5", [](const Tensor& x) { return celu(x, 0.5); }},
      {"celu_2", [](const Tensor& x) { return celu(x, 2.0); }},
      {"celu_-1.5", [](const Tensor& x) { return celu(x, -1.5); }},
      {"mish", [](const Tensor& x) { return mish(x); }},
      {"logsigmoid", [](const Tensor& x) { return logsigmoid(x); }},
      {"softsign", [](const Tensor& x) { return softsign(x); }},
      {"tanhshrink", [](const Tensor& x) { return tanhshrink(x); }},
  };
  return table;
}

// The ops that are smooth everywhere (the others have breakpoints).
bool smooth(const std::string& op) {
  return op == "mish" || op == "logsigmoid" || op == "softsign" || op == "tanhshrink";
}

const fixtures::Family& fx() { return fixtures::load("activation_extra"); }

// Fixture case `name`: fn(in0) must equal PyTorch's out, and backward(gout) its grad0.
void check_case(const std::string& name, const UnaryFn& fn) {
  CHECK_CASE(fx(), name, 1, [&fn](const std::vector<Tensor>& v) { return fn(v[0]); });
}

const UnaryFn& op_fn(const std::string& name) {
  for (const auto& [op, fn] : ops())
    if (op == name) return fn;
  throw std::runtime_error("no op " + name);
}

// Where either is ±inf or NaN, actual must be exactly expected (NaN matching NaN).
void check_nonfinite_exact(const Tensor& actual, const Tensor& expected) {
  const auto a = actual.to_vector(), e = expected.to_vector();
  REQUIRE(a.size() == e.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isfinite(a[i]) && std::isfinite(e[i])) continue;
    INFO("element ", i, ": ", a[i], " vs expected ", e[i]);
    CHECK(((std::isnan(a[i]) && std::isnan(e[i])) || a[i] == e[i]));
  }
}

// d/dx sum(f(x)) at each value, in float64, by autograd
std::vector<double> grads_at(const UnaryFn& f, const std::vector<double>& values) {
  Tensor x = tensor(values, {.dtype = DType::f64, .requires_grad = true});
  f(x).sum().backward();
  return x.grad().to_vector();
}

Tensor randn64(const Shape& shape, std::uint64_t seed) {
  Generator gen(seed);
  return randn(shape, {.dtype = DType::f64, .requires_grad = true}, &gen);
}

// x -> d/dx <w, f(x)> with create_graph, so gradcheck of it checks the second derivatives
GradcheckFn first_derivative(UnaryFn f, Tensor w) {
  return [f = std::move(f), w = std::move(w)](const std::vector<Tensor>& v) {
    EnableGradGuard enable;
    const Tensor y = f(v[0]);
    return grad({y}, {v[0]}, {w}, {.create_graph = true})[0];
  };
}

// 2.5 * randn, with every value at least 0.01 from each breakpoint of the ops above
// (gradcheck's central differences step 1e-6 either side)
Tensor away_from_kinks(const Shape& shape, std::uint64_t seed) {
  const double kinks[] = {-3.0, -2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 3.0, 6.0};
  std::vector<double> v = (randn64(shape, seed) * 2.5).to_vector();
  for (double& e : v)
    for (double k : kinks)
      if (std::abs(e - k) < 0.01) e = k + 0.05;
  return tensor(v, shape, {.dtype = DType::f64, .requires_grad = true});
}

const std::vector<Shape> kShapes = {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 3, 4}};

}  // namespace

TEST_CASE("each new activation matches PyTorch in float64 and float32 on 0-d to 3-d inputs, with every option") {
  for (const auto& [op, fn] : ops())
    for (std::string tag : kTags)
      for (const char* shape : {"0d", "1d", "2d", "3d", "long"})
        check_case(fmt::format("{}.{}.{}", op, shape, tag), fn);
}

TEST_CASE("hardtanh's gradient is 0 at its bounds, unlike clamp's, which passes there") {
  for (std::string tag : kTags)
    for (const char* op : {"hardtanh", "hardtanh_-2_3", "hardtanh_-0.5_0.25"})
      check_case(fmt::format("{}.kink.{}", op, tag), op_fn(op));
  // by hand: at the bounds -1 and 1, and just inside them
  const std::vector<double> at = {-1.0, -0.999, 0.999, 1.0};
  CHECK(grads_at([](const Tensor& x) { return hardtanh(x); }, at) == std::vector<double>{0, 1, 1, 0});
  CHECK(grads_at([](const Tensor& x) { return clamp(x, -1.0, 1.0); }, at) == std::vector<double>{1, 1, 1, 1});
  CHECK(grads_at([](const Tensor& x) { return hardtanh(x, -2.0, 3.0); }, {-2.0, 3.0, 2.5}) ==
        std::vector<double>{0, 0, 1});
}

TEST_CASE("relu6, hardsigmoid and hardswish at their breakpoints -3, 0, 3 and 6 give PyTorch's gradients") {
  for (std::string tag : kTags)
    for (const char* op : {"relu6", "hardsigmoid", "hardswish"})
      check_case(fmt::format("{}.kink.{}", op, tag), op_fn(op));
  // by hand, PyTorch's rules: relu6' = [0 < x < 6]; hardsigmoid' = [-3 < x < 3] / 6, with 1/6
  // rounded to float32 as PyTorch does; hardswish' = x/3 + 1/2 on [-3, 3] (-1/2 at -3, 3/2 at 3)
  CHECK(grads_at([](const Tensor& x) { return relu6(x); }, {0.0, 3.0, 6.0}) == std::vector<double>{0, 1, 0});
  const double sixth = static_cast<double>(1.0f / 6.0f);
  CHECK(grads_at([](const Tensor& x) { return hardsigmoid(x); }, {-3.0, 0.0, 3.0}) == std::vector<double>{0, sixth, 0});
  CHECK(grads_at([](const Tensor& x) { return hardswish(x); }, {-3.0, 0.0, 3.0, 6.0}) ==
        std::vector<double>{-0.5, 0.5, 1.5, 1.0});
  // values: relu6(6.5) = 6, hardsigmoid(±3) = 1, 0; hardswish(-3) = 0, hardswish(3) = 3
  const Tensor x = tensor({-3.0, 3.0, 6.5}, {.dtype = DType::f64});
  CHECK(relu6(x).to_vector() == std::vector<double>{0, 3, 6});
  CHECK(hardsigmoid(x).to_vector() == std::vector<double>{0, 1, 1});
  CHECK(hardswish(x).to_vector() == std::vector<double>{0, 3, 6.5});
}

TEST_CASE("selu and celu at 0 follow PyTorch: selu'(0) = scale * alpha, celu'(0) = 1; the smooth ones match at 0") {
  for (std::string tag : kTags)
    for (const char* op :
         {"selu", "celu", "celu_0.5", "celu_2", "celu_-1.5", "mish", "logsigmoid", "softsign", "tanhshrink"})
      check_case(fmt::format("{}.kink.{}", op, tag), op_fn(op));
  CHECK(grads_at([](const Tensor& x) { return selu(x); }, {0.0, 1.0}) ==
        std::vector<double>{kSeluScale * kSeluAlpha, kSeluScale});
  CHECK(grads_at([](const Tensor& x) { return celu(x, 0.5); }, {0.0}) == std::vector<double>{1.0});
  CHECK(grads_at([](const Tensor& x) { return softsign(x); }, {0.0}) == std::vector<double>{1.0});
}

TEST_CASE("logsigmoid and mish do not overflow: finite values and gradients for x = ±1000 and ±1e4") {
  for (std::string tag : kTags)
    for (const auto& [op, fn] : ops()) {
      check_case(fmt::format("{}.huge.{}", op, tag), fn);
      check_case(fmt::format("{}.tiny.{}", op, tag), fn);
    }
  // by hand: logsigmoid(-1000) = -1000 - log1p(e^-1000) = -1000, logsigmoid(1000) = -log1p(e^-1000)
  // = 0; mish(1000) = 1000 tanh(1000) = 1000, mish(-1000) = -1000 tanh(~e^-1000) = -0
  for (DType dt : {DType::f64, DType::f32}) {
    INFO("dtype ", dtype_name(dt));
    Tensor x = tensor({-1000.0, 1000.0}, {.dtype = dt, .requires_grad = true});
    const Tensor ls = logsigmoid(x);
    CHECK(ls.to_vector() == std::vector<double>{-1000.0, 0.0});
    ls.sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{1.0, 0.0});  // sigmoid(-x)
    x.set_grad(Tensor());
    const Tensor m = mish(x);
    CHECK(m.to_vector() == std::vector<double>{0.0, 1000.0});
    m.sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{0.0, 1.0});
  }
}

TEST_CASE("NaN inputs give NaN; ±inf give PyTorch's limits; gradients there follow PyTorch's rule") {
  for (std::string tag : kTags)
    for (const auto& [op, fn] : ops()) {
      const std::string name = fmt::format("{}.nonfinite.{}", op, tag);
      check_case(name, fn);
      // non-finite values and gradients exactly (NaN matching NaN)
      INFO(name);
      Tensor x = fx()[name + ".in0"].clone();
      x.requires_grad_(true);
      const Tensor y = fn(x);
      check_nonfinite_exact(y, fx()[name + ".out"]);
      y.backward(fx()[name + ".gout"]);
      check_nonfinite_exact(x.grad(), fx()[name + ".grad0"]);
    }
  // by hand, the gradient of sum(f(x)) at x = NaN: hardtanh, hardswish, selu and celu take the
  // "inside" branch (g, g, g * scale, g), hardsigmoid 0, the smooth ones NaN; it does not depend
  // on where the NaN sits in a long tensor (PyTorch's vectorised CPU loop differs there)
  const std::vector<std::pair<const char*, double>> at_nan = {
      {"hardtanh", 1.0},    {"relu6", 1.0}, {"hardswish", 1.0},   {"selu", kSeluScale}, {"celu", 1.0},
      {"hardsigmoid", 0.0}, {"mish", kNaN}, {"logsigmoid", kNaN}, {"softsign", kNaN},   {"tanhshrink", kNaN}};
  for (const auto& [op, expected] : at_nan) {
    INFO(op);
    const UnaryFn& fn = op_fn(op);
    std::vector<double> v(67, 0.5);
    v.front() = v.back() = kNaN;
    const auto g = grads_at(fn, v);
    for (double gi : {g.front(), g.back()}) CHECK((std::isnan(expected) ? std::isnan(gi) : gi == expected));
    Tensor nan_in = tensor({kNaN}, {.dtype = DType::f32});
    CHECK(std::isnan(fn(nan_in).item()));
  }
}

TEST_CASE("softmin matches PyTorch along every dim, negative dims, 0-d, ties and logits of ±1000") {
  const std::vector<std::pair<const char*, std::int64_t>> cases = {
      {"2d.dim0", 0}, {"2d.dim1", 1},   {"2d.dim-1", -1},   {"2d.dim-2", -2},      {"3d.dim0", 0},
      {"3d.dim1", 1}, {"3d.dim2", 2},   {"3d.dim-1", -1},   {"3d.dim-3", -3},      {"1d.dim0", 0},
      {"0d.dim0", 0}, {"0d.dim-1", -1}, {"ties.dim-1", -1}, {"extreme.dim-1", -1}, {"extreme.dim0", 0}};
  for (std::string tag : kTags)
    for (const auto& [c, d] : cases) {
      const std::int64_t dim = d;
      check_case(fmt::format("softmin.{}.{}", c, tag), [dim](const Tensor& x) { return softmin(x, dim); });
    }
  // by hand: ties share equally; softmin([1000, -1000]) = [0, 1] without overflow
  CHECK(softmin(tensor({2.0, 2.0, 2.0, 2.0}, {.dtype = DType::f64}), 0).to_vector() ==
        std::vector<double>{0.25, 0.25, 0.25, 0.25});
  CHECK(softmin(tensor({1000.0, -1000.0}, {.dtype = DType::f64}), 0).to_vector() == std::vector<double>{0.0, 1.0});
}

TEST_CASE("grad_fn names are PyTorch's") {
  const Tensor x = tensor({-0.5, 0.5}, {.dtype = DType::f64, .requires_grad = true});
  const std::vector<std::pair<Tensor, const char*>> expected = {{hardtanh(x), "HardtanhBackward0"},
                                                                {relu6(x), "HardtanhBackward0"},
                                                                {hardsigmoid(x), "HardsigmoidBackward0"},
                                                                {hardswish(x), "HardswishBackward0"},
                                                                {selu(x), "EluBackward0"},
                                                                {celu(x), "CeluBackward0"},
                                                                {mish(x), "MishBackward0"},
                                                                {logsigmoid(x), "LogSigmoidBackward0"},
                                                                {softsign(x), "DivBackward0"},
                                                                {tanhshrink(x), "SubBackward0"},
                                                                {softmin(x, 0), "SoftmaxBackward0"}};
  for (const auto& [y, name] : expected) {
    REQUIRE(y.grad_fn());
    CHECK(y.grad_fn()->name() == name);
    CHECK(std::string(y.grad_fn()->rule()).size() > 0);
  }
  // without grad, nothing is recorded
  CHECK_FALSE(hardswish(x.detach()).grad_fn());
}

TEST_CASE("gradcheck: every new activation on 0-d, 1-D, 2-D and 3-D inputs away from its breakpoints") {
  std::uint64_t seed = 1;
  for (const auto& [op, fn] : ops())
    for (const Shape& shape : kShapes) {
      INFO("op ", op, " shape ", shape);
      CHECK(gradcheck([fn = fn](const std::vector<Tensor>& v) { return fn(v[0]); }, {away_from_kinks(shape, seed++)}));
    }
  for (const Shape& shape : kShapes)
    for (std::int64_t d = -std::max<std::int64_t>(shape.size(), 1); d < std::max<std::int64_t>(shape.size(), 1); ++d) {
      INFO("softmin shape ", shape, " dim ", d);
      CHECK(gradcheck([d](const std::vector<Tensor>& v) { return softmin(v[0], d); }, {randn64(shape, seed++)}));
    }
}

TEST_CASE("double backward: the backward rules are themselves differentiable") {
  std::uint64_t seed = 200;
  std::vector<std::pair<std::string, UnaryFn>> all = ops();
  all.emplace_back("softmin0", [](const Tensor& x) { return softmin(x, 0); });
  all.emplace_back("softmin-1", [](const Tensor& x) { return softmin(x, -1); });
  for (const auto& [op, fn] : all)
    for (const Shape& shape : {Shape{}, Shape{2, 3}}) {
      INFO("op ", op, " shape ", shape);
      const Tensor w = randn64(shape, seed++).detach();
      CHECK(gradcheck(first_derivative(fn, w), {away_from_kinks(shape, seed++)}));
    }
  // second derivatives at |x| = 1000 stay finite (no inf * 0 from an overflowed unused branch)
  for (const auto& [op, fn] : ops()) {
    if (!smooth(op) && op != "selu" && op != "celu" && op != "celu_0.5" && op != "celu_2") continue;
    INFO("op ", op);
    Tensor x = tensor({-1000.0, 1000.0}, {.dtype = DType::f64, .requires_grad = true});
    const Tensor d1 = grad({fn(x).sum()}, {x}, {}, {.create_graph = true})[0];
    const Tensor d2 = grad({d1.sum()}, {x})[0];
    for (double v : d2.to_vector()) CHECK(std::isfinite(v));
  }
}

TEST_CASE("bad options raise ValueError naming the op and the values") {
  const Tensor x = zeros({3});
  CHECK_THROWS_WITH_AS(hardtanh(x, 2.0, 1.0), doctest::Contains("hardtanh: min_val cannot be greater than max_val"),
                       ValueError);
  CHECK_THROWS_WITH_AS(hardtanh(x, 2.0, 1.0), doctest::Contains("min_val=2 and max_val=1"), ValueError);
  // min_val == max_val is allowed (as torch.nn.functional.hardtanh): constant, gradient 0
  Tensor y = tensor({0.5, 1.0, 1.5}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor h = hardtanh(y, 1.0, 1.0);
  CHECK(h.to_vector() == std::vector<double>{1.0, 1.0, 1.0});
  h.sum().backward();
  CHECK(y.grad().to_vector() == std::vector<double>{0.0, 0.0, 0.0});
  CHECK_THROWS_WITH_AS(celu(x, 0.0), doctest::Contains("celu: alpha cannot be 0"), ValueError);
  CHECK_THROWS_WITH_AS(softmin(zeros({2, 3}), 2), doctest::Contains("softmin"), ValueError);
  CHECK_THROWS_WITH_AS(softmin(zeros({2, 3}), -3), doctest::Contains("softmin"), ValueError);
  CHECK_THROWS_WITH_AS(softmin(scalar_tensor(1.0), 1), doctest::Contains("softmin"), ValueError);
}

TEST_CASE("the new activations of an int64 tensor throw DTypeError naming the op") {
  const Tensor i = arange(0.0, 4.0, 1.0, {.dtype = DType::i64});
  const std::vector<std::pair<const char*, UnaryFn>> cases = {
      {"hardtanh", [](const Tensor& x) { return hardtanh(x); }},
      {"relu6", [](const Tensor& x) { return relu6(x); }},
      {"hardsigmoid", [](const Tensor& x) { return hardsigmoid(x); }},
      {"hardswish", [](const Tensor& x) { return hardswish(x); }},
      {"selu", [](const Tensor& x) { return selu(x); }},
      {"celu", [](const Tensor& x) { return celu(x); }},
      {"mish", [](const Tensor& x) { return mish(x); }},
      {"logsigmoid", [](const Tensor& x) { return logsigmoid(x); }},
      {"softsign", [](const Tensor& x) { return softsign(x); }},
      {"tanhshrink", [](const Tensor& x) { return tanhshrink(x); }},
      {"softmin", [](const Tensor& x) { return softmin(x, 0); }},
  };
  for (const auto& [op, fn] : cases) {
    INFO(op);
    const std::string message = std::string(op) + ": expected a float32 or float64 tensor";
    CHECK_THROWS_WITH_AS(fn(i), doctest::Contains(message.c_str()), DTypeError);
  }
}

TEST_CASE("no new activation gives a silently wrong gradient after an in-place change") {
  // the sweep flips x -> 0.25 - x, which changes every case's gradient (so a rule that kept
  // the old values unchecked would fail): a crosses hardtanh's bounds and relu6's 0, b crosses
  // -3 and 3 (hardsigmoid, hardswish), c crosses -2 (hardtanh(-2, 3))
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5}, b = {3.1, -2.9, 0.1, 4.0}, c = {2.5, -2.9, 0.1, 4.0};
  using inplace_sweep::Case;
  const std::vector<Case> cases = {
      {"hardtanh", [](auto& v) { return hardtanh(v[0]); }, {a}},
      {"hardtanh_-2_3", [](auto& v) { return hardtanh(v[0], -2.0, 3.0); }, {c}},
      {"relu6", [](auto& v) { return relu6(v[0]); }, {a}},
      {"hardsigmoid", [](auto& v) { return hardsigmoid(v[0]); }, {b}},
      {"hardswish", [](auto& v) { return hardswish(v[0]); }, {b}},
      {"selu", [](auto& v) { return selu(v[0]); }, {a}},
      {"celu", [](auto& v) { return celu(v[0], 0.5); }, {a}},
      {"mish", [](auto& v) { return mish(v[0]); }, {a}},
      {"logsigmoid", [](auto& v) { return logsigmoid(v[0]); }, {a}},
      {"softsign", [](auto& v) { return softsign(v[0]); }, {a}},
      {"tanhshrink", [](auto& v) { return tanhshrink(v[0]); }, {a}},
      {"softmin", [](auto& v) { return softmin(v[0], 1); }, {a}},
  };
  inplace_sweep::run(cases);
}
