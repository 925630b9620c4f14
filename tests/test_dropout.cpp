// nn::Dropout: fraction zeroed, inverted scaling, identity in eval, p = 1, gradients through the
// mask, seeded reproducibility, repr and bad p. (PyTorch's random numbers differ from ours, so
// the checks are statistical and by hand rather than against fixtures.)
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "nn_fixtures.hpp"

using namespace tapegrad;

TEST_CASE("Dropout zeroes a fraction p and scales the rest by 1 / (1 - p)") {
  for (double p : {0.1, 0.3, 0.5, 0.8}) {
    INFO("p = ", p);
    Generator gen(17);
    nn::Dropout drop(p, &gen);
    for (DType dt : {DType::f32, DType::f64}) {
      const Tensor x = ones({200000}, {.dtype = dt});
      const auto y = drop(x).to_vector();
      std::int64_t zeros = 0;
      bool scaled = true;
      double sum = 0;
      const double kept = static_cast<double>(dt == DType::f32 ? static_cast<float>(1.0 / (1.0 - p)) : 1.0 / (1.0 - p));
      for (double v : y) {
        sum += v;
        if (v == 0.0) ++zeros;
        else scaled = scaled && v == kept;
      }
      CHECK(scaled);
      // 200,000 Bernoulli draws: the standard error of the fraction is below 0.0012
      CHECK(std::abs(static_cast<double>(zeros) / 200000.0 - p) < 0.006);
      CHECK(sum / 200000.0 == doctest::Approx(1.0).epsilon(0.02));  // the mean is kept
    }
  }
}

TEST_CASE("Dropout is the identity in eval mode and for p = 0") {
  const Tensor x = randn({4, 5}, {.requires_grad = true});
  nn::Dropout drop(0.5);
  drop.eval();
  CHECK(drop(x).is_same(x));
  drop.train();
  CHECK_FALSE(drop(x).is_same(x));
  CHECK(nn::Dropout(0.0)(x).is_same(x));
  // eval on the parent reaches the Dropout inside
  nn::Sequential seq(nn::Linear(5, 5), nn::Dropout(0.9));
  seq.eval();
  const Tensor a = seq(x), b = seq(x);
  CHECK(a.to_vector() == b.to_vector());
}

TEST_CASE("Dropout with p = 1 gives zeros and zero gradients") {
  Tensor x = randn({3, 4}, {.requires_grad = true});
  const Tensor y = nn::Dropout(1.0)(x);
  CHECK(y.to_vector() == std::vector<double>(12, 0.0));
  y.sum().backward();
  CHECK(x.grad().to_vector() == std::vector<double>(12, 0.0));
}

TEST_CASE("the gradient of Dropout is the upstream gradient times the same mask") {
  Generator gen(3);
  nn::Dropout drop(0.4, &gen);
  Tensor x = ones({50}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor y = drop(x);  // with x = 1 the output is the mask itself: 0 or 1 / 0.6
  const Tensor g = randn({50}, {.dtype = DType::f64});
  y.backward(g);
  const auto mask = y.to_vector(), gv = g.to_vector(), dx = x.grad().to_vector();
  for (std::size_t i = 0; i < mask.size(); ++i) CHECK(dx[i] == gv[i] * mask[i]);
}

TEST_CASE("Dropout is reproducible: the same seed gives the same mask") {
  const Tensor x = ones({1000});
  Generator g1(99), g2(99);
  CHECK(nn::Dropout(0.5, &g1)(x).to_vector() == nn::Dropout(0.5, &g2)(x).to_vector());
  manual_seed(5);
  const auto a = nn::Dropout(0.5)(x).to_vector();
  manual_seed(5);
  const auto b = nn::Dropout(0.5)(x).to_vector();
  CHECK(a == b);
  CHECK(nn::Dropout(0.5)(x).to_vector() != b);  // the next draw differs
}

TEST_CASE("gradcheck: Dropout (the mask fixed by reseeding its generator on each call)") {
  Tensor x = randn({4, 5}, {.dtype = DType::f64, .requires_grad = true});
  CHECK(gradcheck(
      [](const std::vector<Tensor>& v) {
        Generator gen(8);
        return nn::Dropout(0.3, &gen)(v[0]);
      },
      {x}));
}

TEST_CASE("Dropout prints as torch prints it") {
  // torch: Dropout(p=0.5, inplace=False) and Dropout(p=0.25, inplace=False)
  CHECK(nn::Dropout().repr() == nn_fixtures::text("repr.dropout") + "\nTotal parameters: 0 (trainable: 0)");
  CHECK(nn::Dropout(0.25).repr() == nn_fixtures::text("repr.dropout_0.25") + "\nTotal parameters: 0 (trainable: 0)");
}

TEST_CASE("bad input: Dropout probability outside [0, 1]") {
  CHECK_THROWS_WITH_AS(nn::Dropout(-0.1), doctest::Contains("Dropout"), ValueError);
  CHECK_THROWS_WITH_AS(nn::Dropout(1.5), doctest::Contains("between 0 and 1"), ValueError);
  CHECK_THROWS_AS(nn::Dropout(std::numeric_limits<double>::quiet_NaN()), ValueError);
}
