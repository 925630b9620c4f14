// nn::Embedding against torch.nn.functional.embedding values and gradients (fixtures/norm.txt,
// emb_* from gen_norm.py) through the module's weight; initialisation, repr, bad input.
#include <doctest/doctest.h>
#include <tapegrad/nn/embedding.hpp>

#include <cmath>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
const char* kTags[] = {"f64", "f32"};

void check_module_case(const fixtures::Family& fx, const std::string& name, std::optional<std::int64_t> pad) {
  CAPTURE(name);
  const Tensor w0 = fx[name + ".in1"];
  nn::Embedding emb(w0.size(0), w0.size(1), pad);
  emb.to(w0.dtype());
  {
    NoGradGuard no_grad;
    emb.weight.copy_(w0);
  }
  const Tensor out = emb(fx[name + ".in0"]);
  CHECK_CLOSE_T(out, fx[name + ".out"]);
  out.backward(fx[name + ".gout"]);
  CHECK_CLOSE_T(emb.weight.grad(), fx[name + ".grad1"]);
}
}  // namespace

TEST_CASE("Embedding matches torch with repeated indices, 0-d/1-d/2-d/3-d indices and padding_idx") {
  const auto& fx = fixtures::load("norm");
  for (std::string tag : kTags) {
    check_module_case(fx, "emb_basic_" + tag, std::nullopt);
    check_module_case(fx, "emb_1d_" + tag, std::nullopt);
    check_module_case(fx, "emb_0d_" + tag, std::nullopt);
    check_module_case(fx, "emb_pad_" + tag, 2);
    check_module_case(fx, "emb_pad_neg_" + tag, -1);
  }
}

TEST_CASE("Embedding initialises N(0, 1) with a zero padding row, reproducibly") {
  Generator g1(42), g2(42);
  nn::Embedding a(2000, 8, 3, &g1), b(2000, 8, 3, &g2);
  CHECK(a.weight.to_vector() == b.weight.to_vector());
  CHECK(a.weight.dtype() == DType::f32);
  CHECK(a.weight.requires_grad());
  const std::vector<double> v = a.weight.to_vector();
  for (int j = 0; j < 8; ++j) CHECK(v[3 * 8 + j] == 0.0);
  double s = 0, s2 = 0;
  for (double e : v) s += e, s2 += e * e;
  const double n = static_cast<double>(v.size()), mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
  // 16,000 draws: the sample mean is within 4 sigma = 4/sqrt(16000) = 0.032 of 0; std near 1
  CHECK(std::abs(mean) < 0.032);
  CHECK(std::abs(sd - 1.0) < 0.03);
  CHECK(a.state_dict().keys() == std::vector<std::string>{"weight"});
}

TEST_CASE("Embedding stores a negative padding_idx wrapped, and prints like torch") {
  nn::Embedding e(10, 3, -1);
  CHECK(e.padding_idx == 9);
  CHECK(e.extra_repr() == "10, 3, padding_idx=9");
  CHECK(nn::Embedding(10, 3).extra_repr() == "10, 3");
  CHECK(e.repr().find("Embedding(10, 3, padding_idx=9)") == 0);
}

TEST_CASE("Embedding's padding row gets no gradient through the module") {
  nn::Embedding e(4, 2, 0);
  const Tensor out = e(tensor({0, 1, 0, 3}, {.dtype = DType::i64}));
  out.sum().backward();
  CHECK(e.weight.grad().to_vector() == std::vector<double>{0, 0, 1, 1, 0, 0, 1, 1});
  CHECK(out.to_vector()[0] == 0.0);
}

TEST_CASE("Embedding rejects bad input, naming Embedding or embedding") {
  CHECK_THROWS_WITH_AS(nn::Embedding(-1, 3), doctest::Contains("Embedding"), ValueError);
  CHECK_THROWS_WITH_AS(nn::Embedding(5, 3, 5), doctest::Contains("padding_idx"), ValueError);
  CHECK_THROWS_WITH_AS(nn::Embedding(5, 3, -6), doctest::Contains("padding_idx"), ValueError);
  nn::Embedding e(5, 3);
  CHECK_THROWS_WITH_AS(e(tensor({1, 5}, {.dtype = DType::i64})), doctest::Contains("embedding"), IndexError);
  CHECK_THROWS_WITH_AS(e(tensor({1.0, 2.0})), doctest::Contains("embedding"), DTypeError);
}
