// cumsum and cumprod: values and gradients against PyTorch (fixtures/gen_reduce_extra.py),
// gradcheck and double backward (also with zeros), the linear recurrence behind cumprod's rule,
// hand-worked zeros, grad_fn names, errors, method forms and the in-place guard.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "gradgrad.hpp"
#include "inplace_sweep.hpp"

using namespace tapegrad;

namespace {

Tensor f64(const std::vector<double>& v, const Shape& s, bool grad = true) {
  return tensor(v, s, {.dtype = DType::f64, .requires_grad = grad});
}
Tensor randn64(const Shape& s, std::uint64_t seed) {
  manual_seed(seed);
  return randn(s, {.dtype = DType::f64, .requires_grad = true});
}

}  // namespace

TEST_CASE("cumsum and cumprod match torch along every dim, with zeros, on 0-d and 1-d inputs") {
  const auto& fx = fixtures::load("reduce_extra");
  const std::vector<std::pair<std::string, std::int64_t>> variants = {
      {"d0", 0}, {"d1", 1}, {"dm1", -1}, {"zeros1", 1}, {"zeros0", 0}, {"scalar", 0}, {"scalarm1", -1}, {"vec", 0}};
  for (std::string op : {"cumsum", "cumprod"})
    for (const auto& [tag, dim] : variants)
      for (std::string dt : {"f64", "f32"}) {
        const auto fn = [is_sum = op == "cumsum", dim = dim](const std::vector<Tensor>& in) {
          return is_sum ? cumsum(in[0], dim) : cumprod(in[0], dim);
        };
        CHECK_CASE(fx, op + "." + tag + "." + dt, 1, fn);
      }
}

TEST_CASE("cumsum and cumprod of int64 tensors give int64 values as torch") {
  const auto& fx = fixtures::load("reduce_extra");
  const Tensor s = cumsum(fx["cumsum.d1.i64.in0"], 1), p = cumprod(fx["cumprod.d0.i64.in0"], 0);
  CHECK(s.dtype() == DType::i64);
  CHECK(p.dtype() == DType::i64);
  CHECK_CLOSE_T(s, fx["cumsum.d1.i64.out"]);
  CHECK_CLOSE_T(p, fx["cumprod.d0.i64.out"]);
}

TEST_CASE("cumprod's gradient with zeros, by hand") {
  // x = [2, 0, 4]: y = [2, 0, 0]; dx_0 = 1 + 0 + 0, dx_1 = y_0 (1 + x_2) = 10, dx_2 = y_1 = 0
  Tensor x = f64({2, 0, 4}, {3});
  cumprod(x, 0).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{1, 10, 0});
  // two zeros: only the first zero's position (and those before it) get a gradient
  x = f64({0, 3, 0}, {3});
  cumprod(x, 0).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{4, 0, 0});
  // no zero: dx_i = sum_{k>=i} y_k / x_i
  x = f64({2, 3, 4}, {3});
  cumprod(x, 0).sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{16, 10, 6});
}

TEST_CASE("cumsum's gradient is the reversed cumsum of g, by hand") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  cumsum(x, 1).backward(f64({1, 10, 100, 2, 20, 200}, {2, 3}, false));
  CHECK(x.grad().to_vector() == std::vector<double>{111, 110, 100, 222, 220, 200});
}

TEST_CASE("gradcheck: cumsum, cumprod (also with zeros) and linear_scan") {
  for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(s);
    const Tensor x = randn64(s, 81 + s.size());
    for (std::int64_t dim : {0, -1}) {
      CHECK(gradcheck([dim](const std::vector<Tensor>& in) { return cumsum(in[0], dim); }, {x}));
      CHECK(gradcheck([dim](const std::vector<Tensor>& in) { return cumprod(in[0], dim); }, {x}));
    }
  }
  const Tensor z = f64({0, 1.5, -2, 0.5, 0, 0, 3, -1, 2, 0.7, 1.1, 0}, {3, 4});
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return cumprod(in[0], 1); }, {z}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return cumprod(in[0], 0); }, {z}));
  const Tensor b = randn64({2, 5, 3}, 82), a = randn64({2, 5, 3}, 83);
  for (bool reverse : {false, true}) {
    CAPTURE(reverse);
    CHECK(gradcheck([=](const std::vector<Tensor>& in) { return detail::linear_scan(in[0], in[1], 1, reverse); },
                    {b, a}));
  }
}

TEST_CASE("linear_scan computes the recurrence both ways, by hand") {
  const Tensor b = f64({1, 2, 3}, {3}, false), a = f64({10, 20, 30}, {3}, false);
  // forward: out_k = b_k + a_k out_{k-1}: [1, 2 + 20 * 1, 3 + 30 * 22]
  CHECK(detail::linear_scan(b, a, 0, false).to_vector() == std::vector<double>{1, 22, 663});
  // reverse: out_i = b_i + a_{i+1} out_{i+1}: [1 + 20 * 92, 2 + 30 * 3, 3]
  CHECK(detail::linear_scan(b, a, 0, true).to_vector() == std::vector<double>{1841, 92, 3});
}

TEST_CASE("double backward through cumsum and cumprod, also with one zero and two zeros") {
  const Tensor x = randn64({3, 4}, 84);
  CHECK(gradgrad::check([](const Tensor& t) { return mul(cumsum(t, 1), cumsum(t, 1)); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return cumprod(t, 1); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return cumprod(t, 0); }, x));
  const Tensor z = f64({0, 1.5, -2, 0.5, 0, 0, 3, -1, 2, 0.7, 1.1, -0.4}, {3, 4});
  CHECK(gradgrad::check([](const Tensor& t) { return cumprod(t, 1); }, z));
  // third order: the rule of the rule is recorded too
  const Tensor v = f64({0.5, 0, 2, -1.5}, {4});
  CHECK(gradgrad::check(
      [](const Tensor& t) {
        const Tensor y = cumprod(t, 0);
        return grad({sum(mul(y, y))}, {t}, {}, {.create_graph = true})[0];
      },
      v));
}

TEST_CASE("cumsum and cumprod name their grad_fn as PyTorch and have method forms") {
  const Tensor x = f64({1, 2, 3, 4}, {2, 2});
  CHECK(cumsum(x, 0).grad_fn()->name() == "CumsumBackward0");
  CHECK(cumprod(x, -1).grad_fn()->name() == "CumprodBackward0");
  CHECK(x.cumsum(1).to_vector() == std::vector<double>{1, 3, 3, 7});
  CHECK(x.cumprod(0).to_vector() == std::vector<double>{1, 2, 3, 8});
}

TEST_CASE("cumsum and cumprod reject a dim out of range, naming the op") {
  const Tensor x = f64({1, 2, 3, 4}, {2, 2});
  CHECK_THROWS_WITH_AS(cumsum(x, 2), doctest::Contains("cumsum"), ValueError);
  CHECK_THROWS_WITH_AS(cumprod(x, -3), doctest::Contains("cumprod"), ValueError);
  CHECK_THROWS_WITH_AS(cumsum(scalar_tensor(1.0), 1), doctest::Contains("cumsum"), ValueError);
}

TEST_CASE("cumsum and cumprod give no silently wrong gradient after an in-place change") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5};
  inplace_sweep::run({
      {"cumsum", [](auto& v) { return cumsum(v[0], 1); }, {a}},
      {"cumprod", [](auto& v) { return cumprod(v[0], 0); }, {a}},
      {"cumprod_dm1", [](auto& v) { return cumprod(v[0], -1); }, {a}},
  });
}
