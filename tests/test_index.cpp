// Slicing and indexing ops: values and gradients against PyTorch (fixtures/index.txt), gradcheck
// (first and second order), values by hand, and bad input.
#include <doctest/doctest.h>

#include <limits>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};

Tensor idx(const std::vector<double>& v, const Shape& s) { return tensor(v, s, {.dtype = DType::i64}); }
Tensor idx(const std::vector<double>& v) { return tensor(v, {.dtype = DType::i64}); }
Tensor leaf(const Shape& s) { return randn(s, {.dtype = DType::f64, .requires_grad = true}); }
Tensor f64(const std::vector<double>& v, const Shape& s) { return tensor(v, s, {.dtype = DType::f64}); }

// gradient of sum(op(x)^2) wrt x, with create_graph: gradcheck on it checks that op's backward
// rule is itself differentiable (second order)
Tensor grad_of_square(const std::function<Tensor(const TL&)>& op, const TL& v) {
  EnableGradGuard on;  // gradcheck evaluates fn under no_grad for its finite differences
  Tensor y = op(v);
  return grad({sum(y * y)}, {v[0]}, {}, {.create_graph = true})[0];
}
}  // namespace

// ---- values and gradients against PyTorch ------------------------------------------------------

TEST_CASE("slice matches PyTorch for negative, omitted and clamped bounds and steps 2 and 3") {
  const auto& fx = fixtures::load("index");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "slice_tail_" + tag, 1, [](const TL& v) { return slice(v[0], 1, -3); });
    CHECK_CASE(fx, "slice_step2_" + tag, 1, [](const TL& v) { return slice(v[0], 0, std::nullopt, -1, 2); });
    CHECK_CASE(fx, "slice_clamped_" + tag, 1, [](const TL& v) { return slice(v[0], 0, -100, 100, 3); });
    CHECK_CASE(fx, "slice_mid_" + tag, 1, [](const TL& v) { return slice(v[0], -2, 1, 5, 2); });
    CHECK_CASE(fx, "slice_all_step3_" + tag, 1, [](const TL& v) { return slice(v[0], 0, {}, {}, 3); });
    CHECK_CASE(fx, "slice_empty_" + tag, 1, [](const TL& v) { return slice(v[0], 0, 3, 1); });
    CHECK_CASE(fx, "slice_past_end_" + tag, 1, [](const TL& v) { return slice(v[0], 2, 10); });
    CHECK_CASE(fx, "slice_neg_stop_" + tag, 1, [](const TL& v) { return slice(v[0], 2, -5, -1, 2); });
  }
}

TEST_CASE("select and narrow match PyTorch on several dims") {
  const auto& fx = fixtures::load("index");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "select_d0_" + tag, 1, [](const TL& v) { return select(v[0], 0, 1); });
    CHECK_CASE(fx, "select_d1_neg_" + tag, 1, [](const TL& v) { return select(v[0], 1, -1); });
    CHECK_CASE(fx, "select_dlast_" + tag, 1, [](const TL& v) { return select(v[0], -1, 2); });
    CHECK_CASE(fx, "select_1d_" + tag, 1, [](const TL& v) { return select(v[0], 0, -2); });
    CHECK_CASE(fx, "narrow_d0_" + tag, 1, [](const TL& v) { return narrow(v[0], 0, 1, 2); });
    CHECK_CASE(fx, "narrow_d2_neg_" + tag, 1, [](const TL& v) { return narrow(v[0], 2, -3, 2); });
    CHECK_CASE(fx, "narrow_d1_full_" + tag, 1, [](const TL& v) { return narrow(v[0], 1, 0, 4); });
  }
}

TEST_CASE("cat and stack match PyTorch on dims 0, 1 and -1") {
  const auto& fx = fixtures::load("index");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "cat_d0_" + tag, 2, [](const TL& v) { return cat(v, 0); });
    CHECK_CASE(fx, "cat_d1_" + tag, 3, [](const TL& v) { return cat(v, 1); });
    CHECK_CASE(fx, "cat_dlast_" + tag, 2, [](const TL& v) { return cat(v, -1); });
    CHECK_CASE(fx, "cat_legacy_empty_" + tag, 2, [](const TL& v) { return cat(v, 1); });
    CHECK_CASE(fx, "stack_d0_" + tag, 3, [](const TL& v) { return stack(v, 0); });
    CHECK_CASE(fx, "stack_d1_" + tag, 2, [](const TL& v) { return stack(v, 1); });
    CHECK_CASE(fx, "stack_dlast_" + tag, 2, [](const TL& v) { return stack(v, -1); });
    CHECK_CASE(fx, "stack_0d_" + tag, 3, [](const TL& v) { return stack(v); });
  }
}

TEST_CASE("gather matches PyTorch and accumulates the gradient of repeated indices") {
  const auto& fx = fixtures::load("index");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "gather_d1_" + tag, 2, [](const TL& v) { return gather(v[0], 1, v[1]); });
    CHECK_CASE(fx, "gather_d0_" + tag, 2, [](const TL& v) { return gather(v[0], 0, v[1]); });
    CHECK_CASE(fx, "gather_small_" + tag, 2, [](const TL& v) { return gather(v[0], 1, v[1]); });
    CHECK_CASE(fx, "gather_dlast_3d_" + tag, 2, [](const TL& v) { return gather(v[0], -1, v[1]); });
    CHECK_CASE(fx, "gather_0d_" + tag, 2, [](const TL& v) { return gather(v[0], 0, v[1]); });
  }
}

TEST_CASE("index_select matches PyTorch with repeated indices") {
  const auto& fx = fixtures::load("index");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "index_select_d0_" + tag, 2, [](const TL& v) { return index_select(v[0], 0, v[1]); });
    CHECK_CASE(fx, "index_select_d1_" + tag, 2, [](const TL& v) { return index_select(v[0], 1, v[1]); });
    CHECK_CASE(fx, "index_select_dlast_" + tag, 2, [](const TL& v) { return index_select(v[0], -1, v[1]); });
    CHECK_CASE(fx, "index_select_0d_index_" + tag, 2, [](const TL& v) { return index_select(v[0], 1, v[1]); });
  }
}

TEST_CASE("scatter_add and index_add match PyTorch") {
  const auto& fx = fixtures::load("index");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "scatter_add_d1_" + tag, 3, [](const TL& v) { return scatter_add(v[0], 1, v[1], v[2]); });
    CHECK_CASE(fx, "scatter_add_d0_" + tag, 3, [](const TL& v) { return scatter_add(v[0], 0, v[1], v[2]); });
    CHECK_CASE(fx, "scatter_add_0d_" + tag, 3, [](const TL& v) { return scatter_add(v[0], 0, v[1], v[2]); });
    CHECK_CASE(fx, "scatter_add_big_src_" + tag, 3, [](const TL& v) { return scatter_add(v[0], 1, v[1], v[2]); });
    CHECK_CASE(fx, "index_add_d0_" + tag, 3, [](const TL& v) { return index_add(v[0], 0, v[1], v[2]); });
    CHECK_CASE(fx, "index_add_d1_alpha_" + tag, 3, [](const TL& v) { return index_add(v[0], 1, v[1], v[2], 2.5); });
    CHECK_CASE(fx, "index_add_dlast_3d_" + tag, 3, [](const TL& v) { return index_add(v[0], -1, v[1], v[2]); });
  }
}

TEST_CASE("one_hot matches torch.nn.functional.one_hot") {
  const auto& fx = fixtures::load("index");
  CHECK_CLOSE_T(one_hot(fx["one_hot_infer.in0"]), fx["one_hot_infer.out"]);
  CHECK_CLOSE_T(one_hot(fx["one_hot_2d.in0"], 4), fx["one_hot_2d.out"]);
  CHECK_CLOSE_T(one_hot(fx["one_hot_0d.in0"], 3), fx["one_hot_0d.out"]);
  CHECK_CLOSE_T(one_hot(fx["one_hot_empty.in0"], 3), fx["one_hot_empty.out"]);
  CHECK(one_hot(fx["one_hot_infer.in0"]).dtype() == DType::i64);
}

// ---- by hand -------------------------------------------------------------------------------------

TEST_CASE("slice, select and cat copy int64 tensors too, and name their grad_fn as PyTorch") {
  // arange(10)[1:8:3] = [1, 4, 7]; cat([[0, 1]], [[2, 3]]) along dim 1 = [[0, 1, 2, 3]]
  const Tensor r = arange(10.0, {.dtype = DType::i64});
  CHECK(slice(r, 0, 1, 8, 3).to_vector() == std::vector<double>{1, 4, 7});
  CHECK(select(r, 0, -1).item() == 9.0);
  // extreme bounds and step clamp without overflow, as Python: list(range(10))[-2**63:2**63-1:2**63-1] == [0]
  constexpr auto big = std::numeric_limits<std::int64_t>::max();
  CHECK(slice(r, 0, -big - 1, big, big).to_vector() == std::vector<double>{0});
  const Tensor c = cat({idx({0, 1}, {1, 2}), idx({2, 3}, {1, 2})}, 1);
  CHECK(c.shape() == Shape{1, 4});
  CHECK(c.to_vector() == std::vector<double>{0, 1, 2, 3});
  CHECK(stack({idx({5}), idx({6})}, 1).shape() == Shape{1, 2});

  Tensor x = leaf({3, 4});
  CHECK(slice(x, 1, 1).grad_fn()->name() == "SliceBackward0");
  CHECK(select(x, 0, 1).grad_fn()->name() == "SelectBackward0");
  CHECK(cat({x, x}).grad_fn()->name() == "CatBackward0");
  CHECK(gather(x, 1, idx({0}, {1, 1})).grad_fn()->name() == "GatherBackward0");
  CHECK(index_select(x, 0, idx({2})).grad_fn()->name() == "IndexSelectBackward0");
  CHECK_FALSE(slice(x.detach(), 0, 1).requires_grad());
}

TEST_CASE("gather's gradient adds up over repeated indices (by hand)") {
  // x = [10, 20, 30]; gather(x, 0, [2, 2, 0, 2]) = [30, 30, 10, 30]; with g = 1: dx = [1, 0, 3]
  Tensor x = tensor({10, 20, 30}, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = gather(x, 0, idx({2, 2, 0, 2}));
  CHECK(y.to_vector() == std::vector<double>{30, 30, 10, 30});
  y.sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>{1, 0, 3});
  // index_select(x, 0, [1, 1]) with g = [2, 5]: dx = [0, 7, 0]
  Tensor z = tensor({10, 20, 30}, {.dtype = DType::f64, .requires_grad = true});
  index_select(z, 0, idx({1, 1})).backward(tensor({2, 5}, {.dtype = DType::f64}));
  CHECK(z.grad().to_vector() == std::vector<double>{0, 7, 0});
}

TEST_CASE("cat sends no gradient to pieces that do not require grad") {
  Tensor a = leaf({2, 2});
  Tensor b = ones({1, 2}, {.dtype = DType::f64});
  cat({a, b}).sum().backward();
  CHECK(a.grad().to_vector() == std::vector<double>{1, 1, 1, 1});
  CHECK_FALSE(b.has_grad());
}

TEST_CASE("one_hot by hand: [0, 2] with 3 classes") {
  CHECK(one_hot(idx({0, 2}), 3).to_vector() == std::vector<double>{1, 0, 0, 0, 0, 1});
  CHECK(one_hot(idx({0, 2}), 3).shape() == Shape{2, 3});
}

// ---- gradcheck -------------------------------------------------------------------------------------

TEST_CASE("gradcheck: slice, select, narrow and slice's backward") {
  CHECK(gradcheck([](const TL& v) { return slice(v[0], 0, {}, {}, 2); }, {leaf({5})}));
  CHECK(gradcheck([](const TL& v) { return slice(v[0], 1, -3, {}, 1); }, {leaf({4, 5})}));
  CHECK(gradcheck([](const TL& v) { return slice(v[0], -1, 1, 100, 3); }, {leaf({2, 3, 7})}));
  CHECK(gradcheck([](const TL& v) { return select(v[0], 0, -1); }, {leaf({4})}));  // -> 0-d
  CHECK(gradcheck([](const TL& v) { return select(v[0], 1, 2); }, {leaf({3, 4})}));
  CHECK(gradcheck([](const TL& v) { return select(v[0], -1, 0); }, {leaf({2, 3, 4})}));
  CHECK(gradcheck([](const TL& v) { return narrow(v[0], 1, -2, 2); }, {leaf({3, 4})}));
  CHECK(gradcheck([](const TL& v) { return narrow(v[0], 0, 1, 1); }, {leaf({3})}));
  CHECK(gradcheck([](const TL& v) { return detail::slice_backward(v[0], {3, 7}, 1, 1, 3); }, {leaf({3, 2})}));
}

TEST_CASE("gradcheck: cat and stack") {
  CHECK(gradcheck([](const TL& v) { return cat(v, 0); }, {leaf({2, 3}), leaf({4, 3})}));
  CHECK(gradcheck([](const TL& v) { return cat(v, -1); }, {leaf({2, 1}), leaf({2, 3}), leaf({2, 2})}));
  CHECK(gradcheck([](const TL& v) { return cat(v, 0); }, {leaf({3}), leaf({1})}));
  CHECK(gradcheck([](const TL& v) { return stack(v, 0); }, {leaf({}), leaf({})}));  // 0-d pieces
  CHECK(gradcheck([](const TL& v) { return stack(v, 1); }, {leaf({2, 3}), leaf({2, 3})}));
  CHECK(gradcheck([](const TL& v) { return stack(v, -1); }, {leaf({2}), leaf({2}), leaf({2})}));
}

TEST_CASE("gradcheck: gather and scatter_add") {
  CHECK(gradcheck([](const TL& v) { return gather(v[0], 0, idx({0}, {})); }, {leaf({})}));  // 0-d
  CHECK(gradcheck([](const TL& v) { return gather(v[0], 1, idx({0, 0, 3, 2, 2, 2}, {2, 3})); }, {leaf({3, 4})}));
  CHECK(gradcheck([](const TL& v) { return gather(v[0], 0, idx({1, 1, 0, 1}, {2, 2})); }, {leaf({2, 3})}));
  CHECK(gradcheck([](const TL& v) { return gather(v[0], -1, idx({1, 1, 0, 1}, {2, 1, 2})); }, {leaf({2, 2, 3})}));
  const Tensor i0 = idx({0}, {});
  CHECK(gradcheck([&](const TL& v) { return scatter_add(v[0], 0, i0, v[1]); }, {leaf({}), leaf({})}));
  const Tensor i1 = idx({0, 0, 4, 1, 3, 1}, {2, 3});
  CHECK(gradcheck([&](const TL& v) { return scatter_add(v[0], 1, i1, v[1]); }, {leaf({2, 5}), leaf({2, 3})}));
  // src larger than index in both dims: only its leading [2, 3] block is used
  CHECK(gradcheck([&](const TL& v) { return scatter_add(v[0], 1, i1, v[1]); }, {leaf({3, 5}), leaf({3, 4})}));
  const Tensor i2 = idx({2, 0, 2, 2}, {1, 4});
  CHECK(gradcheck([&](const TL& v) { return scatter_add(v[0], 0, i2, v[1]); }, {leaf({3, 4}), leaf({1, 4})}));
}

TEST_CASE("gradcheck: index_select and index_add") {
  CHECK(gradcheck([](const TL& v) { return index_select(v[0], 0, idx({0})); }, {leaf({})}));  // 0-d
  CHECK(gradcheck([](const TL& v) { return index_select(v[0], 0, idx({0, 2, 0, 3, 3})); }, {leaf({4, 3})}));
  CHECK(gradcheck([](const TL& v) { return index_select(v[0], 1, idx({2}, {})); }, {leaf({2, 3, 2})}));
  CHECK(gradcheck([](const TL& v) { return index_add(v[0], 0, idx({0, 0}), v[1]); }, {leaf({}), leaf({2})}));
  CHECK(gradcheck([](const TL& v) { return index_add(v[0], 0, idx({1, 3, 1}), v[1]); }, {leaf({4, 2}), leaf({3, 2})}));
  CHECK(gradcheck(
      [](const TL& v) {
        return index_add(v[0], -1, idx({2, 2}), v[1], -1.5);
      },
      {leaf({2, 3, 4}), leaf({2, 3, 2})}));
}

TEST_CASE("gradcheck of the gradients: every backward rule is differentiable (create_graph)") {
  const Tensor ig = idx({0, 0, 3, 2, 2, 2}, {2, 3});
  const Tensor iv = idx({0, 2, 0, 3});
  CHECK(gradcheck([](const TL& v) { return grad_of_square([](const TL& u) { return slice(u[0], 1, 1, {}, 2); }, v); },
                  {leaf({3, 5})}));
  CHECK(gradcheck([](const TL& v) { return grad_of_square([](const TL& u) { return select(u[0], 1, -1); }, v); },
                  {leaf({3, 4})}));
  CHECK(gradcheck(
      [](const TL& v) {
        return grad_of_square([](const TL& u) { return cat({u[0], u[0] * u[0]}, 1); }, v);
      },
      {leaf({2, 3})}));
  CHECK(gradcheck([&](const TL& v) { return grad_of_square([&](const TL& u) { return gather(u[0], 1, ig); }, v); },
                  {leaf({3, 4})}));
  CHECK(
      gradcheck([&](const TL& v) { return grad_of_square([&](const TL& u) { return index_select(u[0], 0, iv); }, v); },
                {leaf({4, 3})}));
  CHECK(gradcheck(
      [&](const TL& v) {
        return grad_of_square([&](const TL& u) { return scatter_add(u[0], 1, ig, u[0] * u[0]); }, v);
      },
      {leaf({2, 5})}));
  CHECK(gradcheck(
      [&](const TL& v) {
        return grad_of_square([&](const TL& u) { return index_add(u[0], 0, iv, slice(u[0], 0, 0, 4) * 2.0, 0.5); }, v);
      },
      {leaf({5, 2})}));
}

// ---- bad input ---------------------------------------------------------------------------------------

TEST_CASE("slice rejects a step below 1, a 0-d input and a dim out of range") {
  const Tensor x = zeros({3, 4});
  CHECK_THROWS_WITH_AS(slice(x, 0, 0, 2, 0), doctest::Contains("slice: step must be greater than zero, got 0"),
                       ValueError);
  CHECK_THROWS_WITH_AS(slice(x, 0, {}, {}, -1), doctest::Contains("slice"), ValueError);
  CHECK_THROWS_WITH_AS(slice(zeros({}), 0, 0, 1), doctest::Contains("slice: cannot be applied to a 0-d"), IndexError);
  CHECK_THROWS_WITH_AS(slice(x, 2, 0, 1), doctest::Contains("slice"), ValueError);
}

TEST_CASE("select rejects an index out of range and a 0-d input") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(select(x, 1, 3), doctest::Contains("select: index 3 is out of range for dim 1 of size 3"),
                       IndexError);
  CHECK_THROWS_WITH_AS(select(x, 1, -4), doctest::Contains("index -4"), IndexError);
  CHECK_THROWS_WITH_AS(select(zeros({}), 0, 0), doctest::Contains("select"), IndexError);
  CHECK_THROWS_WITH_AS(select(x, -3, 0), doctest::Contains("select"), ValueError);
}

TEST_CASE("narrow rejects a start out of range, a length past the end and a negative length") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(narrow(x, 1, 4, 0), doctest::Contains("narrow: start 4 is out of range"), IndexError);
  CHECK_THROWS_WITH_AS(narrow(x, 1, -4, 0), doctest::Contains("narrow: start -4"), IndexError);
  CHECK_THROWS_WITH_AS(narrow(x, 1, 2, 2), doctest::Contains("start 2 + length 2 exceeds the size 3"), IndexError);
  CHECK_THROWS_WITH_AS(narrow(x, 1, 0, -1), doctest::Contains("narrow: length must be non-negative"), ValueError);
  CHECK_THROWS_WITH_AS(narrow(zeros({}), 0, 0, 1), doctest::Contains("narrow"), IndexError);
}

TEST_CASE("cat rejects an empty list, mismatched shapes, 0-d tensors and mixed dtypes") {
  CHECK_THROWS_WITH_AS(cat({}), doctest::Contains("cat: expected a non-empty list"), ShapeError);
  CHECK_THROWS_WITH_AS(cat({zeros({2, 3}), zeros({3, 3})}, 1),
                       doctest::Contains("cat: shapes [2, 3] (tensor 0) and [3, 3]"), ShapeError);
  CHECK_THROWS_WITH_AS(cat({zeros({2, 3}), zeros({2, 3, 1})}), doctest::Contains("[2, 3, 1]"), ShapeError);
  CHECK_THROWS_WITH_AS(cat({zeros({}), zeros({})}), doctest::Contains("cat: tensor 0 is 0-d"), ShapeError);
  CHECK_THROWS_WITH_AS(cat({zeros({2}), zeros({2}, {.dtype = DType::f64})}),
                       doctest::Contains("cat: tensor 1 has dtype float64"), DTypeError);
  CHECK_THROWS_WITH_AS(cat({zeros({2, 3}), zeros({2, 3})}, 2), doctest::Contains("cat"), ValueError);
}

TEST_CASE("stack rejects an empty list, mismatched shapes, mixed dtypes and a dim out of range") {
  CHECK_THROWS_WITH_AS(stack({}), doctest::Contains("stack: expected a non-empty list"), ShapeError);
  CHECK_THROWS_WITH_AS(
      stack({zeros({2, 3}), zeros({3, 2})}),
      doctest::Contains("stack: every tensor must have the same shape, got [2, 3] (tensor 0) and [3, 2]"), ShapeError);
  CHECK_THROWS_WITH_AS(stack({zeros({2}), zeros({2}, {.dtype = DType::f64})}), doctest::Contains("stack"), DTypeError);
  CHECK_THROWS_WITH_AS(stack({zeros({2, 3}), zeros({2, 3})}, 3), doctest::Contains("stack"), ValueError);
}

TEST_CASE("gather rejects a non-int64 index, a wrong number of dims, an index too large and values out of range") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(gather(x, 1, zeros({2, 1})), doctest::Contains("gather: index must be int64, got float32"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(gather(x, 0, idx({1})), doctest::Contains("gather: index of shape [1] must have as many dims"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(gather(x, 0, idx({0, 1, 1, 0}, {1, 4})),
                       doctest::Contains("gather: index of shape [1, 4] is larger"), ShapeError);
  CHECK_THROWS_WITH_AS(gather(x, 1, idx({3}, {1, 1})),
                       doctest::Contains("gather: index 3 is out of range for dim 1 of size 3"), IndexError);
  CHECK_THROWS_WITH_AS(gather(x, 1, idx({-1}, {1, 1})), doctest::Contains("index -1"), IndexError);
}

TEST_CASE("scatter_add rejects mixed dtypes, an index larger than src and values out of range") {
  const Tensor s = zeros({2, 3});
  CHECK_THROWS_WITH_AS(scatter_add(s, 1, idx({0, 0}, {1, 2}), zeros({2, 3}, {.dtype = DType::f64})),
                       doctest::Contains("scatter_add"), DTypeError);
  CHECK_THROWS_WITH_AS(scatter_add(s, 1, idx({0, 0, 0}, {1, 3}), zeros({2, 2})),
                       doctest::Contains("scatter_add: index of shape [1, 3] is larger"), ShapeError);
  CHECK_THROWS_WITH_AS(scatter_add(s, 0, idx({0, 0, 0, 0}, {1, 4}), zeros({2, 4})),
                       doctest::Contains("scatter_add: index of shape [1, 4]"), ShapeError);
  CHECK_THROWS_WITH_AS(scatter_add(s, 1, idx({0, 3}, {1, 2}), zeros({2, 3})),
                       doctest::Contains("scatter_add: index 3 is out of range for dim 1 of size 3"), IndexError);
  CHECK_THROWS_WITH_AS(scatter_add(s, 0, idx({0}), zeros({1})), doctest::Contains("scatter_add"), ShapeError);
  CHECK_THROWS_WITH_AS(scatter_add(s, 1, zeros({1, 2}), zeros({2, 3})), doctest::Contains("scatter_add"), DTypeError);
}

TEST_CASE("index_select rejects a 2-d index, a non-int64 index and values out of range") {
  const Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(index_select(x, 1, idx({1}, {1, 1})),
                       doctest::Contains("index_select: index must be 0-d or 1-d, got shape [1, 1]"), ShapeError);
  CHECK_THROWS_WITH_AS(index_select(x, 1, zeros({1})), doctest::Contains("index_select"), DTypeError);
  CHECK_THROWS_WITH_AS(index_select(x, 1, idx({3})), doctest::Contains("index_select: index 3 is out of range"),
                       IndexError);
  CHECK_THROWS_WITH_AS(index_select(x, 1, idx({-1})), doctest::Contains("index -1"), IndexError);
  CHECK_THROWS_WITH_AS(index_select(zeros({}), 0, idx({0, 0})), doctest::Contains("index_select: a 0-d input"),
                       ShapeError);
}

TEST_CASE("index_add rejects a source of the wrong shape, mixed dtypes and values out of range") {
  const Tensor s = zeros({2, 3});
  CHECK_THROWS_WITH_AS(index_add(s, 1, idx({0, 0}), zeros({2, 3})),
                       doctest::Contains("index_add: source of shape [2, 3] does not fit self of shape [2, 3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(index_add(s, 1, idx({0, 5}), zeros({2, 2})),
                       doctest::Contains("index_add: index 5 is out of range"), IndexError);
  CHECK_THROWS_WITH_AS(index_add(s, 1, idx({0}), zeros({2, 1}, {.dtype = DType::f64})), doctest::Contains("index_add"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(index_add(s, 1, idx({0, 1}, {1, 2}), zeros({2, 2})), doctest::Contains("index_add"), ShapeError);
}

TEST_CASE("one_hot rejects float input, negative and too-large classes and an empty index to infer from") {
  CHECK_THROWS_WITH_AS(one_hot(zeros({2})), doctest::Contains("one_hot: expected an int64 index"), DTypeError);
  CHECK_THROWS_WITH_AS(one_hot(idx({-1}), 3), doctest::Contains("one_hot: class value -1 is negative"), IndexError);
  CHECK_THROWS_WITH_AS(one_hot(idx({3}), 3),
                       doctest::Contains("one_hot: class value 3 is out of range for num_classes 3"), IndexError);
  CHECK_THROWS_WITH_AS(one_hot(idx({}, {0})), doctest::Contains("one_hot: cannot infer"), ValueError);
  CHECK_THROWS_WITH_AS(one_hot(idx({1}), -2), doctest::Contains("one_hot: num_classes"), ValueError);
}
