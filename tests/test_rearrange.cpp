// flip, roll, repeat and tile: values and gradients against PyTorch (fixtures/gen_rearrange.py),
// int64 values, gradcheck and double backward, hand-worked cases, grad_fn names, errors, method
// forms and the in-place guard.
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

using Fn = std::function<Tensor(const Tensor&)>;
using V = std::vector<std::int64_t>;

void check_cases(const std::vector<std::pair<std::string, Fn>>& cases) {
  const auto& fx = fixtures::load("rearrange");
  for (const auto& [name, fn] : cases)
    for (std::string dt : {"f64", "f32"})
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

TEST_CASE("flip matches torch on one, several, all and no dims, negative dims, 1-d and 0-d") {
  const std::vector<std::pair<std::string, V>> variants = {{"d0", {0}},       {"d12", {1, 2}},    {"dm1", {-1}},
                                                           {"d0m1", {0, -1}}, {"all", {2, 0, 1}}, {"none", {}},
                                                           {"vec", {0}},      {"scalar", {0}}};
  std::vector<std::pair<std::string, Fn>> cases;
  for (const auto& [tag, dims] : variants)
    cases.emplace_back("flip." + tag, [dims = dims](const Tensor& x) { return flip(x, dims); });
  check_cases(cases);
}

TEST_CASE("roll matches torch: one dim, negative and large shifts, several and repeated dims, flattened") {
  const std::vector<std::pair<std::string, Fn>> cases = {{"roll.s1d0", [](const Tensor& x) { return roll(x, 1, 0); }},
                                                         {"roll.sm2d1", [](const Tensor& x) { return roll(x, -2, 1); }},
                                                         {"roll.s7dm1", [](const Tensor& x) { return roll(x, 7, -1); }},
                                                         {"roll.multi",
                                                          [](const Tensor& x) {
                                                            return roll(x, V{1, -2}, V{0, 2});
                                                          }},
                                                         {"roll.same",
                                                          [](const Tensor& x) {
                                                            return roll(x, V{1, 2}, V{1, 1});
                                                          }},
                                                         {"roll.three",
                                                          [](const Tensor& x) {
                                                            return roll(x, V{2, 3, -1}, V{2, 1, 0});
                                                          }},
                                                         {"roll.flat", [](const Tensor& x) { return roll(x, 3); }},
                                                         {"roll.flatneg", [](const Tensor& x) { return roll(x, -5); }},
                                                         {"roll.vec", [](const Tensor& x) { return roll(x, 4, 0); }},
                                                         {"roll.scalar", [](const Tensor& x) { return roll(x, 1); }}};
  check_cases(cases);
}

TEST_CASE("repeat and tile match torch, with leading dims added, zero repeats and padded reps") {
  const std::vector<std::pair<std::string, V>> repeats = {
      {"r21", {2, 1}},        {"r13", {1, 3}},  {"r212", {2, 1, 2}}, {"r02", {0, 2}}, {"r3d", {2, 1, 3}},
      {"r3d4", {1, 2, 1, 2}}, {"ones", {1, 1}}, {"vec", {3}},        {"scalar", {}},  {"scalar22", {2, 2}}};
  const std::vector<std::pair<std::string, V>> reps = {
      {"r2", {2}}, {"r212", {2, 1, 2}}, {"empty", {}}, {"r3d", {3, 2}}, {"scalar", {3}}};
  std::vector<std::pair<std::string, Fn>> cases;
  for (const auto& [tag, r] : repeats)
    cases.emplace_back("repeat." + tag, [r = r](const Tensor& x) { return repeat(x, r); });
  for (const auto& [tag, r] : reps) cases.emplace_back("tile." + tag, [r = r](const Tensor& x) { return tile(x, r); });
  check_cases(cases);
}

TEST_CASE("flip, roll, repeat and tile move int64 values as torch") {
  const auto& fx = fixtures::load("rearrange");
  const std::vector<std::pair<std::string, Fn>> cases = {{"flip.d01",
                                                          [](const Tensor& x) {
                                                            return flip(x, {0, 1});
                                                          }},
                                                         {"roll.multi",
                                                          [](const Tensor& x) {
                                                            return roll(x, V{1, -1}, V{0, 1});
                                                          }},
                                                         {"roll.flat", [](const Tensor& x) { return roll(x, 5); }},
                                                         {"repeat.r212",
                                                          [](const Tensor& x) {
                                                            return repeat(x, {2, 1, 2});
                                                          }},
                                                         {"tile.r2", [](const Tensor& x) { return tile(x, {2}); }}};
  for (const auto& [name, fn] : cases) {
    CAPTURE(name);
    const Tensor out = fn(fx[name + ".i64.in0"]);
    CHECK(out.dtype() == DType::i64);
    CHECK_CLOSE_T(out, fx[name + ".i64.out"]);
  }
}

TEST_CASE("flip, roll, repeat and tile by hand") {
  const Tensor x = f64({0, 1, 2, 3, 4, 5}, {2, 3}, false);
  CHECK(flip(x, {0, 1}).to_vector() == std::vector<double>{5, 4, 3, 2, 1, 0});
  CHECK(roll(x, 1).to_vector() == std::vector<double>{5, 0, 1, 2, 3, 4});  // flattened
  CHECK(roll(x, -1, 1).to_vector() == std::vector<double>{1, 2, 0, 4, 5, 3});
  CHECK(roll(x, V{1, 1}, V{0, 0}).to_vector() == x.to_vector());  // two shifts of 1 along 2 rows
  CHECK(repeat(x, {1, 2}).to_vector() == std::vector<double>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(repeat(x, {2, 1, 1}).shape() == Shape{2, 2, 3});
  CHECK(tile(x, {2}).shape() == Shape{2, 6});
  // repeat's gradient sums the tiles: each element appears 2 * 2 = 4 times
  const Tensor y = f64({1, 2}, {2});
  repeat(y, {2, 2}).sum().backward();
  CHECK(y.grad().to_vector() == std::vector<double>{4, 4});
}

TEST_CASE("gradcheck and double backward: flip, roll, repeat and tile") {
  const Tensor x = randn64({2, 3, 4}, 101), v = randn64({5}, 102), s = randn64({}, 103);
  using TL = std::vector<Tensor>;
  CHECK(gradcheck([](const TL& in) { return flip(in[0], {0, 2}); }, {x}));
  CHECK(gradcheck([](const TL& in) { return flip(in[0], {0}); }, {s}));
  CHECK(gradcheck([](const TL& in) { return roll(in[0], V{1, -3}, V{2, 1}); }, {x}));
  CHECK(gradcheck([](const TL& in) { return roll(in[0], 7); }, {x}));
  CHECK(gradcheck([](const TL& in) { return roll(in[0], 2, 0); }, {v}));
  CHECK(gradcheck([](const TL& in) { return repeat(in[0], {2, 1, 1, 3}); }, {x}));
  CHECK(gradcheck([](const TL& in) { return repeat(in[0], {3, 2}); }, {v}));
  CHECK(gradcheck([](const TL& in) { return repeat(in[0], {2}); }, {s}));
  CHECK(gradcheck([](const TL& in) { return tile(in[0], {2}); }, {x}));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(flip(t, {1}), t); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(roll(t, V{1, 2}, V{0, 2}), t); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(repeat(t, {2, 1, 1, 2}), repeat(t, {2, 1, 1, 2})); }, x));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(tile(t, {3}), tile(t, {3})); }, v));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(repeat(t, {3}), repeat(t, {3})); }, s));
}

TEST_CASE("flip, roll, repeat and tile name their grad_fn as PyTorch and have method forms") {
  const Tensor x = f64({1, 2, 3, 4}, {2, 2});
  CHECK(flip(x, {0}).grad_fn()->name() == "FlipBackward0");
  CHECK(roll(x, 1).grad_fn()->name() == "RollBackward0");
  CHECK(repeat(x, {1, 1}).grad_fn()->name() == "RepeatBackward0");
  CHECK(tile(x, {}).grad_fn()->name() == "RepeatBackward0");  // a copy even when nothing repeats
  CHECK(x.flip({0}).to_vector() == std::vector<double>{3, 4, 1, 2});
  CHECK(x.roll(1, 0).to_vector() == std::vector<double>{3, 4, 1, 2});
  CHECK(x.roll(V{1}, V{1}).to_vector() == std::vector<double>{2, 1, 4, 3});
  CHECK(x.repeat({2, 1}).shape() == Shape{4, 2});
  CHECK(x.tile({2}).to_vector() == std::vector<double>{1, 2, 1, 2, 3, 4, 3, 4});
}

TEST_CASE("flip, roll, repeat and tile reject bad arguments, naming the op") {
  const Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK_THROWS_WITH_AS(flip(x, {0, 0}), doctest::Contains("flip: dim 0 appears more than once"), ValueError);
  CHECK_THROWS_WITH_AS(flip(x, {2}), doctest::Contains("flip"), ValueError);
  CHECK_THROWS_WITH_AS(roll(x, V{1, 2}), doctest::Contains("roll: shifts [1, 2] and dims [] must align"), ValueError);
  CHECK_THROWS_WITH_AS(roll(x, V{1, 2}, V{0}), doctest::Contains("roll"), ValueError);
  CHECK_THROWS_WITH_AS(roll(x, V{}, V{}), doctest::Contains("roll"), ValueError);
  CHECK_THROWS_WITH_AS(roll(x, 1, 2), doctest::Contains("roll"), ValueError);
  CHECK_THROWS_WITH_AS(roll(scalar_tensor(1.0), 1, 0), doctest::Contains("roll"), IndexError);
  CHECK_THROWS_WITH_AS(repeat(x, {2}), doctest::Contains("repeat: 1 repeats [2] for a tensor of shape [2, 3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(repeat(x, {-1, 2}), doctest::Contains("repeat: repeats must be non-negative"), ValueError);
  CHECK_THROWS_WITH_AS(tile(x, {-3}), doctest::Contains("tile"), ValueError);
}

TEST_CASE("flip, roll, repeat and tile give no silently wrong gradient after an in-place change") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5}, b = {0.9, 0.4, -0.2, 1.5};
  inplace_sweep::run({
      {"flip", [](auto& v) { return mul(flip(v[0], {1}), v[1]); }, {a, b}},
      {"roll", [](auto& v) { return mul(roll(v[0], 1), v[1]); }, {a, b}},
      {"repeat",
       [](auto& v) {
         return mul(repeat(v[0], {1, 1}), v[1]);
       },
       {a, b}},
      {"tile", [](auto& v) { return tile(v[0], {2}); }, {a}},
  });
}
