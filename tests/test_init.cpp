// nn::init: gains and fans with torch's formulas (values worked by hand), statistics of each
// random initialiser over large tensors, in-place behaviour on parameters, seeding, bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn_fixtures.hpp"

using namespace tapegrad;
namespace init = tapegrad::nn::init;

namespace {
struct Stats {
  double mean, std, min, max;
};
Stats stats(const Tensor& t) {
  const auto v = t.to_vector();
  double sum = 0, sq = 0;
  for (double x : v) sum += x;
  const double n = static_cast<double>(v.size()), mean = sum / n;
  for (double x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / n), *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}
Tensor param(const Shape& s, DType dt = DType::f32) { return empty(s, {.dtype = dt, .requires_grad = true}); }
}  // namespace

TEST_CASE("calculate_gain follows torch.nn.init.calculate_gain") {
  CHECK(init::calculate_gain("linear") == 1.0);
  CHECK(init::calculate_gain("conv2d") == 1.0);
  CHECK(init::calculate_gain("sigmoid") == 1.0);
  CHECK(init::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0).epsilon(1e-15));
  CHECK(init::calculate_gain("relu") == doctest::Approx(std::sqrt(2.0)).epsilon(1e-15));
  // leaky_relu: sqrt(2 / (1 + slope^2)), slope 0.01 by default
  CHECK(init::calculate_gain("leaky_relu") == doctest::Approx(std::sqrt(2.0 / 1.0001)).epsilon(1e-15));
  CHECK(init::calculate_gain("leaky_relu", 0.2) == doctest::Approx(std::sqrt(2.0 / 1.04)).epsilon(1e-15));
  // a = sqrt(5): sqrt(2 / 6) = 1 / sqrt(3)
  CHECK(init::calculate_gain("leaky_relu", std::sqrt(5.0)) == doctest::Approx(1.0 / std::sqrt(3.0)).epsilon(1e-15));
  CHECK(init::calculate_gain("selu") == 0.75);
  CHECK_THROWS_WITH_AS(init::calculate_gain("swish"), doctest::Contains("calculate_gain"), ValueError);
}

TEST_CASE("fan_in and fan_out: [out, in] and [out, in, k...] as torch") {
  CHECK(init::calculate_fan_in_and_fan_out(zeros({5, 3})) == std::pair<std::int64_t, std::int64_t>{3, 5});
  // [6, 4, 3, 2]: receptive field 6, fan_in 4*6 = 24, fan_out 6*6 = 36
  CHECK(init::calculate_fan_in_and_fan_out(zeros({6, 4, 3, 2})) == std::pair<std::int64_t, std::int64_t>{24, 36});
  CHECK_THROWS_WITH_AS(init::calculate_fan_in_and_fan_out(zeros({5})), doctest::Contains("fewer than 2"), ValueError);
}

TEST_CASE("uniform_ and normal_ have the requested moments; they fill parameters in place") {
  for (DType dt : {DType::f32, DType::f64}) {
    Tensor w = param({400, 500}, dt);
    const Tensor same = init::uniform_(w, -2.0, 3.0);
    CHECK(same.is_same(w));
    auto s = stats(w);
    CHECK(s.min >= -2.0);
    CHECK(s.max < 3.0);
    CHECK(s.mean == doctest::Approx(0.5).epsilon(0.01));
    CHECK(s.std == doctest::Approx(5.0 / std::sqrt(12.0)).epsilon(0.01));  // (b - a) / sqrt(12)
    init::normal_(w, 1.0, 0.5);
    s = stats(w);
    CHECK(s.mean == doctest::Approx(1.0).epsilon(0.005));
    CHECK(s.std == doctest::Approx(0.5).epsilon(0.01));
    CHECK(w.requires_grad());
  }
}

TEST_CASE("constant_, zeros_ and ones_") {
  Tensor w = param({3, 4});
  init::constant_(w, 0.25);
  CHECK(w.to_vector() == std::vector<double>(12, 0.25));
  init::zeros_(w);
  CHECK(w.to_vector() == std::vector<double>(12, 0.0));
  init::ones_(w);
  CHECK(w.to_vector() == std::vector<double>(12, 1.0));
}

TEST_CASE("xavier_uniform_ and xavier_normal_: std = gain sqrt(2 / (fan_in + fan_out))") {
  Tensor w = param({300, 500});
  // bound = sqrt(6 / 800) * gain
  const double gain = 5.0 / 3.0, std = gain * std::sqrt(2.0 / 800.0), bound = std::sqrt(3.0) * std;
  init::xavier_uniform_(w, gain);
  auto s = stats(w);
  CHECK(s.min >= -bound);
  CHECK(s.max <= bound);
  CHECK(s.max > 0.99 * bound);
  CHECK(s.std == doctest::Approx(std).epsilon(0.01));
  init::xavier_normal_(w);
  s = stats(w);
  CHECK(s.std == doctest::Approx(std::sqrt(2.0 / 800.0)).epsilon(0.01));
  CHECK(std::abs(s.mean) < 0.001);
  // 4-D: fans 4 * 9 = 36 and 8 * 9 = 72
  Tensor k = param({8, 4, 3, 3});
  init::xavier_uniform_(k);
  CHECK(stats(k).max <= std::sqrt(6.0 / 108.0));
}

TEST_CASE("kaiming_uniform_ and kaiming_normal_: std = gain / sqrt(fan), by mode and nonlinearity") {
  Tensor w = param({600, 400});
  // a = sqrt(5), fan_in 400: bound = 1 / sqrt(400) = 0.05 (Linear's default)
  init::kaiming_uniform_(w, std::sqrt(5.0));
  auto s = stats(w);
  CHECK(s.min >= -0.05);
  CHECK(s.max <= 0.05);
  CHECK(s.max > 0.0499);
  // relu, fan_out 600: bound = sqrt(2) * sqrt(3 / 600)
  init::kaiming_uniform_(w, 0.0, "fan_out", "relu");
  s = stats(w);
  CHECK(s.max <= std::sqrt(6.0 / 600.0));
  CHECK(s.max > 0.99 * std::sqrt(6.0 / 600.0));
  CHECK(s.std == doctest::Approx(std::sqrt(2.0 / 600.0)).epsilon(0.01));
  // normal, relu, fan_in: std = sqrt(2 / 400)
  init::kaiming_normal_(w, 0.0, "fan_in", "relu");
  CHECK(stats(w).std == doctest::Approx(std::sqrt(2.0 / 400.0)).epsilon(0.01));
  // default leaky_relu with a = 0 is relu's gain; tanh: 5/3 / sqrt(400)
  init::kaiming_normal_(w, 0.0, "fan_in", "tanh");
  CHECK(stats(w).std == doctest::Approx(5.0 / 3.0 / 20.0).epsilon(0.01));
  // a zero-element tensor is left alone, as torch
  Tensor none = param({0, 3});
  CHECK(init::kaiming_uniform_(none).numel() == 0);
}

TEST_CASE("initialisers are reproducible with a Generator or manual_seed") {
  Tensor a = param({10, 10}), b = param({10, 10});
  Generator g1(4), g2(4);
  init::kaiming_normal_(a, 0.0, "fan_in", "relu", &g1);
  init::kaiming_normal_(b, 0.0, "fan_in", "relu", &g2);
  CHECK(a.to_vector() == b.to_vector());
  manual_seed(9);
  init::xavier_uniform_(a);
  manual_seed(9);
  init::xavier_uniform_(b);
  CHECK(a.to_vector() == b.to_vector());
}

TEST_CASE("bad input: mode, bounds, int64 and undefined tensors") {
  Tensor w = param({3, 3});
  CHECK_THROWS_WITH_AS(init::kaiming_uniform_(w, 0.0, "fan_avg"), doctest::Contains("kaiming_uniform_"), ValueError);
  CHECK_THROWS_WITH_AS(init::kaiming_normal_(w, 0.0, "fan_in", "cubic"), doctest::Contains("cubic"), ValueError);
  CHECK_THROWS_WITH_AS(init::uniform_(w, 1.0, 0.0), doctest::Contains("uniform_"), ValueError);
  CHECK_THROWS_WITH_AS(init::normal_(w, 0.0, -1.0), doctest::Contains("normal_"), ValueError);
  CHECK_THROWS_AS(init::ones_(zeros({2}, {.dtype = DType::i64})), DTypeError);
  CHECK_THROWS_AS(init::zeros_(Tensor()), StateError);
  CHECK_THROWS_AS(init::xavier_normal_(param({4})), ValueError);
}
