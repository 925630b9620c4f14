// amax, amin and prod: values and gradients against PyTorch (fixtures/gen_reduce_extra.py),
// gradcheck, double backward, hand-worked ties and zeros, grad_fn names, errors, method forms and
// the in-place guard.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "gradgrad.hpp"
#include "inplace_sweep.hpp"

using namespace tapegrad;

namespace {

using Fn = std::function<Tensor(const Tensor&)>;
const char* kDtypes[] = {"f64", "f32"};

// runs each case on its float64 and float32 fixture: <name>.<f64|f32>
void check_cases(const std::vector<std::pair<std::string, Fn>>& cases) {
  const auto& fx = fixtures::load("reduce_extra");
  for (const auto& [name, fn] : cases)
    for (std::string dt : kDtypes)
      CHECK_CASE(fx, name + "." + dt, 1, [&fn](const std::vector<Tensor>& in) { return fn(in[0]); });
}

Tensor f64(const std::vector<double>& v, const Shape& s, bool grad = true) {
  return tensor(v, s, {.dtype = DType::f64, .requires_grad = grad});
}
Tensor randn64(const Shape& s, std::uint64_t seed) {
  manual_seed(seed);
  return randn(s, {.dtype = DType::f64, .requires_grad = true});
}

}  // namespace

TEST_CASE("amax and amin match torch over dims lists, all dims, keepdim, ties and NaN") {
  const std::vector<std::pair<std::string, Dims>> variants = {
      {"all", {}},         {"d1", {1}},    {"d02", {0, 2}}, {"dm1", {-1}},    {"dm3m1", {-3, -1}},
      {"d210", {2, 1, 0}}, {"ties1", {1}}, {"ties0", {0}},  {"tiesall", {}},  {"ties3d", {0, 2}},
      {"nan1", {1}},       {"nanall", {}}, {"scalar", {}},  {"scalar0", {0}}, {"vec", {0}}};
  std::vector<std::pair<std::string, Fn>> cases;
  for (std::string op : {"amax", "amin"})
    for (const auto& [tag, dims] : variants)
      for (bool keep : {false, true})
        cases.emplace_back(op + "." + tag + "." + (keep ? "keep" : "drop"),
                           [is_max = op == "amax", dims = dims, keep](const Tensor& x) {
                             return is_max ? amax(x, dims, keep) : amin(x, dims, keep);
                           });
  check_cases(cases);
}

TEST_CASE("prod matches torch over all elements and along a dim, with one zero and several zeros") {
  std::vector<std::pair<std::string, Fn>> cases;
  for (std::string tag : {"rand", "onezero", "twozeros", "scalar", "zeros", "vec"})
    cases.emplace_back("prod.all." + tag, [](const Tensor& x) { return prod(x); });
  const std::vector<std::pair<std::string, std::int64_t>> dims = {
      {"d0", 0}, {"d1", 1}, {"dm1", -1}, {"zeros1", 1}, {"zeros0", 0}, {"scalar", 0}, {"vec", -1}};
  for (const auto& [tag, dim] : dims)
    for (bool keep : {false, true})
      cases.emplace_back("prod." + tag + "." + (keep ? "keep" : "drop"),
                         [dim = dim, keep](const Tensor& x) { return prod(x, dim, keep); });
  check_cases(cases);
}

TEST_CASE("amax, amin and prod of int64 tensors give int64 values as torch") {
  const auto& fx = fixtures::load("reduce_extra");
  const std::vector<std::pair<std::string, Fn>> cases = {{"amax.d1", [](const Tensor& x) { return amax(x, {1}); }},
                                                         {"amin.all", [](const Tensor& x) { return amin(x); }},
                                                         {"prod.all", [](const Tensor& x) { return prod(x); }},
                                                         {"prod.d0", [](const Tensor& x) { return prod(x, 0); }}};
  for (const auto& [name, fn] : cases) {
    CAPTURE(name);
    const Tensor out = fn(fx[name + ".i64.in0"]);
    CHECK(out.dtype() == DType::i64);
    CHECK_CLOSE_T(out, fx[name + ".i64.out"]);
  }
}

TEST_CASE("amax splits the gradient evenly among ties, unlike max along a dim") {
  // row [1, 3, 3, 2]: the two 3s share; row [5, 5, 0, 5]: three 5s share
  const Tensor x = f64({1, 3, 3, 2, 5, 5, 0, 5}, {2, 4});
  amax(x, {1}).sum().backward();
  CHECK_CLOSE_T(x.grad(), f64({0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 0, 1.0 / 3}, {2, 4}, false));
  const Tensor y = f64({1, 3, 3, 2, 5, 5, 0, 5}, {2, 4});
  max(y, 1).values.sum().backward();
  CHECK_CLOSE_T(y.grad(), f64({0, 1, 0, 0, 1, 0, 0, 0}, {2, 4}, false));  // the first index only
  // amin over all dims: a single minimum takes the whole gradient
  const Tensor z = f64({2, 0, 2, 7}, {2, 2});
  amin(z).backward();
  CHECK_CLOSE_T(z.grad(), f64({0, 1, 0, 0}, {2, 2}, false));
}

TEST_CASE("prod's gradient with zeros, by hand") {
  // no zero: dx_i = product of the others
  Tensor x = f64({2, 3, 4}, {3});
  prod(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{12, 8, 6});
  // one zero: only the zero's position gets the product of the rest
  x = f64({2, 0, 4}, {3});
  prod(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 8, 0});
  // two zeros: everything is 0 (no nan from 0 / 0)
  x = f64({0, 3, 0}, {3});
  prod(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0, 0});
  // along a dim, each row on its own
  x = f64({2, 0, 4, 1, 2, 3}, {2, 3});
  prod(x, 1).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 8, 0, 6, 3, 2});
}

TEST_CASE("prod of an empty tensor is 1 and its gradient is empty") {
  const Tensor x = zeros({0, 3}, {.dtype = DType::f64, .requires_grad = true});
  Tensor p = prod(x);
  CHECK(p.item() == 1.0);
  p.backward();
  CHECK(x.grad().shape() == Shape{0, 3});
  CHECK(prod(x, 0).to_vector() == std::vector<double>{1, 1, 1});
  CHECK(prod(x, 1).shape() == Shape{0});
}

TEST_CASE("gradcheck: amax and amin (no ties) and prod (with and without zeros)") {
  for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(s);
    const Tensor x = randn64(s, 71 + s.size());  // a seed per shape: no tied values within x
    for (const Dims& dims : {Dims{}, Dims{0}, Dims{-1}}) {
      for (bool keep : {false, true}) {
        CHECK(gradcheck([&](const std::vector<Tensor>& in) { return amax(in[0], dims, keep); }, {x}));
        CHECK(gradcheck([&](const std::vector<Tensor>& in) { return amin(in[0], dims, keep); }, {x}));
      }
    }
    CHECK(gradcheck([](const std::vector<Tensor>& in) { return prod(in[0]); }, {x}));
    for (bool keep : {false, true})
      CHECK(gradcheck([keep](const std::vector<Tensor>& in) { return prod(in[0], -1, keep); }, {x}));
  }
  const Tensor x = randn64({2, 3, 4}, 72);
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return amax(in[0], {0, 2}); }, {x}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return amin(in[0], {2, -3}, true); }, {x}));
  // zeros: prod is a polynomial, so central differences across a zero are exact enough
  const Tensor z = f64({0, 1.5, -2, 0.5, 0, 0, 3, -1, 2, 0.7, 1.1, 0}, {3, 4});
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return prod(in[0]); }, {z}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return prod(in[0], 1); }, {z}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return prod(in[0], 0, true); }, {z}));
}

TEST_CASE("double backward through amax, amin and prod, also with zeros") {
  const Tensor x = randn64({3, 4}, 73);
  CHECK(gradgrad::check([](const Tensor& t) { return mul(amax(t, {1}), amax(t, {1})); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(amin(t), sum(t)); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return prod(t); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return prod(t, 1); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return prod(t, 0, true); }, x));
  // one zero in row 0, two in row 1, none in row 2: the second derivatives are exact too
  const Tensor z = f64({0, 1.5, -2, 0.5, 0, 0, 3, -1, 2, 0.7, 1.1, -0.4}, {3, 4});
  CHECK(gradgrad::check([](const Tensor& t) { return prod(t, 1); }, z));
  CHECK(gradgrad::check([](const Tensor& t) { return prod(t); }, z));
}

TEST_CASE("amax, amin and prod name their grad_fn as PyTorch") {
  const Tensor x = f64({1, 2, 3, 4}, {2, 2});
  CHECK(amax(x, {1}).grad_fn()->name() == "AmaxBackward0");
  CHECK(amax(x).grad_fn()->name() == "AmaxBackward0");
  CHECK(amin(x, {0}, true).grad_fn()->name() == "AminBackward0");
  CHECK(prod(x).grad_fn()->name() == "ProdBackward0");
  CHECK(prod(x, 1).grad_fn()->name() == "ProdBackward1");
  CHECK(std::string(prod(x).grad_fn()->rule()).find("product of the other") != std::string::npos);
}

TEST_CASE("amax, amin and prod have method forms") {
  const Tensor x = f64({1, 5, 3, 4, 2, 6}, {2, 3}, false);
  CHECK(x.amax({1}).to_vector() == std::vector<double>{5, 6});
  CHECK(x.amin().item() == 1);
  CHECK(x.amax({0}, true).shape() == Shape{1, 3});
  CHECK(x.prod().item() == 720);
  CHECK(x.prod(1).to_vector() == std::vector<double>{15, 48});
  CHECK(x.prod(0, true).shape() == Shape{1, 3});
}

TEST_CASE("amax, amin and prod reject bad dims and empty reductions, naming the op") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK_THROWS_WITH_AS(amax(x, {2}), doctest::Contains("amax"), ValueError);
  CHECK_THROWS_WITH_AS(amin(x, {-3}), doctest::Contains("amin"), ValueError);
  CHECK_THROWS_WITH_AS(amax(x, {1, -1}), doctest::Contains("more than once"), ValueError);
  CHECK_THROWS_WITH_AS(prod(x, 2), doctest::Contains("prod"), ValueError);
  const Tensor empty_x = zeros({0, 3}, {.dtype = DType::f64});
  CHECK_THROWS_WITH_AS(amax(empty_x), doctest::Contains("amax: cannot reduce dim 0 of extent 0"), IndexError);
  CHECK_THROWS_WITH_AS(amin(empty_x, {0}), doctest::Contains("amin"), IndexError);
  CHECK(amax(empty_x, {1}).shape() == Shape{0});  // reducing the non-empty dim is fine, as torch
}

TEST_CASE("amax, amin and prod give no silently wrong gradient after an in-place change") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5};
  inplace_sweep::run({
      {"amax", [](auto& v) { return amax(v[0], {1}); }, {a}},
      {"amin_all", [](auto& v) { return amin(v[0]); }, {a}},
      {"prod_all", [](auto& v) { return prod(v[0]); }, {a}},
      {"prod_dim", [](auto& v) { return prod(v[0], 0); }, {a}},
  });
}
