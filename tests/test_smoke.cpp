#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>
using namespace tapegrad;
TEST_CASE("smoke") {
  Tensor a = tensor({1, 2, 3}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = tensor({4, 5, 6}, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = mul(a, b) + a;
  Tensor s = sum_to(y, Shape{});
  s.backward();
  CHECK(a.grad().to_vector() == std::vector<double>{5, 6, 7});
  CHECK(b.grad().to_vector() == std::vector<double>{1, 2, 3});
  MESSAGE(to_string(y));
}
