// Synthetic sets: shapes, dtypes, values worked by hand with noise 0, the noise's size,
// reproducibility by seed, and bad arguments.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <vector>

using namespace tapegrad;

TEST_CASE("spirals without noise puts point i of class c at radius i/(n-1), angle 4(c + r)") {
  const data::Sample s = data::spirals(3, 2, 0.0, 7, DType::f64);
  CHECK(s.input.shape() == Shape{6, 2});
  CHECK(s.input.dtype() == DType::f64);
  CHECK(s.target.shape() == Shape{6});
  CHECK(s.target.dtype() == DType::i64);
  CHECK(s.target.to_vector() == std::vector<double>{0, 0, 0, 1, 1, 1});
  // (r sin a, r cos a): class 0: r = 0, 0.5, 1 at a = 0, 2, 4; class 1: a = 4, 6, 8
  const std::vector<double> expected = {0.0,
                                        0.0,  // r = 0
                                        0.45464871341284085,
                                        -0.2080734182735712,  // 0.5 sin 2, 0.5 cos 2
                                        -0.7568024953079282,
                                        -0.6536436208636119,  // sin 4, cos 4
                                        0.0,
                                        0.0,  // class 1, r = 0
                                        -0.13970774909946293,
                                        0.480085143325183,  // 0.5 sin 6, 0.5 cos 6
                                        0.9893582466233818,
                                        -0.14550003380861354};  // sin 8, cos 8
  const std::vector<double> got = s.input.to_vector();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));
}

TEST_CASE("spirals: noise turns the angle only, float32 by default, same seed same set") {
  const data::Sample s = data::spirals(50, 3, 0.3, 11);
  CHECK(s.input.shape() == Shape{150, 2});
  CHECK(s.input.dtype() == DType::f32);
  const std::vector<double> xy = s.input.to_vector();
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 50; ++i) {
      const std::size_t k = static_cast<std::size_t>(c * 50 + i);
      CHECK(std::hypot(xy[2 * k], xy[2 * k + 1]) == doctest::Approx(i / 49.0).epsilon(1e-6));
    }
  CHECK(data::spirals(50, 3, 0.3, 11).input.to_vector() == xy);
  CHECK(data::spirals(50, 3, 0.3, 12).input.to_vector() != xy);
}

TEST_CASE("moons without noise are sklearn's make_moons(shuffle=False) half circles") {
  // n = 5: 2 upper points at t = 0, pi; 3 lower points at t = 0, pi/2, pi
  const data::Sample s = data::moons(5, 0.0, 3, DType::f64);
  CHECK(s.input.shape() == Shape{5, 2});
  CHECK(s.target.to_vector() == std::vector<double>{0, 0, 1, 1, 1});
  const std::vector<double> expected = {1, 0, -1, 0, 0, 0.5, 1, -0.5, 2, 0.5};
  const std::vector<double> got = s.input.to_vector();
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));
}

TEST_CASE("moons add Gaussian noise of the given standard deviation; seeded") {
  const std::int64_t n = 4000;
  const auto clean = data::moons(n, 0.0, 1, DType::f64).input.to_vector();
  const auto noisy = data::moons(n, 0.1, 1, DType::f64).input.to_vector();
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const double d = noisy[i] - clean[i];
    sum += d;
    sum_sq += d * d;
  }
  const double m = static_cast<double>(clean.size());
  // 8000 draws: the mean is within 4 standard errors (4 * 0.1 / sqrt(8000) = 0.0045) of 0
  CHECK(std::abs(sum / m) < 0.0045);
  CHECK(std::sqrt(sum_sq / m) == doctest::Approx(0.1).epsilon(0.03));
  CHECK(data::moons(n, 0.1, 1, DType::f64).input.to_vector() == noisy);
  CHECK(data::moons(n, 0.1, 2, DType::f64).input.to_vector() != noisy);
}

TEST_CASE("noisy_line without noise is exactly y = 3x + 2 with x in [0, 2)") {
  const data::Sample s = data::noisy_line(100, 3, 2, 0.0, 5, DType::f64);
  CHECK(s.input.shape() == Shape{100, 1});
  CHECK(s.target.shape() == Shape{100, 1});
  const auto x = s.input.to_vector(), y = s.target.to_vector();
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(x[i] >= 0.0);
    CHECK(x[i] < 2.0);
    CHECK(y[i] == 3 * x[i] + 2);
  }
}

TEST_CASE("noisy_line: least squares recovers slope and intercept (zero-mean noise)") {
  const data::Sample s = data::noisy_line(20000, 3, 2, 0.5, 9, DType::f64);
  const auto x = s.input.to_vector(), y = s.target.to_vector();
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const double intercept = (sy - slope * sx) / n;
  // standard errors: 0.5 / (sqrt(n) * sd(x) = 0.577) = 0.0061 for the slope, about 0.007 for
  // the intercept; 5 of them as the bound
  CHECK(slope == doctest::Approx(3).epsilon(0.03 / 3));
  CHECK(intercept == doctest::Approx(2).epsilon(0.035 / 2));
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) rss += std::pow(y[i] - slope * x[i] - intercept, 2);
  CHECK(std::sqrt(rss / n) == doctest::Approx(0.5).epsilon(0.02));
  CHECK(data::noisy_line(20000, 3, 2, 0.5, 9, DType::f64).target.to_vector() == y);
  CHECK(data::noisy_line(10).input.dtype() == DType::f32);
}

TEST_CASE("synthetic sets reject bad sizes and noise") {
  CHECK_THROWS_WITH_AS(data::spirals(1, 3, 0.1, 0), doctest::Contains("spirals"), ValueError);
  CHECK_THROWS_WITH_AS(data::spirals(10, 0, 0.1, 0), doctest::Contains("classes"), ValueError);
  CHECK_THROWS_WITH_AS(data::spirals(10, 3, -0.1, 0), doctest::Contains("noise"), ValueError);
  CHECK_THROWS_WITH_AS(data::moons(1, 0.1, 0), doctest::Contains("moons"), ValueError);
  CHECK_THROWS_WITH_AS(data::moons(10, NAN, 0), doctest::Contains("moons"), ValueError);
  CHECK_THROWS_WITH_AS(data::noisy_line(0), doctest::Contains("noisy_line"), ValueError);
  CHECK_THROWS_WITH_AS(data::noisy_line(10, 3, 2, -1), doctest::Contains("noisy_line"), ValueError);
}
