// sort and topk: values, indices (tie order included) and gradients against PyTorch
// (fixtures/gen_reduce_extra.py), gradcheck and double backward away from ties, hand-worked
// cases, grad_fn names, errors, method forms and the in-place guard (the indices are saved).
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures.hpp"
#include "gradgrad.hpp"
#include "inplace_sweep.hpp"

using namespace tapegrad;

namespace {

const char* kDtypes[] = {"f64", "f32"};

Tensor f64(const std::vector<double>& v, const Shape& s, bool grad = true) {
  return tensor(v, s, {.dtype = DType::f64, .requires_grad = grad});
}
Tensor randn64(const Shape& s, std::uint64_t seed) {
  manual_seed(seed);
  return randn(s, {.dtype = DType::f64, .requires_grad = true});
}

// checks values and gradients (fixture case) and the indices (<case>.idx) of one sort/topk call
void check_selection(const std::string& name, const std::function<ValuesIndices(const Tensor&)>& fn) {
  const auto& fx = fixtures::load("reduce_extra");
  for (std::string dt : kDtypes) {
    const std::string full = name + "." + dt;
    CHECK_CASE(fx, full, 1, [&fn](const std::vector<Tensor>& in) { return fn(in[0]).values; });
    const Tensor idx = fn(fx[full + ".in0"]).indices;
    CHECK(idx.dtype() == DType::i64);
    const std::string m = fixtures::mismatch(idx, fx[full + ".idx"]);
    CHECK_MESSAGE(m.empty(), full << " indices: " << m);
  }
}

}  // namespace

TEST_CASE("sort matches torch's values, indices and gradients, ties and NaN included") {
  const std::vector<std::pair<std::string, std::int64_t>> variants = {
      {"dm1", -1}, {"d0", 0}, {"d1", 1}, {"ties", 1}, {"ties3d", 1}, {"long", -1}, {"nan", 1}, {"scalar", 0}};
  for (const auto& [tag, dim] : variants)
    for (bool desc : {false, true}) {
      const std::string name = "sort." + tag + "." + (desc ? "desc" : "asc");
      // torch's default (stable not given) and stable=True orders of ties
      check_selection(name, [dim = dim, desc](const Tensor& x) { return sort(x, dim, desc); });
      check_selection(name + ".stable", [dim = dim, desc](const Tensor& x) { return sort(x, dim, desc, true); });
    }
}

TEST_CASE("topk matches torch's values, indices and gradients for k = 0 .. n, largest or not, sorted or not") {
  const std::vector<std::tuple<std::string, std::int64_t, std::vector<std::int64_t>>> variants = {
      {"dm1", -1, {0, 1, 2, 5}}, {"d0", 0, {2, 3}},         {"d1", 1, {2}},        {"ties", 1, {0, 1, 2, 3, 4}},
      {"long", 1, {1, 3, 40}},   {"longer", -1, {1, 2, 3}}, {"nan", -1, {1, 3, 8}}};
  for (const auto& [tag, dim, ks] : variants)
    for (auto k : ks)
      for (bool largest : {true, false})
        for (bool sorted : {true, false}) {
          const std::string name = "topk." + tag + ".k" + std::to_string(k) + "." + (largest ? "max" : "min") + "." +
                                   (sorted ? "sorted" : "any");
          check_selection(
              name, [k, dim = dim, largest, sorted](const Tensor& x) { return topk(x, k, dim, largest, sorted); });
        }
  for (std::int64_t k : {0, 1})  // a 0-d input gives itself, for k = 0 too, as torch
    check_selection("topk.scalar.k" + std::to_string(k), [k](const Tensor& x) { return topk(x, k); });
}

TEST_CASE("sort and topk of int64 tensors give int64 values and indices as torch") {
  const auto& fx = fixtures::load("reduce_extra");
  const auto s = sort(fx["sort.d1.desc.i64.in0"], 1, true);
  CHECK(s.values.dtype() == DType::i64);
  CHECK_CLOSE_T(s.values, fx["sort.d1.desc.i64.out"]);
  CHECK_CLOSE_T(s.indices, fx["sort.d1.desc.i64.idx"]);
  const auto t = topk(fx["topk.d0.k2.min.i64.in0"], 2, 0, false);
  CHECK_CLOSE_T(t.values, fx["topk.d0.k2.min.i64.out"]);
  CHECK_CLOSE_T(t.indices, fx["topk.d0.k2.min.i64.idx"]);
}

TEST_CASE("stable sort keeps tied values in their order, ascending and descending") {
  const Tensor x = f64({2, 1, 2, 1, 2}, {5}, false);
  CHECK(sort(x, 0, false, true).indices.to_vector() == std::vector<double>{1, 3, 0, 2, 4});
  CHECK(sort(x, 0, true, true).indices.to_vector() == std::vector<double>{0, 2, 4, 1, 3});
}

TEST_CASE("sort and topk send the gradient to the positions their indices name, by hand") {
  const Tensor x = f64({0.5, -1, 3, 2}, {4});
  auto [v, i] = topk(x, 2);  // [3, 2] at [2, 3]
  CHECK(i.to_vector() == std::vector<double>{2, 3});
  v.backward(f64({10, 20}, {2}, false));
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0, 10, 20});
  const Tensor y = f64({0.5, -1, 3}, {3});
  sort(y, 0, true).values.backward(f64({1, 2, 3}, {3}, false));  // order [3, 0.5, -1]
  CHECK(y.grad().to_vector() == std::vector<double>{2, 3, 1});
}

TEST_CASE("gradcheck and double backward: sort and topk (no ties)") {
  for (const Shape& s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(s);
    const Tensor x = randn64(s, 91 + s.size());  // a seed per shape: no tied values within x
    for (std::int64_t dim : {0, -1})
      for (bool flag : {false, true}) {
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return sort(in[0], dim, flag).values; }, {x}));
        const std::int64_t k = s.size() == 0 ? 1 : std::min<std::int64_t>(2, s[dim < 0 ? s.size() - 1 : 0]);
        CHECK(gradcheck([=](const std::vector<Tensor>& in) { return topk(in[0], k, dim, flag, !flag).values; }, {x}));
      }
  }
  const Tensor x = randn64({3, 4}, 92);
  CHECK(gradgrad::check([](const Tensor& t) { return mul(sort(t, 1).values, sort(t, 1).values); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(topk(t, 2, 0).values, sum(t)); }, x));
}

TEST_CASE("sort and topk name their grad_fn as PyTorch") {
  const Tensor x = f64({1, 3, 2, 4}, {2, 2});
  CHECK(sort(x).values.grad_fn()->name() == "SortBackward0");
  CHECK(sort(x, 0, true, true).values.grad_fn()->name() == "SortBackward1");  // the sort.stable overload
  CHECK(sort(x, 0, false, false).values.grad_fn()->name() == "SortBackward1");
  CHECK(topk(x, 1).values.grad_fn()->name() == "TopkBackward0");
  CHECK(!sort(x).indices.requires_grad());
}

TEST_CASE("sort and topk have method forms") {
  const Tensor x = f64({3, 1, 2, 6, 5, 4}, {2, 3}, false);
  CHECK(x.sort().values.to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(x.sort(0, true).indices.to_vector() == std::vector<double>{1, 1, 1, 0, 0, 0});
  CHECK(x.topk(2).values.to_vector() == std::vector<double>{3, 2, 6, 5});
  CHECK(x.topk(1, 0, false).indices.to_vector() == std::vector<double>{0, 0, 0});
}

TEST_CASE("sort and topk reject bad dims and k out of range, naming the op") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK_THROWS_WITH_AS(sort(x, 2), doctest::Contains("sort"), ValueError);
  CHECK_THROWS_WITH_AS(topk(x, 1, -3), doctest::Contains("topk"), ValueError);
  CHECK_THROWS_WITH_AS(topk(x, 4), doctest::Contains("topk: k = 4 is out of range for dim 1 of extent 3"), IndexError);
  CHECK_THROWS_WITH_AS(topk(x, -1), doctest::Contains("topk"), IndexError);
  CHECK_THROWS_WITH_AS(topk(scalar_tensor(1.0), 2), doctest::Contains("topk"), IndexError);
}

TEST_CASE("changing the indices sort or topk returned makes the backward raise") {
  const Tensor x = f64({1, 3, 2, 4}, {2, 2});
  auto [v, i] = sort(x, 1);
  i.fill_(0);
  CHECK_THROWS_WITH_AS(v.sum().backward(), doctest::Contains("SortBackward0"), StateError);
  auto [tv, ti] = topk(x, 1, 0);
  ti.zero_();
  CHECK_THROWS_WITH_AS(tv.sum().backward(), doctest::Contains("TopkBackward0"), StateError);
}

TEST_CASE("sort and topk give no silently wrong gradient after an in-place change") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5};
  inplace_sweep::run({
      {"sort", [](auto& v) { return sort(v[0], 1).values; }, {a}},
      {"sort_desc_d0", [](auto& v) { return sort(v[0], 0, true).values; }, {a}},
      {"topk", [](auto& v) { return topk(v[0], 1, 1).values; }, {a}},
  });
}
