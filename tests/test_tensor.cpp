// Tensor creation, reading, conversion, printing and the errors of each.
#include <doctest/doctest.h>

#include <sstream>

#include "fixtures.hpp"

using namespace tapegrad;
using V = std::vector<double>;

TEST_CASE("creation functions give PyTorch's values, shapes and default dtype float32") {
  CHECK(zeros({2, 3}).dtype() == DType::f32);
  CHECK(zeros({2, 3}).shape() == Shape{2, 3});
  CHECK(zeros({2, 3}).to_vector() == V(6, 0.0));
  CHECK(ones({2}).to_vector() == V{1, 1});
  CHECK(full({2, 2}, 2.5, {.dtype = DType::f64}).to_vector() == V(4, 2.5));
  CHECK(arange(5).to_vector() == V{0, 1, 2, 3, 4});
  // integer arguments give int64, float arguments the default float dtype, as torch.arange
  CHECK(arange(5).dtype() == DType::i64);
  CHECK(arange(5.0).dtype() == DType::f32);
  CHECK(arange(0, 5, 2).dtype() == DType::i64);
  CHECK(arange(0, 5, 2).to_vector() == V{0, 2, 4});
  CHECK(arange(-1, -8, -3).to_vector() == V{-1, -4, -7});
  CHECK(arange(4, {.dtype = DType::f64}).dtype() == DType::f64);
  CHECK(arange(0.0, 1.0, 0.25).dtype() == DType::f32);
  CHECK(arange(1, 2, 0.25).to_vector() == V{1, 1.25, 1.5, 1.75});
  CHECK(arange(5, 0, -2).to_vector() == V{5, 3, 1});
  CHECK(arange(0, 1, 0.3, {.dtype = DType::f64}).numel() == 4);  // torch: ceil(1/0.3) = 4
  CHECK(linspace(0, 1, 5, {.dtype = DType::f64}).to_vector() == V{0, 0.25, 0.5, 0.75, 1});
  CHECK(linspace(-1, 1, 1).to_vector() == V{-1});
  CHECK(eye(2, 3).to_vector() == V{1, 0, 0, 0, 1, 0});
  CHECK(eye(3).shape() == Shape{3, 3});
  Tensor t = tensor({1, 2, 3, 4, 5, 6}, Shape{2, 3}, {.dtype = DType::f64});
  CHECK(t.dim() == 2);
  CHECK(t.numel() == 6);
  CHECK(t.size(-1) == 3);
  CHECK(zeros_like(t).dtype() == DType::f64);
  CHECK(ones_like(t).to_vector() == V(6, 1.0));
  CHECK(full_like(t, 7).to_vector() == V(6, 7.0));
  CHECK(empty_like(t).shape() == t.shape());
  CHECK(ones_like(t, TensorOptions{.dtype = DType::f32}).dtype() == DType::f32);
  CHECK(scalar_tensor(3.5).dim() == 0);
  CHECK(scalar_tensor(3.5).item() == 3.5);
  CHECK(zeros({0, 3}).numel() == 0);
}

TEST_CASE("linspace matches torch.linspace to the last bit") {
  // torch.linspace(0, 1, 7, dtype=float64) fills the first half from start and the second from end
  const V expected{0.0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666667, 0.8333333333333334, 1.0};
  CHECK(linspace(0, 1, 7, {.dtype = DType::f64}).to_vector() == expected);
}

TEST_CASE("item, data and array read values; to() converts; clone copies; detach shares") {
  Tensor t = tensor({1.5, -2.25}, {.dtype = DType::f64});
  CHECK(t.data<double>()[1] == -2.25);
  CHECK_THROWS_WITH_AS(t.data<float>(), doctest::Contains("requested float32 but the tensor is float64"), DTypeError);
  auto a = t.array<double>();
  CHECK(a.shape()[0] == 2);
  CHECK(a(0) == 1.5);
  Tensor f = t.to(DType::f32);
  CHECK(f.dtype() == DType::f32);
  CHECK(f.to_vector() == V{1.5, -2.25});
  CHECK(t.to(DType::i64).to_vector() == V{1, -2});  // truncation toward zero, as torch
  Tensor c = t.clone();
  c.fill_(0);
  CHECK(t.to_vector() == V{1.5, -2.25});
  Tensor d = t.detach();
  d.fill_(9);
  CHECK(t.to_vector() == V{9, 9});
  CHECK_THROWS_WITH_AS(t.item(), doctest::Contains("item: only a tensor with one element"), StateError);
  CHECK(scalar_tensor(4, {.dtype = DType::i64}).item<std::int64_t>() == 4);
}

TEST_CASE("bad creation arguments throw typed errors naming the function") {
  CHECK_THROWS_WITH_AS(tensor({1, 2, 3}, Shape{2, 2}), doctest::Contains("tensor: 3 values given for shape [2, 2]"),
                       ShapeError);
  CHECK_THROWS_AS(Shape({2, -1}), ValueError);
  CHECK_THROWS_AS(Shape({1, 1, 1, 1, 1, 1, 1, 1, 1}), ShapeError);
  CHECK_THROWS_WITH_AS(arange(0, 1, 0), doctest::Contains("arange"), ValueError);
  CHECK_THROWS_WITH_AS(arange(0, 5, -1), doctest::Contains("arange"), ValueError);
  CHECK_THROWS_AS(linspace(0, 1, -1), ValueError);
  CHECK_THROWS_WITH_AS(zeros({2}, {.dtype = DType::i64, .requires_grad = true}), doctest::Contains("floating"),
                       DTypeError);
  CHECK_THROWS_AS(Tensor().shape(), StateError);
  CHECK_THROWS_WITH_AS(zeros({2, 3}).size(2), doctest::Contains("size: dim 2 is out of range"), ValueError);
  Tensor a = zeros({2}, {.requires_grad = true});
  CHECK_THROWS_AS((a * 2.0).requires_grad_(false), StateError);
  CHECK_THROWS_AS(zeros({2}).copy_(zeros({3})), ShapeError);
}

TEST_CASE("printing follows PyTorch's repr, with shape, dtype and grad_fn") {
  CHECK(to_string(tensor({1, 2, 3})) == "tensor([1., 2., 3.], shape=[3])");
  CHECK(to_string(tensor({1.5, -2, 3}, Shape{3, 1})) ==
        "tensor([[ 1.5000],\n        [-2.0000],\n        [ 3.0000]], shape=[3, 1])");
  CHECK(to_string(scalar_tensor(0.5, {.dtype = DType::f64})) == "tensor(0.5000, shape=[], dtype=float64)");
  CHECK(to_string(tensor({1e-5, 1})) == "tensor([1.0000e-05, 1.0000e+00], shape=[2])");
  CHECK(to_string(tensor({3, 7}, {.dtype = DType::i64})) == "tensor([3, 7], shape=[2], dtype=int64)");
  Tensor x = tensor({1, 2}, {.requires_grad = true});
  CHECK(to_string(x) == "tensor([1., 2.], shape=[2], requires_grad=True)");
  CHECK(to_string(x * x) == "tensor([1., 4.], shape=[2], grad_fn=<MulBackward0>)");
  CHECK(to_string(zeros({2, 0})) == "tensor([], shape=[2, 0])");
  std::ostringstream os;
  os << tensor({2});
  CHECK(os.str() == "tensor([2.], shape=[1])");
  CHECK(fmt::format("{}", tensor({2})) == "tensor([2.], shape=[1])");
  // more than 1000 elements are summarised with ... as torch does
  const std::string big = to_string(arange(2000.0));
  CHECK(big.find("...") != std::string::npos);
  CHECK(big.find("1997.") != std::string::npos);
}

TEST_CASE("Shape: numel, broadcasting and dims") {
  CHECK(Shape{}.numel() == 1);
  CHECK(Shape{2, 3, 4}.numel() == 24);
  CHECK(Shape{2, 3}.str() == "[2, 3]");
  CHECK(broadcast_shapes({2, 1, 4}, {3, 1}, "t") == Shape{2, 3, 4});
  CHECK(broadcast_shapes({}, {5}, "t") == Shape{5});
  CHECK(broadcast_shapes({0, 1}, {1, 3}, "t") == Shape{0, 3});
  CHECK_THROWS_WITH_AS(broadcast_shapes({2, 3}, {4}, "add"), doctest::Contains("add: shapes [2, 3] and [4]"),
                       ShapeError);
  CHECK(contiguous_strides({2, 3, 4}) == Shape{12, 4, 1});
  CHECK(wrap_dim(-1, 3, "t") == 2);
  CHECK(wrap_dim(0, 0, "t") == 0);
  CHECK_THROWS_AS(wrap_dim(3, 3, "t"), ValueError);
}
