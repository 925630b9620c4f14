// Broadcasting (autograd/ops/broadcast.cpp): expand and broadcast_to against PyTorch
// (fixtures/sum_expand.txt), their gradients summed back by sum_to, gradcheck, and bad shapes.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
// the target shape of each fixture case ("keep" uses -1: keep that dim)
const std::map<std::string, ShapeRequest> kTargets = {
    {"row", {3, 4}},    {"col", {3, 4}},  {"lead", {2, 3, 4}}, {"mid", {2, 3, 4, 5}},
    {"scalar", {2, 3}}, {"same", {2, 3}}, {"keep", {-1, 4}},
};
}  // namespace

TEST_CASE("expand and broadcast_to match PyTorch's values and gradients (leading dims, 1s, -1, 0-d)") {
  const auto& fx = fixtures::load("sum_expand");
  int n = 0;
  for (const char* tag : {"f64", "f32"})
    for (const auto& [name, target] : kTargets) {
      CHECK_CASE(fx, fmt::format("expand.{}.{}", name, tag), 1,
                 [&](const std::vector<Tensor>& in) { return expand(in[0], target); });
      CHECK_CASE(fx, fmt::format("broadcast_to.{}.{}", name, tag), 1,
                 [&](const std::vector<Tensor>& in) { return broadcast_to(in[0], target); });
      n += 2;
    }
  CHECK(n == 28);
}

TEST_CASE("gradcheck: expand and broadcast_to, and their second derivatives") {
  const Tensor x = randn({3, 1, 2}, {.dtype = DType::f64, .requires_grad = true});
  CHECK(gradcheck([](const std::vector<Tensor>& v) { return expand(v[0], {4, 3, 5, 2}) * 1.5; }, {x}));
  CHECK(gradcheck([](const std::vector<Tensor>& v) { return broadcast_to(v[0], {3, 4, 2}); }, {x}));
  // d/dx <w, expand(x)^2> = 2 x sum_to(w): differentiate that again
  const Tensor w = randn({4, 3, 5, 2}, {.dtype = DType::f64});
  CHECK(gradcheck(
      [&](const std::vector<Tensor>& v) {
        EnableGradGuard on;
        const Tensor y = expand(v[0], {4, 3, 5, 2});
        return grad({sum(y * y * w)}, {v[0]}, {}, {.create_graph = true})[0];
      },
      {x}));
}

TEST_CASE("expand's gradient is the upstream gradient summed over the expanded dims") {
  const Tensor x = tensor({1.0, 2.0}, Shape{2, 1}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor y = expand(x, {3, 2, 4});
  CHECK(y.grad_fn()->name() == "ExpandBackward0");
  y.backward(ones_like(y));
  CHECK(x.grad().to_vector() == std::vector<double>{12.0, 12.0});  // 3 * 4 copies of each
}

TEST_CASE("expand rejects shapes that do not broadcast, naming the op and both shapes") {
  const Tensor x = zeros({3, 2});
  CHECK_THROWS_WITH_AS(expand(x, {3, 4}), doctest::Contains("expand: shape [3, 2] cannot be expanded to [3, 4]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(expand(x, {2}), doctest::Contains("fewer dims"), ShapeError);
  CHECK_THROWS_WITH_AS(broadcast_to(x, {-1, 3, 2}), doctest::Contains("-1 is not allowed"), ShapeError);
}
