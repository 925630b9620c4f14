// clip_grad_norm_ and clip_grad_value_ against torch.nn.utils (tests/fixtures/gen_clip_grad.py),
// hand-worked values, edge cases and errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;
using optim::clip_grad_norm_;
using optim::clip_grad_value_;

namespace {

// the fixture's three gradients on fresh parameters, plus a fourth parameter without one
std::vector<Tensor> params_with_grads(const std::string& dt) {
  const auto& fx = fixtures::load("clip_grad");
  std::vector<Tensor> params;
  for (int i = 0; i < 3; ++i) {
    const Tensor g = fx["grads." + dt + ".g" + std::to_string(i)];
    Tensor p = zeros(g.shape(), {.dtype = g.dtype(), .requires_grad = true});
    p.set_grad(g.clone());
    params.push_back(p);
  }
  params.push_back(zeros({2}, {.dtype = params[0].dtype(), .requires_grad = true}));
  return params;
}

}  // namespace

TEST_CASE("clip_grad_norm_ matches torch for p = 2, 1, 3, 0.5, inf, -inf and 0, clipping or not, f64 and f32") {
  const auto& fx = fixtures::load("clip_grad");
  const std::vector<std::pair<std::string, double>> norms = {
      {"2", 2.0}, {"1", 1.0}, {"3", 3.0}, {"p0.5", 0.5}, {"inf", INFINITY}, {"-inf", -INFINITY}, {"0", 0.0}};
  const std::vector<std::pair<std::string, double>> maxes = {{"small", 0.5}, {"large", 1e4}};
  for (const std::string dt : {"f64", "f32"})
    for (const auto& [pname, p] : norms)
      for (const auto& [mname, max_norm] : maxes) {
        const std::string name = "norm." + pname + "." + mname + "." + dt;
        CAPTURE(name);
        auto params = params_with_grads(dt);
        const Tensor total = clip_grad_norm_(params, max_norm, p);
        CHECK(total.dim() == 0);
        CHECK_CLOSE_T(total, fx[name + ".total"]);
        for (int i = 0; i < 3; ++i) CHECK_CLOSE_T(params[i].grad(), fx[name + ".g" + std::to_string(i)]);
        CHECK_FALSE(params[3].has_grad());
      }
}

TEST_CASE("clip_grad_value_ matches torch") {
  const auto& fx = fixtures::load("clip_grad");
  for (const std::string dt : {"f64", "f32"})
    for (const double clip : {0.5, 2.0}) {
      const std::string name = "value." + std::string(clip == 0.5 ? "0.5" : "2.0") + "." + dt;
      CAPTURE(name);
      auto params = params_with_grads(dt);
      clip_grad_value_(params, clip);
      for (int i = 0; i < 3; ++i) CHECK_CLOSE_T(params[i].grad(), fx[name + ".g" + std::to_string(i)]);
    }
}

TEST_CASE("clip_grad_norm_ worked by hand: a 3-4-5 triangle, the 1e-6 in the divisor") {
  Tensor a = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  a.set_grad(tensor({3.0}, {.dtype = DType::f64}));
  b.set_grad(tensor({4.0}, {.dtype = DType::f64}));
  const Tensor total = clip_grad_norm_({a, b}, 1.0);
  CHECK(total.item() == 5.0);
  const double coef = 1.0 / (5.0 + 1e-6);  // not exactly 1 / 5
  CHECK(a.grad().item() == 3.0 * coef);
  CHECK(b.grad().item() == 4.0 * coef);
  // under the limit the gradients are multiplied by 1 (unchanged)
  CHECK(clip_grad_norm_({a, b}, 10.0).item() == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(a.grad().item() == 3.0 * coef);
}

TEST_CASE("clip_grad_norm_ edge cases: no gradients, non-finite norms") {
  Tensor p = zeros({2}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor none = clip_grad_norm_({p}, 1.0);
  CHECK(none.item() == 0.0);
  CHECK(none.dtype() == DType::f32);  // torch.tensor(0.)

  p.set_grad(tensor({INFINITY, 1.0}, {.dtype = DType::f64}));
  CHECK_THROWS_WITH_AS(clip_grad_norm_({p}, 1.0, 2.0, true), doctest::Contains("clip_grad_norm_: the total norm"),
                       ValueError);
  CHECK(p.grad().to_vector()[1] == 1.0);           // nothing changed
  const Tensor total = clip_grad_norm_({p}, 1.0);  // scales by 1 / inf, as torch: inf * 0 = nan, 1 * 0 = 0
  CHECK(std::isinf(total.item()));
  CHECK(std::isnan(p.grad().to_vector()[0]));
  CHECK(p.grad().to_vector()[1] == 0.0);
}

TEST_CASE("clip_grad_norm_ rejects gradients of different dtypes") {
  Tensor a = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  Tensor b = zeros({1}, {.requires_grad = true});
  a.set_grad(ones({1}, {.dtype = DType::f64}));
  b.set_grad(ones({1}));
  CHECK_THROWS_WITH_AS(clip_grad_norm_({a, b}, 1.0),
                       doctest::Contains("clip_grad_norm_: gradients of different dtypes"), DTypeError);
}

TEST_CASE("clip_grad_value_ clamps in place and leaves NaN") {
  Tensor p = zeros({4}, {.dtype = DType::f64, .requires_grad = true});
  p.set_grad(tensor({-3.0, 0.25, 7.0, NAN}, {.dtype = DType::f64}));
  Tensor g = p.grad();
  clip_grad_value_({p}, 1.0);
  const auto v = g.to_vector();
  CHECK(v[0] == -1.0);
  CHECK(v[1] == 0.25);
  CHECK(v[2] == 1.0);
  CHECK(std::isnan(v[3]));
}
