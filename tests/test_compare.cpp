// Comparisons (autograd/ops/compare.cpp): masks in the operands' dtype; numbers compared exactly
// with int64 tensors; the reversed operator forms.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
using V = std::vector<double>;
Tensor ints(const V& v) { return tensor(v, {.dtype = DType::i64}); }
}  // namespace

TEST_CASE("an int64 tensor compared with a fractional number compares exactly, never truncating it") {
  const Tensor x = ints({0, 1, 2});
  CHECK((x >= 1.5).to_vector() == V{0, 0, 1});  // truncating 1.5 to 1 gave [0, 1, 1]
  CHECK((x > 1.5).to_vector() == V{0, 0, 1});
  CHECK((x < 1.5).to_vector() == V{1, 1, 0});
  CHECK((x <= 0.5).to_vector() == V{1, 0, 0});
  CHECK((x == 1.0).to_vector() == V{0, 1, 0});
  CHECK((x == 1.5).to_vector() == V{0, 0, 0});
  CHECK((x != 1.5).to_vector() == V{1, 1, 1});
  CHECK((x >= 1.5).dtype() == DType::i64);
  // -0.5 truncates to 0, which would make 0 > -0.5 false
  CHECK(gt(x, -0.5).to_vector() == V{1, 1, 1});
}

TEST_CASE("int64 against numbers beyond the float range of exact integers, infinities and NaN") {
  // 2^53 + 1 is not a double; the number 2^53 compares below it
  const Tensor big = tensor({9007199254740993.0}, {.dtype = DType::i64});
  CHECK(big.item<std::int64_t>() == 9007199254740992);  // tensor() takes doubles: 2^53
  Tensor exact = zeros({1}, {.dtype = DType::i64});
  exact.data<std::int64_t>()[0] = 9007199254740993;  // 2^53 + 1
  CHECK((exact > 9007199254740992.0).item() == 1.0);
  CHECK((exact == 9007199254740992.0).item() == 0.0);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = ints({-5, 0, 5});
  CHECK((x < inf).to_vector() == V{1, 1, 1});
  CHECK((x > -inf).to_vector() == V{1, 1, 1});
  CHECK((x == nan).to_vector() == V{0, 0, 0});
  CHECK((x != nan).to_vector() == V{1, 1, 1});
  CHECK((x < nan).to_vector() == V{0, 0, 0});
}

TEST_CASE("a float tensor compares with the number in its own dtype, as PyTorch") {
  const Tensor x = tensor({0.1, 0.2});       // float32
  CHECK((x == 0.1).to_vector() == V{1, 0});  // 0.1 converted to float32 equals the element
  CHECK((x >= 0.15).dtype() == DType::f32);
  CHECK((tensor({0.1}, {.dtype = DType::f64}) == 0.1).item() == 1.0);
}

TEST_CASE("a number on the left flips the relation: 1.5 < x is x > 1.5") {
  const Tensor x = ints({1, 2});
  CHECK((1.5 < x).to_vector() == V{0, 1});
  CHECK((1.5 > x).to_vector() == V{1, 0});
  CHECK((2.0 <= x).to_vector() == V{0, 1});
  CHECK((1.0 >= x).to_vector() == V{1, 0});
  CHECK((2.0 == x).to_vector() == V{0, 1});
  CHECK((2.0 != x).to_vector() == V{1, 0});
}

TEST_CASE("comparisons never record and refuse mixed dtypes, naming the op") {
  const Tensor a = tensor({1.0, 2.0}, {.requires_grad = true});
  CHECK_FALSE((a > 1.0).requires_grad());
  CHECK_THROWS_WITH_AS(lt(a, tensor({1.0, 2.0}, {.dtype = DType::f64})),
                       doctest::Contains("lt: dtypes float32 and float64"), DTypeError);
  CHECK_THROWS_WITH_AS(eq(a, zeros({3})), doctest::Contains("eq"), ShapeError);
}
