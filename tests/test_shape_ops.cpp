// Shape ops: the views (reshape, view, flatten, squeeze, unsqueeze) and the copies (transpose,
// permute, t) against PyTorch, by hand, by gradcheck, and on bad input.
#include <doctest/doctest.h>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};

Tensor leaf64(const Shape& shape, std::uint64_t seed = 1) {
  Generator gen(seed);
  return randn(shape, {.dtype = DType::f64}, &gen).requires_grad_(true);
}

bool check1(Tensor (*fn)(const Tensor&), const Shape& shape) {
  return static_cast<bool>(gradcheck([fn](const TL& v) { return fn(v[0]); }, {leaf64(shape)}));
}
}  // namespace

TEST_CASE("views match PyTorch: reshape, view, flatten, squeeze, unsqueeze") {
  const auto& fx = fixtures::load("shape_ops");
  for (std::string tag : kTags) {
    auto run = [&](const std::string& name, std::function<Tensor(const Tensor&)> fn) {
      CHECK_CASE(fx, name + "." + tag, 1, [fn](const TL& v) { return fn(v[0]); });
    };
    run("reshape.basic", [](const Tensor& x) { return x.reshape({4, 6}); });
    run("reshape.to_scalar", [](const Tensor& x) { return reshape(x, Shape{}); });
    run("reshape.from_scalar", [](const Tensor& x) { return reshape(x, {1, 1}); });
    run("view.basic", [](const Tensor& x) { return x.view({2, 12}); });
    run("flatten.all", [](const Tensor& x) { return x.flatten(); });
    run("flatten.middle", [](const Tensor& x) { return flatten(x, 1, 2); });
    run("flatten.negative", [](const Tensor& x) { return x.flatten(-2, -1); });
    run("flatten.scalar", [](const Tensor& x) { return flatten(x); });
    run("squeeze.dim", [](const Tensor& x) { return x.squeeze(1); });
    run("squeeze.noop", [](const Tensor& x) { return squeeze(x, 0); });
    run("squeeze.all", [](const Tensor& x) { return squeeze(x); });
    run("unsqueeze.front", [](const Tensor& x) { return x.unsqueeze(0); });
    run("unsqueeze.back", [](const Tensor& x) { return unsqueeze(x, -1); });
    run("unsqueeze.middle", [](const Tensor& x) { return unsqueeze(x, 1); });
  }
}

TEST_CASE("copies match PyTorch: transpose, permute, t") {
  const auto& fx = fixtures::load("shape_ops");
  for (std::string tag : kTags) {
    auto run = [&](const std::string& name, std::function<Tensor(const Tensor&)> fn) {
      CHECK_CASE(fx, name + "." + tag, 1, [fn](const TL& v) { return fn(v[0]); });
    };
    run("transpose.2d", [](const Tensor& x) { return transpose(x, 0, 1); });
    run("transpose.3d_outer", [](const Tensor& x) { return x.transpose(0, 2); });
    run("transpose.3d_last", [](const Tensor& x) { return x.transpose(-1, -2); });
    run("transpose.4d", [](const Tensor& x) { return transpose(x, 1, 3); });
    run("transpose.same", [](const Tensor& x) { return transpose(x, 1, 1); });
    run("permute.3d", [](const Tensor& x) { return permute(x, {2, 0, 1}); });
    run("permute.4d", [](const Tensor& x) { return permute(x, {1, 3, 0, 2}); });
    run("permute.negative", [](const Tensor& x) { return permute(x, {-1, -3, -2}); });
    run("permute.keep_last", [](const Tensor& x) { return permute(x, {1, 0, 2}); });
    run("permute.identity", [](const Tensor& x) { return permute(x, {0, 1}); });
    run("t.2d", [](const Tensor& x) { return x.t(); });
    run("t.1d", [](const Tensor& x) { return t(x); });
    run("t.0d", [](const Tensor& x) { return x.t(); });
    run("t.then_mul", [](const Tensor& x) { return x.t() * t(x); });
  }
}

TEST_CASE("transpose and permute by index, across tile boundaries and for int64") {
  // x[i][j] = i * 70 + j, so out[j][i] must equal i * 70 + j
  const Tensor x = arange(37 * 70, {.dtype = DType::f64}).reshape({37, 70});
  const auto v = transpose(x, 0, 1).to_vector();
  bool ok = true;
  for (std::int64_t j = 0; j < 70; ++j)
    for (std::int64_t i = 0; i < 37; ++i) ok = ok && v[static_cast<std::size_t>(j * 37 + i)] == double(i * 70 + j);
  CHECK(ok);
  // y[a][b][c] = a * 1320 + b * 40 + c, shape [3, 33, 40]; out = permute(y, {1, 2, 0}) is [33, 40, 3]
  const Tensor y = arange(3 * 33 * 40, {.dtype = DType::f32}).reshape({3, 33, 40});
  const Tensor p = permute(y, {1, 2, 0});
  CHECK(p.shape() == Shape{33, 40, 3});
  const auto pv = p.to_vector();
  ok = true;
  for (std::int64_t b = 0; b < 33; ++b)
    for (std::int64_t c = 0; c < 40; ++c)
      for (std::int64_t a = 0; a < 3; ++a)
        ok = ok && pv[static_cast<std::size_t>((b * 40 + c) * 3 + a)] == double(a * 1320 + b * 40 + c);
  CHECK(ok);
  // int64 (indices) permute too: [[0, 1, 2], [3, 4, 5]]ᵀ
  const Tensor i = arange(6, {.dtype = DType::i64}).reshape({2, 3});
  CHECK(i.t().dtype() == DType::i64);
  CHECK(i.t().to_vector() == std::vector<double>{0, 3, 1, 4, 2, 5});
  // zero-size dims
  CHECK(transpose(zeros({0, 3}), 0, 1).shape() == Shape{3, 0});
  CHECK(permute(zeros({2, 0, 4}), {2, 1, 0}).shape() == Shape{4, 0, 2});
}

TEST_CASE("views share storage; transpose and permute copy into fresh contiguous storage") {
  const Tensor x = arange(24, {.dtype = DType::f64}).reshape({2, 3, 4});
  const void* p = x.data<double>();
  CHECK(x.reshape({6, 4}).data<double>() == p);
  CHECK(x.view({4, 6}).data<double>() == p);
  CHECK(x.flatten().data<double>() == p);
  CHECK(x.unsqueeze(0).squeeze(0).data<double>() == p);
  CHECK(x.transpose(0, 1).data<double>() != p);
  CHECK(permute(x, {2, 1, 0}).data<double>() != p);
}

TEST_CASE("the tape names each shape op") {
  Tensor x = leaf64({2, 3});
  // grad_fn names as PyTorch 2.x prints them (reshape of a contiguous tensor is a view there)
  CHECK(x.t().grad_fn()->name() == "TBackward0");
  CHECK(x.transpose(0, 1).grad_fn()->name() == "TransposeBackward0");
  CHECK(permute(x, {1, 0}).grad_fn()->name() == "PermuteBackward0");
  CHECK(x.reshape({3, 2}).grad_fn()->name() == "ViewBackward0");
  CHECK(x.unsqueeze(0).grad_fn()->name() == "UnsqueezeBackward0");
  CHECK(x.unsqueeze(0).squeeze(0).grad_fn()->name() == "SqueezeBackward1");
}

TEST_CASE("gradcheck: views, on several shapes including 0-d") {
  CHECK(gradcheck([](const TL& v) { return reshape(v[0], {3, 4}); }, {leaf64({2, 3, 2})}));
  CHECK(gradcheck([](const TL& v) { return reshape(v[0], {1, 1}); }, {leaf64({})}));
  CHECK(gradcheck([](const TL& v) { return reshape(v[0], Shape{}); }, {leaf64({1})}));
  CHECK(gradcheck([](const TL& v) { return view(v[0], {4, 3}); }, {leaf64({2, 6})}));
  CHECK(gradcheck([](const TL& v) { return flatten(v[0], 1, 2); }, {leaf64({2, 3, 2, 2})}));
  CHECK(gradcheck([](const TL& v) { return flatten(v[0]); }, {leaf64({})}));
  CHECK(gradcheck([](const TL& v) { return squeeze(v[0], -2); }, {leaf64({2, 1, 3})}));
  CHECK(gradcheck([](const TL& v) { return squeeze(v[0]); }, {leaf64({1, 3, 1})}));
  CHECK(gradcheck([](const TL& v) { return squeeze(v[0]); }, {leaf64({})}));
  CHECK(gradcheck([](const TL& v) { return unsqueeze(v[0], 1); }, {leaf64({2, 3})}));
  CHECK(gradcheck([](const TL& v) { return unsqueeze(v[0], 0); }, {leaf64({})}));
  // a view feeding a broadcasting op: the gradient is reshaped back, then summed
  CHECK(gradcheck([](const TL& v) { return v[0].reshape({2, 1, 3}) * v[1]; }, {leaf64({6}), leaf64({4, 1}, 2)}));
}

TEST_CASE("gradcheck: transpose, permute and t, on several shapes including 0-d and 1-d") {
  CHECK(gradcheck([](const TL& v) { return transpose(v[0], 0, 1); }, {leaf64({3, 4})}));
  CHECK(gradcheck([](const TL& v) { return transpose(v[0], 0, 2); }, {leaf64({2, 3, 4})}));
  CHECK(gradcheck([](const TL& v) { return transpose(v[0], -1, 1); }, {leaf64({2, 3, 4, 2})}));
  CHECK(gradcheck([](const TL& v) { return transpose(v[0], 0, -1); }, {leaf64({})}));
  CHECK(gradcheck([](const TL& v) { return permute(v[0], {2, 0, 1}); }, {leaf64({2, 3, 4})}));
  CHECK(gradcheck([](const TL& v) { return permute(v[0], {3, 1, 0, 2}); }, {leaf64({2, 1, 3, 2})}));
  CHECK(gradcheck([](const TL& v) { return permute(v[0], {}); }, {leaf64({})}));
  CHECK(check1(t, {3, 4}));
  CHECK(check1(t, {5}));
  CHECK(check1(t, {}));
  // the transposed tensor used twice and combined with a broadcast
  CHECK(gradcheck([](const TL& v) { return v[0].t() * v[1] + v[0].t(); }, {leaf64({3, 2}), leaf64({3}, 2)}));
}

TEST_CASE("second order through transpose and permute") {
  // f(x) = sum((d/dx sum(permute(x)³ · w))²), built with create_graph so the permute in the
  // backward is itself differentiated by gradcheck
  const Tensor w = randn({4, 2, 3}, {.dtype = DType::f64});
  auto fn = [&w](const TL& v) {
    EnableGradGuard on;  // gradcheck's numerical pass runs fn under no_grad
    const Tensor y =
        (permute(v[0], {2, 0, 1}).pow(3.0) * w).sum() + (transpose(v[0], 0, 1) * v[0].transpose(0, 1)).sum();
    const auto g = grad({y}, {v[0]}, {}, {.create_graph = true});
    return (g[0] * g[0]).sum();
  };
  CHECK(gradcheck(fn, {leaf64({2, 3, 4})}));
}

TEST_CASE("bad input: reshape and view") {
  CHECK_THROWS_WITH_AS(reshape(zeros({2, 3}), {4, 2}), doctest::Contains("reshape: shape [4, 2] is invalid"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(view(zeros({2, 3}), {7}), doctest::Contains("view"), ShapeError);
}

TEST_CASE("reshape and view infer one -1 extent, as PyTorch") {
  const auto& fx = fixtures::load("shape_ops");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "reshape.infer." + tag, 1, [](const TL& v) { return reshape(v[0], {-1, 2}); });
    CHECK_CASE(fx, "view.infer." + tag, 1, [](const TL& v) { return view(v[0], {3, -1, 2}); });
  }
  CHECK(gradcheck([](const TL& v) { return reshape(v[0], {3, -1}); }, {leaf64({2, 3, 2})}));
  CHECK_THROWS_WITH_AS(reshape(zeros({2, 3}), {-1, -1}), doctest::Contains("reshape: only one dim can be -1"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(reshape(zeros({2, 3}), {-1, 4}), doctest::Contains("reshape"), ShapeError);
  CHECK_THROWS_WITH_AS(view(zeros({2, 3}), {-2, 3}), doctest::Contains("view: invalid extent -2"), ShapeError);
}

TEST_CASE("bad input: flatten, squeeze, unsqueeze with dims out of range") {
  CHECK_THROWS_WITH_AS(flatten(zeros({2, 3, 4}), 2, 1), doctest::Contains("flatten"), ValueError);
  CHECK_THROWS_WITH_AS(flatten(zeros({2, 3}), 0, 2), doctest::Contains("flatten"), ValueError);
  CHECK_THROWS_WITH_AS(squeeze(zeros({2, 1}), 2), doctest::Contains("squeeze"), ValueError);
  CHECK_THROWS_WITH_AS(unsqueeze(zeros({2, 3}), 3), doctest::Contains("unsqueeze"), ValueError);
  CHECK_THROWS_WITH_AS(unsqueeze(zeros({2, 3}), -4), doctest::Contains("unsqueeze"), ValueError);
  // the edges are allowed: unsqueeze at ndim and -ndim-1
  CHECK(unsqueeze(zeros({2, 3}), 2).shape() == Shape{2, 3, 1});
  CHECK(unsqueeze(zeros({2, 3}), -3).shape() == Shape{1, 2, 3});
}

TEST_CASE("bad input: transpose with a dim out of range") {
  CHECK_THROWS_WITH_AS(transpose(zeros({2, 3}), 0, 2), doctest::Contains("transpose: dim 2 is out of range"),
                       ValueError);
  CHECK_THROWS_WITH_AS(transpose(zeros({2, 3}), -3, 0), doctest::Contains("transpose"), ValueError);
}

TEST_CASE("bad input: permute with something that is not a permutation") {
  CHECK_THROWS_WITH_AS(permute(zeros({2, 3}), {0}), doctest::Contains("permute: dims [0] has 1 entries"), ValueError);
  CHECK_THROWS_WITH_AS(permute(zeros({2, 3}), {0, 1, 2}), doctest::Contains("permute"), ValueError);
  CHECK_THROWS_WITH_AS(permute(zeros({2, 3}), {1, 1}), doctest::Contains("permute: dims [1, 1] is not a permutation"),
                       ValueError);
  CHECK_THROWS_WITH_AS(permute(zeros({2, 3}), {0, -2}), doctest::Contains("permute"), ValueError);  // -2 is 0
  CHECK_THROWS_WITH_AS(permute(zeros({2, 3}), {0, 2}), doctest::Contains("permute"), ValueError);
}

TEST_CASE("bad input: t on more than 2 dims") {
  CHECK_THROWS_WITH_AS(t(zeros({2, 3, 4})), doctest::Contains("t: expects a tensor with <= 2 dims"), ValueError);
  CHECK_THROWS_WITH_AS(zeros({2, 3, 4}).t(), doctest::Contains("[2, 3, 4]"), ValueError);
}
