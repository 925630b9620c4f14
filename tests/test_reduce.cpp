// Reductions: values and gradients vs PyTorch (tests/fixtures/gen_reduce.py), gradcheck,
// double backward, hand-worked edge cases and errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {

using Fn = std::function<Tensor(const Tensor&)>;
using Cases = std::vector<std::pair<std::string, Fn>>;
const std::vector<std::string> kDtypes = {"f64", "f32"};
constexpr double kInf = INFINITY;

// runs every case of the table on its float64 and float32 fixture
void check_cases(const Cases& cases) {
  const auto& fx = fixtures::load("reduce");
  for (const auto& [name, fn] : cases)
    for (const auto& dt : kDtypes) {
      const std::string full = name + "." + dt;
      CHECK_CASE(fx, full, 1, [&fn](const std::vector<Tensor>& in) { return fn(in[0]); });
    }
}

std::string keep_tag(bool keep) { return keep ? "keep" : "drop"; }

Tensor f64(const std::vector<double>& v, const Shape& s, bool grad = true) {
  return tensor(v, s, {.dtype = DType::f64, .requires_grad = grad});
}
Tensor randn64(const Shape& s, std::uint64_t seed) {
  manual_seed(seed);
  return randn(s, {.dtype = DType::f64, .requires_grad = true});
}

// gradcheck of the gradient itself: x -> d(sum(fn(x) * w))/dx with create_graph
bool gradgradcheck(const Fn& fn, const Tensor& x) {
  return static_cast<bool>(gradcheck(
      [&fn](const std::vector<Tensor>& in) {
        EnableGradGuard enable;  // gradcheck's numerical pass runs under no-grad
        const Tensor out = fn(in[0]);
        const Tensor w = full_like(out, 0.7).detach();
        return grad({sum(mul(out, w))}, {in[0]}, {}, {.create_graph = true})[0];
      },
      {x}));
}

}  // namespace

TEST_CASE("sum and mean over dims (negative, several, all; keepdim) match torch's values and gradients") {
  const auto& fx = fixtures::load("sum_expand");
  const std::vector<std::pair<std::string, Dims>> dims = {{"d0", {0}},     {"d1", {1}},         {"dm1", {-1}},
                                                          {"d02", {0, 2}}, {"d012", {0, 1, 2}}, {"dm2m1", {-2, -1}}};
  int n = 0;
  for (const auto& dt : kDtypes) {
    CHECK_CASE(fx, "sum.all." + dt, 1, [](const std::vector<Tensor>& in) { return sum(in[0]); });
    CHECK_CASE(fx, "mean.all." + dt, 1, [](const std::vector<Tensor>& in) { return mean(in[0]); });
    CHECK_CASE(fx, "sum.zerod." + dt, 1, [](const std::vector<Tensor>& in) { return in[0].sum(); });
    CHECK_CASE(fx, "mean.zerod." + dt, 1, [](const std::vector<Tensor>& in) { return in[0].mean(); });
    CHECK_CASE(fx, "sum.ones.d1." + dt, 1, [](const std::vector<Tensor>& in) { return sum(in[0], {1}); });
    CHECK_CASE(fx, "mean.ones.d1." + dt, 1, [](const std::vector<Tensor>& in) { return mean(in[0], {1}); });
    for (const auto& [tag, d] : dims)
      for (bool keep : {false, true}) {
        const std::string suffix = "." + tag + (keep ? ".keep." : ".drop.") + dt;
        CHECK_CASE(fx, "sum" + suffix, 1, [&](const std::vector<Tensor>& in) { return sum(in[0], d, keep); });
        CHECK_CASE(fx, "mean" + suffix, 1, [&](const std::vector<Tensor>& in) { return mean(in[0], d, keep); });
        n += 2;
      }
  }
  CHECK(n == 48);
}

TEST_CASE("gradcheck: sum and mean over dims, and their grad_fn names as PyTorch's") {
  const Tensor x = randn({3, 4, 2}, {.dtype = DType::f64, .requires_grad = true});
  for (const Dims& d : {Dims{0}, Dims{-1}, Dims{0, 2}, Dims{}})
    for (bool keep : {false, true}) {
      CAPTURE(keep);
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return sum(v[0], d, keep) * 1.5; }, {x}));
      CHECK(gradcheck([&](const std::vector<Tensor>& v) { return mean(v[0], d, keep); }, {x}));
    }
  CHECK(sum(x).grad_fn()->name() == "SumBackward0");
  CHECK(sum(x, {1}).grad_fn()->name() == "SumBackward1");
  CHECK(mean(x).grad_fn()->name() == "MeanBackward0");
  CHECK(mean(x, {0, 1}).grad_fn()->name() == "MeanBackward1");
}

TEST_CASE("sum of int64 stays int64 (counting), mean of int64 is a DTypeError naming mean, as PyTorch") {
  const Tensor hits = tensor({1, 0, 1, 1}, {.dtype = DType::i64});
  CHECK(sum(hits).dtype() == DType::i64);
  CHECK(sum(hits).item() == 3.0);
  CHECK(sum(hits.reshape({2, 2}), {1}).to_vector() == std::vector<double>{1.0, 2.0});
  const Tensor logits = tensor({0.1, 0.9, 0.8, 0.2, 0.3, 0.7}, Shape{3, 2});
  const Tensor y = tensor({1, 0, 0}, {.dtype = DType::i64});
  CHECK(sum(argmax(logits, 1) == y).item() == 2.0);  // rows 0 and 1 right
  CHECK_THROWS_WITH_AS(mean(hits), doctest::Contains("mean: an int64 tensor"), DTypeError);
  try {
    mean(hits);
  } catch (const DTypeError& e) {
    CHECK(std::string(e.what()).find("sum_to") == std::string::npos);  // never an internal name
  }
}

TEST_CASE("max and min over all elements match torch, ties split the gradient") {
  Cases cases;
  for (std::string op : {"max", "min"}) {
    const bool is_max = op == "max";
    for (std::string tag : {"rand", "ties", "scalar", "const"})
      cases.emplace_back(op + "_all." + tag, [is_max](const Tensor& x) { return is_max ? max(x) : min(x); });
  }
  check_cases(cases);
}

TEST_CASE("max and min along a dim match torch values, first-tie indices and gradients") {
  const auto& fx = fixtures::load("reduce");
  const std::vector<std::pair<std::string, std::int64_t>> variants = {{"d0", 0},    {"d1", 1},    {"dm1", -1},
                                                                      {"ties1", 1}, {"ties0", 0}, {"scalar", 0}};
  Cases cases;
  for (std::string op : {"max", "min"}) {
    const bool is_max = op == "max";
    for (const auto& [tag, dim] : variants)
      for (bool keep : {false, true}) {
        const std::string name = op + "_dim." + tag + "." + keep_tag(keep);
        auto fn = [is_max, dim = dim, keep](const Tensor& x) { return is_max ? max(x, dim, keep) : min(x, dim, keep); };
        cases.emplace_back(name, [fn](const Tensor& x) { return fn(x).values; });
        for (const auto& dt : kDtypes) {
          const Tensor idx = fn(fx[name + "." + dt + ".in0"]).indices;
          CHECK(idx.dtype() == DType::i64);
          CHECK_CLOSE_T(idx, fx[name + "." + dt + ".idx"]);
        }
      }
  }
  check_cases(cases);
}

TEST_CASE("argmax and argmin match torch, flattened and along a dim") {
  const auto& fx = fixtures::load("reduce");
  int checked = 0;
  for (std::string op : {"argmax", "argmin"})
    for (std::string tag : {"rand", "ties", "scalar"})
      for (const auto& dt : kDtypes) {
        const std::string all = op + "." + tag + ".all." + dt;
        const Tensor x = fx[all + ".in0"];
        const Tensor got = op == "argmax" ? argmax(x) : argmin(x);
        CHECK(got.dtype() == DType::i64);
        CHECK_CLOSE_T(got, fx[all + ".out"]);
        for (std::int64_t dim : {0, 1, -1})
          for (bool keep : {false, true}) {
            const std::string name = op + "." + tag + ".d" + std::to_string(dim) + "." + keep_tag(keep) + "." + dt;
            if (!fx.has(name + ".out")) continue;
            const Tensor got_dim = op == "argmax" ? argmax(x, dim, keep) : argmin(x, dim, keep);
            CHECK_CLOSE_T(got_dim, fx[name + ".out"]);
            ++checked;
          }
      }
  CHECK(checked == 2 * (2 * 2 * 6 + 2 * 2));
}

TEST_CASE("var and std match torch over all elements and dims, unbiased and keepdim") {
  const std::vector<std::pair<std::string, Dims>> variants = {
      {"d1", {1}}, {"d02", {0, 2}}, {"dm1", {-1}}, {"d210", {2, 1, 0}}};
  Cases cases;
  for (std::string op : {"var", "std"}) {
    const bool is_var = op == "var";
    for (bool unb : {true, false}) {
      const std::string u = unb ? "unb" : "bia";
      cases.emplace_back(op + ".all." + u + ".drop",
                         [is_var, unb](const Tensor& x) { return is_var ? var(x, unb) : tapegrad::std(x, unb); });
      for (const auto& [tag, dims] : variants)
        for (bool keep : {false, true})
          cases.emplace_back(op + "." + tag + "." + u + "." + keep_tag(keep),
                             [is_var, unb, dims = dims, keep](const Tensor& x) {
                               return is_var ? var(x, dims, unb, keep) : tapegrad::std(x, dims, unb, keep);
                             });
    }
    // N - 1 = 0 gives nan; a constant row (std's gradient is 0 there); a 0-d input
    cases.emplace_back(op + ".n1.unb.drop",
                       [is_var](const Tensor& x) { return is_var ? var(x, {1}, true) : tapegrad::std(x, {1}, true); });
    cases.emplace_back(op + ".n1.bia.drop", [is_var](const Tensor& x) {
      return is_var ? var(x, {1}, false) : tapegrad::std(x, {1}, false);
    });
    cases.emplace_back(op + ".const.unb.drop",
                       [is_var](const Tensor& x) { return is_var ? var(x, {1}, true) : tapegrad::std(x, {1}, true); });
    cases.emplace_back(op + ".scalar.bia.drop",
                       [is_var](const Tensor& x) { return is_var ? var(x, false) : tapegrad::std(x, false); });
  }
  check_cases(cases);
}

TEST_CASE("logsumexp matches torch, stable for large values and -inf") {
  const std::vector<std::pair<std::string, Dims>> variants = {
      {"d1", {1}}, {"d02", {0, 2}}, {"dm1", {-1}}, {"d012", {0, 1, 2}}};
  Cases cases;
  for (const auto& [tag, dims] : variants)
    for (bool keep : {false, true})
      cases.emplace_back("logsumexp." + tag + "." + keep_tag(keep),
                         [dims = dims, keep](const Tensor& x) { return logsumexp(x, dims, keep); });
  cases.emplace_back("logsumexp.big.drop", [](const Tensor& x) { return logsumexp(x, {1}); });
  cases.emplace_back("logsumexp.neginf.drop", [](const Tensor& x) { return logsumexp(x, {1}); });
  cases.emplace_back("logsumexp.scalar.drop", [](const Tensor& x) { return logsumexp(x, {0}); });
  check_cases(cases);
}

TEST_CASE("norm matches torch.linalg.vector_norm for p in {1, 2, 3, inf, 0.5, 1.5}") {
  const std::vector<std::pair<std::string, double>> ps = {{"p1", 1.0},    {"p2", 2.0},  {"p3", 3.0},
                                                          {"pinf", kInf}, {"p05", 0.5}, {"p15", 1.5}};
  const std::vector<std::pair<std::string, Dims>> variants = {{"d1", {1}}, {"d02", {0, 2}}, {"dm1", {-1}}};
  Cases cases;
  for (const auto& [ptag, p] : ps) {
    cases.emplace_back("norm." + ptag + ".all.drop", [p = p](const Tensor& x) { return norm(x, p); });
    for (const auto& [tag, dims] : variants)
      for (bool keep : {false, true})
        cases.emplace_back("norm." + ptag + "." + tag + "." + keep_tag(keep),
                           [p = p, dims = dims, keep](const Tensor& x) { return norm(x, p, dims, keep); });
    // all zeros (gradient 0, not nan), tied |x| (p = inf splits), a zero row, a 0-d input
    cases.emplace_back("norm." + ptag + ".zeros.drop", [p = p](const Tensor& x) { return norm(x, p); });
    cases.emplace_back("norm." + ptag + ".ties.drop", [p = p](const Tensor& x) { return norm(x, p, {1}); });
    cases.emplace_back("norm." + ptag + ".zerorow.drop", [p = p](const Tensor& x) { return norm(x, p, {1}); });
    cases.emplace_back("norm." + ptag + ".scalar.drop", [p = p](const Tensor& x) { return norm(x, p); });
  }
  check_cases(cases);
}

TEST_CASE("norm's default p is 2") {
  const Tensor x = f64({3, -4}, {2});
  Tensor n = norm(x);
  CHECK(n.item() == fixtures::approx64(5.0));
  n.backward();
  // d|x|/dx = x / |x| = [0.6, -0.8]
  CHECK_CLOSE_T(x.grad(), f64({0.6, -0.8}, {2}, false));
}

TEST_CASE("gradcheck: max and min (no ties)") {
  for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(s);
    const Tensor x = randn64(s, 11);
    CHECK(gradcheck([](const std::vector<Tensor>& in) { return max(in[0]); }, {x}));
    CHECK(gradcheck([](const std::vector<Tensor>& in) { return min(in[0]); }, {x}));
    for (std::int64_t dim : {0, -1})
      for (bool keep : {false, true}) {
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return max(in[0], dim, keep).values; }, {x}));
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return min(in[0], dim, keep).values; }, {x}));
      }
  }
  // through a broadcast: max over dim 1 of x [3, 4] + y [4]
  const Tensor x = randn64({3, 4}, 12), y = randn64({4}, 13);
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return max(add(in[0], in[1]), 1).values; }, {x, y}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return min(add(in[0], in[1])); }, {x, y}));
}

TEST_CASE("gradcheck: var and std") {
  for (const Shape& s : {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(s);
    const Tensor x = randn64(s, 21);
    for (bool unb : {true, false}) {
      CHECK(gradcheck([=](const std::vector<Tensor>& in) { return var(in[0], unb); }, {x}));
      CHECK(gradcheck([=](const std::vector<Tensor>& in) { return tapegrad::std(in[0], unb); }, {x}));
      for (bool keep : {false, true}) {
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return var(in[0], {-1}, unb, keep); }, {x}));
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return tapegrad::std(in[0], {0}, unb, keep); }, {x}));
      }
    }
  }
  const Tensor x = randn64({2, 3, 4}, 22), y = randn64({3, 1}, 23);
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return var(mul(in[0], in[1]), {0, 2}); }, {x, y}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return tapegrad::std(mul(in[0], in[1]), {2, 0}); }, {x, y}));
  // 0-d biased: var is 0 everywhere, so the gradient is 0
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return var(in[0], false); }, {randn64({}, 24)}));
}

TEST_CASE("gradcheck: logsumexp") {
  for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(s);
    const Tensor x = randn64(s, 31);
    for (bool keep : {false, true}) {
      CHECK(gradcheck([=](const std::vector<Tensor>& in) { return logsumexp(in[0], {}, keep); }, {x}));
      CHECK(gradcheck([=](const std::vector<Tensor>& in) { return logsumexp(in[0], {-1}, keep); }, {x}));
    }
  }
  const Tensor x = randn64({2, 3, 4}, 32), y = randn64({4}, 33);
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return logsumexp(add(in[0], in[1]), {0, 2}); }, {x, y}));
}

TEST_CASE("gradcheck: norm for p in {1, 2, 3, inf, 0.5, 1.5}") {
  for (double p : {1.0, 2.0, 3.0, kInf, 0.5, 1.5})
    for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
      CAPTURE(p);
      CAPTURE(s);
      const Tensor x = randn64(s, 41);
      CHECK(gradcheck([=](const std::vector<Tensor>& in) { return norm(in[0], p); }, {x}));
      for (bool keep : {false, true})
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return norm(in[0], p, {-1}, keep); }, {x}));
    }
  const Tensor x = randn64({3, 4}, 42), y = randn64({3, 1}, 43);
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return norm(sub(in[0], in[1]), 3.0, {1}); }, {x, y}));
}

TEST_CASE("gradcheck: scatter_into_dim and gather_from_dim") {
  // index [2, 3] into dim 0 of [4, 3] (a repeated index adds up)
  const Tensor index = tensor({0, 3, 1, 3, 3, 0}, Shape{2, 3}, {.dtype = DType::i64});
  const Tensor src = randn64({2, 3}, 51), x = randn64({4, 3}, 52);
  CHECK(gradcheck(
      [&](const std::vector<Tensor>& in) {
        return detail::scatter_into_dim(in[0], index, 0, {4, 3});
      },
      {src}));
  CHECK(gradcheck([&](const std::vector<Tensor>& in) { return detail::gather_from_dim(in[0], index, 0); }, {x}));
  // by hand: out[index[j, i], i] += src[j, i]
  const Tensor ones_src = f64({1, 2, 3, 4, 5, 6}, {2, 3}, false);
  CHECK_CLOSE_T(detail::scatter_into_dim(ones_src, index, 0, {4, 3}),
                f64({1, 0, 6, 0, 0, 3, 0, 0, 0, 4, 7, 0}, {4, 3}, false));
  CHECK_CLOSE_T(detail::gather_from_dim(f64({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {4, 3}, false), index, 0),
                f64({0, 10, 5, 9, 10, 2}, {2, 3}, false));
}

TEST_CASE("double backward through max, min, norm, var, std and logsumexp") {
  const Tensor x = randn64({3, 4}, 61);
  CHECK(gradgradcheck([](const Tensor& t) { return mul(max(t, 1).values, max(t, 1).values); }, x));
  CHECK(gradgradcheck([](const Tensor& t) { return mul(min(t, 0, true).values, sum(t)); }, x));
  CHECK(gradgradcheck([](const Tensor& t) { return mul(max(t), max(t)); }, x));
  for (double p : {1.5, 2.0, 3.0, kInf}) {
    CAPTURE(p);
    CHECK(gradgradcheck([p](const Tensor& t) { return norm(t, p, {1}); }, x));
    CHECK(gradgradcheck([p](const Tensor& t) { return norm(t, p); }, x));
  }
  CHECK(gradgradcheck([](const Tensor& t) { return var(t, {1}); }, x));
  CHECK(gradgradcheck([](const Tensor& t) { return tapegrad::std(t, {0}, false); }, x));
  CHECK(gradgradcheck([](const Tensor& t) { return logsumexp(t, {1}); }, x));
}

TEST_CASE("an empty dims list reduces all dims; negative dims wrap") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3}, false);
  CHECK(logsumexp(x, {}).shape() == Shape{});
  CHECK(var(x, {}).item() == fixtures::approx64(3.5));  // mean 3.5, sum of squares 17.5, / 5
  CHECK(norm(x, 1.0, {}, true).shape() == Shape{1, 1});
  CHECK(norm(x, 1.0, {}, true).item() == 21.0);
  CHECK_CLOSE_T(var(x, {-1}, false), f64({2.0 / 3, 2.0 / 3}, {2}, false));
  // braced dims are dims, never the unbiased flag: rows [1 2 3], [4 5 6] each have variance 1
  CHECK_CLOSE_T(var(x, {1}), f64({1, 1}, {2}, false));
  CHECK_CLOSE_T(tapegrad::std(x, {1}), f64({1, 1}, {2}, false));
  CHECK_CLOSE_T(norm(x, kInf, {-2}), f64({4, 5, 6}, {3}, false));
  CHECK_CLOSE_T(max(x, -2).values, f64({4, 5, 6}, {3}, false));
  CHECK(argmax(x, -1).to_vector() == std::vector<double>{2, 2});
}

TEST_CASE("reducing a 0-d tensor") {
  const Tensor x = f64({-2.5}, {}, true);
  auto [v, i] = max(x, 0, true);
  CHECK(v.shape() == Shape{});
  CHECK(i.shape() == Shape{});
  CHECK(v.item() == -2.5);
  CHECK(i.item() == 0);
  CHECK(argmin(x).item() == 0);
  CHECK(argmax(x, -1).item() == 0);
  CHECK(min(x).item() == -2.5);
  CHECK(std::isnan(var(x).item()));  // N - 1 = 0
  CHECK(tapegrad::std(x, false).item() == 0.0);
  CHECK(logsumexp(x, {0}).item() == -2.5);
  CHECK(norm(x, 3.0).item() == fixtures::approx64(2.5));
  v.backward();
  CHECK(x.grad().item() == 1.0);
}

TEST_CASE("max and min propagate NaN and take its first index, as torch") {
  const Tensor x = f64({1, NAN, 3, NAN}, {4});
  Tensor m = max(x);
  CHECK(std::isnan(m.item()));
  CHECK(std::isnan(min(x).item()));
  CHECK(max(x, 0).indices.item() == 1);
  CHECK(argmax(x).item() == 1);
  CHECK(argmin(x).item() == 1);
  m.backward();
  // the gradient is split between the two NaNs
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0.5, 0, 0.5});
}

TEST_CASE("max, min, argmax and argmin accept int64 tensors") {
  const Tensor x = tensor({3, 7, 7, -1, 0, 2}, Shape{2, 3}, {.dtype = DType::i64});
  CHECK(max(x).item() == 7);
  CHECK(min(x).item() == -1);
  CHECK(max(x, 1).values.to_vector() == std::vector<double>{7, 2});
  CHECK(max(x, 1).indices.to_vector() == std::vector<double>{1, 2});
  CHECK(argmax(x).item() == 1);
  CHECK(argmin(x, 0).to_vector() == std::vector<double>{1, 1, 1});
}

TEST_CASE("logsumexp of all -inf is -inf and of +inf is +inf") {
  const Tensor x = f64({-kInf, -kInf, 1, kInf}, {2, 2}, false);
  const Tensor out = logsumexp(x, {1});
  CHECK(out.to_vector()[0] == -kInf);
  CHECK(out.to_vector()[1] == kInf);
}

TEST_CASE("reduction errors name the op") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor ints = tensor({1, 2, 3}, Shape{3}, {.dtype = DType::i64});
  const Tensor empty_x = zeros({0, 3}, {.dtype = DType::f64});
  SUBCASE("bad dim") {
    CHECK_THROWS_WITH_AS(max(x, 2), doctest::Contains("max"), ValueError);
    CHECK_THROWS_WITH_AS(min(x, -3), doctest::Contains("min"), ValueError);
    CHECK_THROWS_WITH_AS(argmax(x, 5), doctest::Contains("argmax"), ValueError);
    CHECK_THROWS_WITH_AS(argmin(x, -3, true), doctest::Contains("argmin"), ValueError);
    CHECK_THROWS_WITH_AS(var(x, {2}), doctest::Contains("var"), ValueError);
    CHECK_THROWS_WITH_AS(tapegrad::std(x, {-3}), doctest::Contains("std"), ValueError);
    CHECK_THROWS_WITH_AS(logsumexp(x, {3}), doctest::Contains("logsumexp"), ValueError);
    CHECK_THROWS_WITH_AS(norm(x, 2.0, {2}), doctest::Contains("norm"), ValueError);
  }
  SUBCASE("repeated dim") {
    CHECK_THROWS_WITH_AS(var(x, {1, -1}), doctest::Contains("var"), ValueError);
    CHECK_THROWS_WITH_AS(tapegrad::std(x, {0, 0}), doctest::Contains("std"), ValueError);
    CHECK_THROWS_WITH_AS(logsumexp(x, {0, 1, 0}), doctest::Contains("logsumexp"), ValueError);
    CHECK_THROWS_WITH_AS(norm(x, 1.0, {-2, 0}), doctest::Contains("norm"), ValueError);
  }
  SUBCASE("int64 input to float-only reductions") {
    CHECK_THROWS_WITH_AS(var(ints), doctest::Contains("var"), DTypeError);
    CHECK_THROWS_WITH_AS(var(ints, {0}), doctest::Contains("var"), DTypeError);
    CHECK_THROWS_WITH_AS(tapegrad::std(ints), doctest::Contains("std"), DTypeError);
    CHECK_THROWS_WITH_AS(logsumexp(ints, {0}), doctest::Contains("logsumexp"), DTypeError);
    CHECK_THROWS_WITH_AS(norm(ints), doctest::Contains("norm"), DTypeError);
  }
  SUBCASE("p <= 0 or nan for norm") {
    CHECK_THROWS_WITH_AS(norm(x, 0.0), doctest::Contains("norm"), ValueError);
    CHECK_THROWS_WITH_AS(norm(x, -1.0), doctest::Contains("norm"), ValueError);
    CHECK_THROWS_WITH_AS(norm(x, -kInf), doctest::Contains("norm"), ValueError);
    CHECK_THROWS_WITH_AS(norm(x, NAN), doctest::Contains("norm"), ValueError);
  }
  SUBCASE("extremes of an empty tensor or dim") {
    CHECK_THROWS_WITH_AS(max(empty_x), doctest::Contains("max"), ValueError);
    CHECK_THROWS_WITH_AS(min(empty_x, 0), doctest::Contains("min"), ValueError);
    CHECK_THROWS_WITH_AS(argmax(empty_x), doctest::Contains("argmax"), ValueError);
    CHECK_THROWS_WITH_AS(argmin(empty_x, 0), doctest::Contains("argmin"), ValueError);
    CHECK_THROWS_WITH_AS(norm(empty_x, kInf, {0}), doctest::Contains("norm"), ValueError);
    CHECK(max(empty_x, 1).values.shape() == Shape{0});  // reducing a non-empty dim is fine
  }
  SUBCASE("scatter and gather indices out of range") {
    const Tensor bad = tensor({0, 4, 1}, Shape{1, 3}, {.dtype = DType::i64});
    CHECK_THROWS_WITH_AS(detail::gather_from_dim(x.detach(), bad, 0), doctest::Contains("gather_from_dim"), IndexError);
    CHECK_THROWS_WITH_AS(detail::scatter_into_dim(f64({1, 2, 3}, {1, 3}), bad, 0, {2, 3}),
                         doctest::Contains("scatter_into_dim"), IndexError);
  }
}
