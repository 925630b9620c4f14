// Linear algebra: matmul / mm / bmm / dot / linear and the mm_flags primitive, against
// PyTorch, gradcheck (including second order), zero-size products, and bad input.
#include <doctest/doctest.h>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};

Tensor leaf64(const Shape& shape, std::uint64_t seed) {
  Generator gen(seed);
  return randn(shape, {.dtype = DType::f64}, &gen).requires_grad_(true);
}

// op(a) @ op(b) checked by gradcheck for the stored shapes sa, sb
bool gradcheck_flags(const Shape& sa, const Shape& sb, bool ta, bool tb) {
  return static_cast<bool>(
      gradcheck([ta, tb](const TL& v) { return mm_flags(v[0], v[1], ta, tb); }, {leaf64(sa, 1), leaf64(sb, 2)}));
}
}  // namespace

TEST_CASE("matmul matches torch.matmul for every rank combination, in float64 and float32") {
  const auto& fx = fixtures::load("linalg");
  for (std::string tag : kTags) {
    for (const char* c : {"dot", "mat_vec", "vec_mat", "mat_mat", "batch_vec", "vec_batch", "batch_mat", "mat_batch",
                          "batch_batch", "broadcast", "broadcast_ones", "one_by_one"}) {
      CHECK_CASE(fx, fmt::format("matmul.{}.{}", c, tag), 2, [](const TL& v) { return matmul(v[0], v[1]); });
    }
    // the method form
    CHECK_CASE(fx, "matmul.broadcast." + tag, 2, [](const TL& v) { return v[0].matmul(v[1]); });
  }
}

TEST_CASE("matmul result shapes follow torch.matmul") {
  auto shape_of = [](const Shape& a, const Shape& b) { return matmul(zeros(a), zeros(b)).shape(); };
  CHECK(shape_of({4}, {4}) == Shape{});
  CHECK(shape_of({3, 4}, {4}) == Shape{3});
  CHECK(shape_of({4}, {4, 2}) == Shape{2});
  CHECK(shape_of({2, 3, 4}, {4}) == Shape{2, 3});
  CHECK(shape_of({4}, {2, 4, 3}) == Shape{2, 3});
  CHECK(shape_of({2, 1, 3, 4}, {5, 4, 2}) == Shape{2, 5, 3, 2});
  CHECK(shape_of({1, 3, 4}, {2, 1, 4, 2}) == Shape{2, 1, 3, 2});
}

TEST_CASE("mm_flags matches op(a) @ op(b) in PyTorch for each flag combination") {
  const auto& fx = fixtures::load("linalg");
  const std::vector<std::tuple<const char*, bool, bool>> cases = {
      {"nn", false, false},      {"nt", false, true},        {"tn", true, false},
      {"tt", true, true},        {"batch_nn", false, false}, {"batch_nt", false, true},
      {"batch_tn", true, false}, {"batch_tt", true, true},   {"shared_nt", false, true}};
  for (std::string tag : kTags) {
    for (const auto& [name, ta, tb] : cases) {
      const auto fn = [ta = ta, tb = tb](const TL& v) { return mm_flags(v[0], v[1], ta, tb); };
      CHECK_CASE(fx, fmt::format("mm_flags.{}.{}", name, tag), 2, fn);
    }
  }
}

TEST_CASE("mm, bmm, dot and linear match PyTorch") {
  const auto& fx = fixtures::load("linalg");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "mm." + tag, 2, [](const TL& v) { return mm(v[0], v[1]); });
    CHECK_CASE(fx, "bmm." + tag, 2, [](const TL& v) { return bmm(v[0], v[1]); });
    CHECK_CASE(fx, "dot." + tag, 2, [](const TL& v) { return dot(v[0], v[1]); });
    for (const char* c : {"vec", "mat", "batch"})
      CHECK_CASE(fx, fmt::format("linear.{}.{}", c, tag), 3, [](const TL& v) { return linear(v[0], v[1], v[2]); });
    CHECK_CASE(fx, "linear.nobias." + tag, 2, [](const TL& v) { return linear(v[0], v[1]); });
  }
}

TEST_CASE("zero-size products: K = 0 gives zeros, M = 0 or an empty batch gives an empty result") {
  const auto& fx = fixtures::load("linalg");
  for (std::string tag : kTags) {
    for (const char* c : {"k_zero", "m_zero", "batch_zero"})
      CHECK_CASE(fx, fmt::format("matmul.{}.{}", c, tag), 2, [](const TL& v) { return matmul(v[0], v[1]); });
  }
  // by hand: [2, 0] @ [0, 3] is a [2, 3] of zeros; the flags and linear accept K = 0 too
  CHECK(matmul(zeros({2, 0}), zeros({0, 3})).to_vector() == std::vector<double>(6, 0.0));
  CHECK(mm_flags(zeros({0, 2}), zeros({3, 0}), true, true).to_vector() == std::vector<double>(6, 0.0));
  CHECK(linear(zeros({2, 0}), zeros({3, 0}), ones({3})).to_vector() == std::vector<double>(6, 1.0));
  CHECK(linear(zeros({0, 4}), zeros({3, 4})).shape() == Shape{0, 3});
  CHECK(matmul(zeros({3, 4}), zeros({4, 0})).shape() == Shape{3, 0});
}

TEST_CASE("matmul by hand: [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] and its gradients") {
  Tensor a = tensor({1, 2, 3, 4}, Shape{2, 2}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = tensor({5, 6, 7, 8}, Shape{2, 2}, {.dtype = DType::f64, .requires_grad = true});
  Tensor c = matmul(a, b);
  // [[1*5 + 2*7, 1*6 + 2*8], [3*5 + 4*7, 3*6 + 4*8]]
  CHECK(c.to_vector() == std::vector<double>{19, 22, 43, 50});
  c.sum().backward();
  // dA = 1 @ Bᵀ: row sums of B = [11, 15]; dB = Aᵀ @ 1: column sums of A repeated = [4, 6]
  CHECK(a.grad().to_vector() == std::vector<double>{11, 15, 11, 15});
  CHECK(b.grad().to_vector() == std::vector<double>{4, 4, 6, 6});
  CHECK(c.grad_fn()->name() == "MmBackward0");
}

TEST_CASE("gradcheck: matmul in every rank combination, including broadcast batch dims") {
  const std::vector<std::pair<Shape, Shape>> shapes = {{{4}, {4}},
                                                       {{3, 4}, {4}},
                                                       {{4}, {4, 2}},
                                                       {{3, 4}, {4, 2}},
                                                       {{2, 3, 4}, {4}},
                                                       {{4}, {2, 4, 3}},
                                                       {{2, 3, 4}, {4, 5}},
                                                       {{3, 4}, {2, 4, 5}},
                                                       {{2, 3, 4}, {2, 4, 2}},
                                                       {{2, 1, 3, 4}, {5, 4, 2}},
                                                       {{1, 3, 4}, {2, 1, 4, 2}},
                                                       {{1, 1}, {1, 1}}};
  for (const auto& [sa, sb] : shapes) {
    CAPTURE(sa);
    CAPTURE(sb);
    CHECK(gradcheck([](const TL& v) { return matmul(v[0], v[1]); }, {leaf64(sa, 3), leaf64(sb, 4)}));
  }
  // only one side requiring grad
  CHECK(gradcheck([](const TL& v) { return matmul(v[0], v[1]); },
                  {leaf64({2, 3, 4}, 5), randn({4, 2}, {.dtype = DType::f64})}));
  CHECK(gradcheck([](const TL& v) { return matmul(v[0], v[1]); },
                  {randn({2, 3, 4}, {.dtype = DType::f64}), leaf64({4, 2}, 6)}));
}

TEST_CASE("gradcheck: mm_flags with every flag combination, batched and broadcast") {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      CAPTURE(ta);
      CAPTURE(tb);
      const Shape a2 = ta ? Shape{4, 3} : Shape{3, 4}, b2 = tb ? Shape{2, 4} : Shape{4, 2};
      CHECK(gradcheck_flags(a2, b2, ta, tb));
      const Shape a3 = ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, b3 = tb ? Shape{2, 2, 4} : Shape{4, 2};
      CHECK(gradcheck_flags(a3, b3, ta, tb));
      const Shape a4 = ta ? Shape{2, 1, 4, 3} : Shape{2, 1, 3, 4}, b4 = tb ? Shape{3, 2, 4} : Shape{3, 4, 2};
      CHECK(gradcheck_flags(a4, b4, ta, tb));
      const Shape a5 = ta ? Shape{4, 3} : Shape{3, 4}, b5 = tb ? Shape{2, 2, 4} : Shape{2, 4, 2};
      CHECK(gradcheck_flags(a5, b5, ta, tb));
      const Shape a6 = ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, b6 = tb ? Shape{1, 2, 4} : Shape{1, 4, 2};
      CHECK(gradcheck_flags(a6, b6, ta, tb));
    }
}

TEST_CASE("gradcheck: mm, bmm, dot and linear (with and without bias, 1-D to 3-D input)") {
  CHECK(gradcheck([](const TL& v) { return mm(v[0], v[1]); }, {leaf64({3, 4}, 1), leaf64({4, 5}, 2)}));
  CHECK(gradcheck([](const TL& v) { return bmm(v[0], v[1]); }, {leaf64({2, 3, 4}, 1), leaf64({2, 4, 5}, 2)}));
  CHECK(gradcheck([](const TL& v) { return dot(v[0], v[1]); }, {leaf64({5}, 1), leaf64({5}, 2)}));
  for (const Shape& sx : {Shape{4}, Shape{5, 4}, Shape{2, 3, 4}}) {
    CAPTURE(sx);
    CHECK(gradcheck([](const TL& v) { return linear(v[0], v[1], v[2]); },
                    {leaf64(sx, 1), leaf64({3, 4}, 2), leaf64({3}, 3)}));
    CHECK(gradcheck([](const TL& v) { return linear(v[0], v[1]); }, {leaf64(sx, 1), leaf64({3, 4}, 2)}));
  }
}

TEST_CASE("second order: gradients of matmul and linear are themselves differentiable") {
  // f(a, b) = sum(dA²) + sum(dB²) with dA, dB the gradients of <gout, op(a, b)> built with
  // create_graph; gradcheck differentiates it, i.e. runs the backward of the backward.
  // (The inputs are leaves inside fn, so grad() needs them to require grad: gradcheck's copies do.)
  const Tensor gout = randn({2, 3, 2}, {.dtype = DType::f64});
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      CAPTURE(ta);
      CAPTURE(tb);
      auto fn = [&gout, ta, tb](const TL& v) {
        EnableGradGuard on;  // gradcheck's numerical pass runs fn under no_grad
        const auto g = grad({mm_flags(v[0], v[1], ta, tb)}, {v[0], v[1]}, {gout}, {.create_graph = true});
        return (g[0] * g[0]).sum() + (g[1] * g[1] * v[1]).sum();
      };
      CHECK(
          gradcheck(fn, {leaf64(ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, 7), leaf64(tb ? Shape{2, 4} : Shape{4, 2}, 8)}));
    }
  auto lin = [&gout](const TL& v) {
    EnableGradGuard on;
    const auto g = grad({linear(v[0], v[1], v[2])}, {v[0], v[1], v[2]}, {gout}, {.create_graph = true});
    return (g[0] * g[0] * v[0]).sum() + (g[1] * g[1] * v[1]).sum() + (g[2] * g[2]).sum();
  };
  CHECK(gradcheck(lin, {leaf64({2, 3, 4}, 1), leaf64({2, 4}, 2), leaf64({2}, 3)}));
}

TEST_CASE("bad input: matmul with inner dims that differ") {
  CHECK_THROWS_WITH_AS(matmul(zeros({3, 4}), zeros({5, 2})),
                       "matmul: shapes [3, 4] and [5, 2] cannot be multiplied (4 != 5)", ShapeError);
  CHECK_THROWS_WITH_AS(matmul(zeros({3}), zeros({4})), doctest::Contains("matmul: shapes [3] and [4]"), ShapeError);
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 3, 4}), zeros({5})), doctest::Contains("matmul"), ShapeError);
  CHECK_THROWS_WITH_AS(matmul(zeros({5}), zeros({2, 4, 3})), doctest::Contains("(5 != 4)"), ShapeError);
}

TEST_CASE("bad input: matmul with a 0-d operand") {
  CHECK_THROWS_WITH_AS(matmul(scalar_tensor(2.0), zeros({2, 2})), doctest::Contains("matmul"), ShapeError);
  CHECK_THROWS_WITH_AS(matmul(zeros({2}), scalar_tensor(2.0)), doctest::Contains("0-d"), ShapeError);
}

TEST_CASE("bad input: matmul with batch dims that do not broadcast") {
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 3, 4}), zeros({3, 4, 5})),
                       doctest::Contains("matmul: batch dims [2] and [3] of shapes [2, 3, 4] and [3, 4, 5]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(mm_flags(zeros({2, 3, 4}), zeros({3, 5, 4}), false, true), doctest::Contains("mm_flags"),
                       ShapeError);
}

TEST_CASE("bad input: mixed dtypes and int64") {
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 2}), zeros({2, 2}, {.dtype = DType::f64})), doctest::Contains("matmul"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 2}, {.dtype = DType::i64}), zeros({2, 2}, {.dtype = DType::i64})),
                       doctest::Contains("matmul: int64"), DTypeError);
  CHECK_THROWS_WITH_AS(linear(zeros({2, 2}), zeros({2, 2}), zeros({2}, {.dtype = DType::f64})),
                       doctest::Contains("linear"), DTypeError);
}

TEST_CASE("bad input: mm_flags") {
  CHECK_THROWS_WITH_AS(mm_flags(zeros({3}), zeros({3, 2}), false, false), doctest::Contains("mm_flags"), ShapeError);
  CHECK_THROWS_WITH_AS(mm_flags(zeros({3, 4}), zeros({3, 2}), false, false),
                       doctest::Contains("mm_flags: shapes [3, 4] and [3, 2]"), ShapeError);
  // with trans_a the inner dim of a [3, 4] is 3, which fits b [3, 2]
  CHECK(mm_flags(zeros({3, 4}), zeros({3, 2}), true, false).shape() == Shape{4, 2});
}

TEST_CASE("bad input: mm, bmm and dot check their ranks and extents") {
  CHECK_THROWS_WITH_AS(mm(zeros({2, 3, 4}), zeros({4, 2})), doctest::Contains("mm: both operands must be 2-D"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(mm(zeros({2, 3}), zeros({4, 2})), "mm: shapes [2, 3] and [4, 2] cannot be multiplied (3 != 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(bmm(zeros({3, 4}), zeros({4, 2})), doctest::Contains("bmm"), ShapeError);
  CHECK_THROWS_WITH_AS(bmm(zeros({2, 3, 4}), zeros({3, 4, 2})), doctest::Contains("bmm: batch sizes"), ShapeError);
  CHECK_THROWS_WITH_AS(bmm(zeros({2, 3, 4}), zeros({2, 5, 2})), doctest::Contains("(4 != 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(dot(zeros({2, 3}), zeros({3})), doctest::Contains("dot"), ShapeError);
  CHECK_THROWS_WITH_AS(dot(zeros({3}), zeros({4})), doctest::Contains("dot"), ShapeError);
}

TEST_CASE("bad input: linear") {
  CHECK_THROWS_WITH_AS(linear(zeros({2, 5}), zeros({3, 4})), doctest::Contains("linear: input of shape [2, 5]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(linear(scalar_tensor(1.0), zeros({3, 4})), doctest::Contains("linear"), ShapeError);
  CHECK_THROWS_WITH_AS(linear(zeros({2, 4}), zeros({4})), doctest::Contains("linear: weight"), ShapeError);
  CHECK_THROWS_WITH_AS(linear(zeros({2, 4}), zeros({3, 4}), zeros({4})), doctest::Contains("linear: bias"), ShapeError);
}
