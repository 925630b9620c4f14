// custom_op: user-written forward and backward through the public API.
#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
// x^3 with a plain loop forward; dx = g * 3x^2 written with tensor ops (so double backward works)
Tensor cube(const Tensor& x) {
  return custom_op(
      "cube", {x},
      [](const std::vector<Tensor>& in) {
        std::vector<double> v = in[0].to_vector();
        for (double& e : v) e = e * e * e;
        return tensor(v, in[0].shape(), {.dtype = in[0].dtype()});
      },
      [](const Tensor& g, const std::vector<Tensor>& in, const Tensor&) { return GradList{g * (in[0] * in[0] * 3.0)}; },
      {.rule = "dx = g * 3x^2"});
}

// a * e^b (a, b broadcast); da = g e^b, db = g a e^b = g out, both summed back to the inputs' shapes
Tensor times_exp(const Tensor& a, const Tensor& b) {
  return custom_op(
      "times_exp", {a, b}, [](const std::vector<Tensor>& in) { return in[0] * exp(in[1]); },
      [](const Tensor& g, const std::vector<Tensor>& in, const Tensor& out) {
        return GradList{in[0].requires_grad() ? sum_to(g * exp(in[1]), in[0].shape()) : Tensor(),
                        in[1].requires_grad() ? sum_to(g * out, in[1].shape()) : Tensor()};
      });
}

// a custom op whose backward returns whatever `make` builds
Tensor broken(const Tensor& x, std::function<GradList(const Tensor&)> make) {
  return custom_op(
      "broken", {x}, [](const std::vector<Tensor>& in) { return in[0] * 2.0; },
      [make](const Tensor& g, const std::vector<Tensor>&, const Tensor&) { return make(g); });
}

Tensor f64(std::vector<double> v, Shape s) { return tensor(v, s, {.dtype = DType::f64, .requires_grad = true}); }
}  // namespace

TEST_CASE("custom_op computes its forward and records its backward under its name") {
  Tensor x = f64({1.0, -2.0, 0.5}, {3});
  Tensor y = cube(x);
  CHECK(y.to_vector() == std::vector<double>{1.0, -8.0, 0.125});
  REQUIRE(y.grad_fn());
  CHECK(std::string(y.grad_fn()->op()) == "cube");
  CHECK(y.grad_fn()->name() == "CubeBackward0");
  CHECK(std::string(y.grad_fn()->rule()) == "dx = g * 3x^2");
  CHECK(tape_string(y).find("cube") != std::string::npos);
  sum(y).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{3.0, 12.0, 0.75});  // 3x^2
}

TEST_CASE("custom ops pass gradcheck, with broadcasting and 0-d inputs") {
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return cube(in[0]); }, {f64({0.3, -1.2, 2.0, 0.7}, {2, 2})}));
  CHECK(gradcheck([](const std::vector<Tensor>& in) { return cube(in[0]); },
                  {scalar_tensor(0.4, {.dtype = DType::f64, .requires_grad = true})}));
  auto fn = [](const std::vector<Tensor>& in) { return times_exp(in[0], in[1]); };
  CHECK(gradcheck(fn, {f64({0.3, -1.2, 2.0, 0.7, 0.1, -0.5}, {2, 3}), f64({0.2, -0.4, 0.9}, {3})}));
  CHECK(gradcheck(fn, {f64({0.3, -1.2}, {2, 1}), scalar_tensor(0.25, {.dtype = DType::f64, .requires_grad = true})}));
  // only one input requires grad: the other gets no gradient
  CHECK(gradcheck(fn, {f64({0.3, -1.2}, {2}), tensor({0.5, 1.5}, {.dtype = DType::f64})}));
}

TEST_CASE("a custom op used twice, or given the same input twice, adds up its gradients") {
  // z = cube(x)^2 = x^6: dz/dx = 6 x^5 = 6 * 32 = 192 at x = 2
  Tensor x = f64({2.0}, {1});
  Tensor y = cube(x);
  sum(y * y).backward();
  CHECK(x.grad().item() == doctest::Approx(192.0).epsilon(1e-12));
  // times_exp(x, x) = x e^x: d/dx = e^x + x e^x = 3 e^2 at x = 2
  Tensor t = f64({2.0}, {1});
  sum(times_exp(t, t)).backward();
  CHECK(t.grad().item() == doctest::Approx(3.0 * std::exp(2.0)).epsilon(1e-12));
  // two separate calls on one input: cube(x) + cube(x) -> 6x^2 = 24
  Tensor u = f64({2.0}, {1});
  sum(cube(u) + cube(u)).backward();
  CHECK(u.grad().item() == 24.0);
}

TEST_CASE("a custom op's backward written with tensor ops supports double backward") {
  // d/dx x^3 = 3x^2; d2/dx2 = 6x = 9 at x = 1.5
  Tensor x = scalar_tensor(1.5, {.dtype = DType::f64, .requires_grad = true});
  Tensor dx = grad({cube(x)}, {x}, {}, {.create_graph = true})[0];
  CHECK(dx.item() == doctest::Approx(6.75).epsilon(1e-12));
  Tensor d2x = grad({dx}, {x})[0];
  CHECK(d2x.item() == doctest::Approx(9.0).epsilon(1e-12));
}

TEST_CASE("a custom op records nothing without inputs requiring grad or under NoGradGuard") {
  Tensor c = tensor({1.0, 2.0}, {.dtype = DType::f64});
  Tensor y = cube(c);
  CHECK_FALSE(y.requires_grad());
  CHECK(y.to_vector() == std::vector<double>{1.0, 8.0});
  Tensor x = f64({1.0}, {1});
  NoGradGuard no_grad;
  CHECK_FALSE(cube(x).requires_grad());
}

TEST_CASE("a forward that returns its own input gives a new tensor; the input stays a leaf") {
  Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = custom_op(
      "identity_op", {x}, [](const std::vector<Tensor>& in) { return in[0]; },
      [](const Tensor& g, const std::vector<Tensor>&, const Tensor&) { return GradList{g}; });
  CHECK_FALSE(y.is_same(x));
  CHECK(x.is_leaf());
  CHECK_FALSE(y.is_leaf());
  sum(y * 3.0).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{3.0, 3.0});
}

TEST_CASE("a backward returning a gradient of the wrong shape is a ShapeError naming the op and both shapes") {
  Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = broken(x, [](const Tensor& g) { return GradList{zeros({3}, {.dtype = g.dtype()})}; });
  CHECK_THROWS_WITH_AS(sum(y).backward(), "broken: backward returned a gradient of shape [3] for input 0 of shape [2]",
                       ShapeError);
}

TEST_CASE("a backward returning the wrong number of gradients is a ValueError") {
  Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = broken(x, [](const Tensor& g) { return GradList{g, g}; });
  CHECK_THROWS_WITH_AS(sum(y).backward(), doctest::Contains("broken: backward returned 2 gradients for 1 inputs"),
                       ValueError);
}

TEST_CASE("a backward returning a gradient of the wrong dtype is a DTypeError") {
  Tensor x = f64({1.0, 2.0}, {2});
  Tensor y = broken(x, [](const Tensor& g) { return GradList{g.to(DType::f32)}; });
  CHECK_THROWS_WITH_AS(sum(y).backward(), doctest::Contains("broken: backward returned a float32 gradient for input 0"),
                       DTypeError);
}

TEST_CASE("gradcheck catches a custom op whose backward is wrong, naming the input and element") {
  // rule says dx = g * 2x^2 instead of 3x^2
  auto wrong = [](const std::vector<Tensor>& in) {
    return custom_op(
        "wrong_cube", {in[0]}, [](const std::vector<Tensor>& v) { return v[0] * v[0] * v[0]; },
        [](const Tensor& g, const std::vector<Tensor>& v, const Tensor&) { return GradList{g * (v[0] * v[0] * 2.0)}; });
  };
  const GradcheckReport r = gradcheck(wrong, {f64({1.0, 2.0}, {2})});
  CHECK_FALSE(r.ok);
  CHECK(r.input == 0);
  CHECK(r.index == std::vector<std::int64_t>{1});  // x = 2: numerical 12, analytical 8
  CHECK(r.numerical == doctest::Approx(12.0).epsilon(1e-6));
  CHECK(r.analytical == doctest::Approx(8.0));
  CHECK(r.message().find("gradcheck failed") != std::string::npos);
}

TEST_CASE("custom_op rejects an empty name, an undefined forward result and an int64 result needing grad") {
  Tensor x = f64({1.0}, {1});
  auto back = [](const Tensor& g, const std::vector<Tensor>&, const Tensor&) { return GradList{g}; };
  CHECK_THROWS_WITH_AS(custom_op(
                           "", {x}, [](const std::vector<Tensor>& in) { return in[0]; }, back),
                       doctest::Contains("custom_op"), ValueError);
  CHECK_THROWS_WITH_AS(custom_op(
                           "nothing", {x}, [](const std::vector<Tensor>&) { return Tensor(); }, back),
                       "nothing: forward returned an undefined tensor", StateError);
  CHECK_THROWS_WITH_AS(
      custom_op(
          "to_index", {x}, [](const std::vector<Tensor>&) { return zeros({1}, {.dtype = DType::i64}); }, back),
      doctest::Contains("to_index: forward returned an int64 tensor"), DTypeError);
  CHECK_THROWS_WITH_AS(custom_op(
                           "no_backward", {x}, [](const std::vector<Tensor>& in) { return in[0]; }, nullptr),
                       doctest::Contains("no_backward"), ValueError);
}
