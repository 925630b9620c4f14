// Seeded random tensors: reproducible, with the right ranges and moments.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "fixtures.hpp"

using namespace tapegrad;

TEST_CASE("manual_seed makes random tensors reproducible") {
  manual_seed(42);
  const auto a = randn({100}).to_vector();
  const auto b = rand({10}).to_vector();
  manual_seed(42);
  CHECK(randn({100}).to_vector() == a);
  CHECK(rand({10}).to_vector() == b);
  manual_seed(43);
  CHECK(randn({100}).to_vector() != a);
  Generator g1(7), g2(7);
  CHECK(rand({5}, {}, &g1).to_vector() == rand({5}, {}, &g2).to_vector());
}

TEST_CASE("manual_seed reproduces the same numbers whatever was drawn before (no Box-Muller spare survives)") {
  manual_seed(5);
  const auto first = randn({4}).to_vector();
  manual_seed(5);
  randn({3});  // an odd count leaves a spare normal behind
  manual_seed(5);
  CHECK(randn({4}).to_vector() == first);
  Generator g(9);
  g.normal();
  g.manual_seed(9);
  Generator fresh(9);
  CHECK(g.normal() == fresh.normal());
}

TEST_CASE("a generator's state can be kept and restored, spare normal included") {
  Generator g(11);
  g.normal();  // leaves a spare
  const GeneratorState s = g.state();
  const double a = g.normal(), b = g.normal();
  g.set_state(s);
  CHECK(g.normal() == a);
  CHECK(g.normal() == b);
}

TEST_CASE("rand, randn and randint have the right ranges and moments") {
  manual_seed(1);
  const auto u = rand({100000}, {.dtype = DType::f64}).to_vector();
  CHECK(*std::min_element(u.begin(), u.end()) >= 0.0);
  CHECK(*std::max_element(u.begin(), u.end()) < 1.0);
  double mu = 0;
  for (double v : u) mu += v;
  CHECK(mu / 1e5 == doctest::Approx(0.5).epsilon(0.01));
  const Tensor n = randn({100000}, {.dtype = DType::f64});
  CHECK(mean(n).item() == doctest::Approx(0.0).epsilon(0.02));  // within 0.02 absolute
  CHECK(mean(n * n).item() == doctest::Approx(1.0).epsilon(0.02));
  const Tensor r = randint(3, 7, {1000});
  CHECK(r.dtype() == DType::i64);
  const auto rv = r.to_vector();
  CHECK(std::set<double>(rv.begin(), rv.end()) == std::set<double>{3, 4, 5, 6});
  CHECK_THROWS_WITH_AS(randint(5, 5, {2}), doctest::Contains("randint"), ValueError);
  auto p = randperm(10).to_vector();
  std::sort(p.begin(), p.end());
  CHECK(p == arange(10).to_vector());
  CHECK(rand_like(zeros({2, 3}, {.dtype = DType::f64})).dtype() == DType::f64);
  CHECK(randn({2}, {.requires_grad = true}).requires_grad());
}

TEST_CASE("every test case starts from manual_seed(0) (tests/main.cpp), whatever ran before it") {
  Generator fresh(0);
  CHECK(default_generator().uniform() == fresh.uniform());
  SUBCASE("and so does each pass through a SUBCASE (here the second draw of the pass)") {
    Generator again(0);
    again.uniform();
    CHECK(default_generator().uniform() == again.uniform());
  }
  SUBCASE("a second subcase, entered on a second pass") {
    Generator again(0);
    again.uniform();
    CHECK(default_generator().uniform() == again.uniform());
  }
}
