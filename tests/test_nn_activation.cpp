// Activation modules (nn/activation.hpp): forward and input gradients against torch.nn's
// modules, repr text as torch prints it, gradcheck, and bad options.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn_fixtures.hpp"

using namespace tapegrad;
using Factory = std::function<std::shared_ptr<nn::Module>()>;

namespace {

// Every module as gen_nn.py's activations() names it, built with the same options.
const std::vector<std::pair<std::string, Factory>>& modules() {
  static const std::vector<std::pair<std::string, Factory>> table = {
      {"relu", [] { return std::make_shared<nn::ReLU>(); }},
      {"leaky_relu", [] { return std::make_shared<nn::LeakyReLU>(); }},
      {"leaky_relu_0.2", [] { return std::make_shared<nn::LeakyReLU>(0.2); }},
      {"sigmoid", [] { return std::make_shared<nn::Sigmoid>(); }},
      {"tanh", [] { return std::make_shared<nn::Tanh>(); }},
      {"gelu", [] { return std::make_shared<nn::GELU>(); }},
      {"gelu_tanh", [] { return std::make_shared<nn::GELU>("tanh"); }},
      {"silu", [] { return std::make_shared<nn::SiLU>(); }},
      {"elu", [] { return std::make_shared<nn::ELU>(); }},
      {"elu_0.5", [] { return std::make_shared<nn::ELU>(0.5); }},
      {"softplus", [] { return std::make_shared<nn::Softplus>(); }},
      {"softplus_b2_t1", [] { return std::make_shared<nn::Softplus>(2.0, 1.0); }},
      {"softmax_1", [] { return std::make_shared<nn::Softmax>(1); }},
      {"softmax_0", [] { return std::make_shared<nn::Softmax>(0); }},
      {"log_softmax_-1", [] { return std::make_shared<nn::LogSoftmax>(-1); }},
      {"identity", [] { return std::make_shared<nn::Identity>(); }},
      {"flatten", [] { return std::make_shared<nn::Flatten>(); }},
      {"flatten_0_1", [] { return std::make_shared<nn::Flatten>(0, 1); }},
      {"flatten_1_2", [] { return std::make_shared<nn::Flatten>(1, 2); }},
  };
  return table;
}

// the part of repr() before the parameter count line
std::string tree(const nn::Module& m) {
  const std::string r = m.repr();
  return r.substr(0, r.rfind("\nTotal parameters"));
}

}  // namespace

TEST_CASE("activation modules match torch.nn's in float64 and float32") {
  for (const auto& [name, make] : modules()) {
    for (std::string tag : {"f64", "f32"}) {
      auto m = make();
      nn_fixtures::check_module_case(*m, "act." + name + "." + tag);
    }
  }
}

TEST_CASE("activation modules print as torch prints them") {
  // e.g. torch prints LeakyReLU(negative_slope=0.01), GELU(approximate='none'), ELU(alpha=1.0),
  // Softplus(beta=1, threshold=20), Softplus(beta=2.0, threshold=1.0) (see the Softplus note),
  // Softmax(dim=1), LogSoftmax(dim=-1), Flatten(start_dim=1, end_dim=-1)
  for (const auto& [name, make] : modules()) {
    INFO(name);
    auto m = make();
    if (name == "softplus_b2_t1") {
      // torch 1.13 prints the floats it was given (beta=2.0, threshold=1.0); we print integral
      // values as its integer defaults (beta=1, threshold=20)
      CHECK(nn_fixtures::text("repr." + name) == "Softplus(beta=2.0, threshold=1.0)");
      CHECK(tree(*m) == "Softplus(beta=2, threshold=1)");
      continue;
    }
    CHECK(tree(*m) == nn_fixtures::text("repr." + name));
    CHECK(m->parameters().empty());
  }
  CHECK(tree(nn::LeakyReLU(1e-5)) == "LeakyReLU(negative_slope=1e-05)");
  CHECK(tree(nn::Softplus(0.5, 20.0)) == "Softplus(beta=0.5, threshold=20)");
}

TEST_CASE("gradcheck: every activation module") {
  Generator gen(3);
  for (const auto& [name, make] : modules()) {
    INFO(name);
    const Shape shape = name.rfind("flatten", 0) == 0 ? Shape{2, 3, 2} : Shape{3, 4};
    Tensor x = randn(shape, {.dtype = DType::f64}, &gen) * 2.0;
    x.requires_grad_(true);
    CHECK(gradcheck([&, make = make](const std::vector<Tensor>& v) { return (*make())(v[0]); }, {x}));
  }
}

TEST_CASE("Identity returns its input; Flatten merges the dims it names") {
  const Tensor x = randn({2, 3, 4, 5});
  CHECK(nn::Identity()(x).is_same(x));
  CHECK(nn::Flatten()(x).shape() == Shape{2, 60});
  CHECK(nn::Flatten(0, -1)(x).shape() == Shape{120});
  CHECK(nn::Flatten(1, 2)(x).shape() == Shape{2, 12, 5});
  CHECK(nn::Flatten(-2)(x).shape() == Shape{2, 3, 20});
}

TEST_CASE("bad input: GELU option, softmax dim, flatten dims, int64 input") {
  CHECK_THROWS_WITH_AS(nn::GELU("fast"), doctest::Contains("GELU"), ValueError);
  CHECK_THROWS_WITH_AS(nn::Softmax(2)(zeros({2, 3})), doctest::Contains("softmax"), ValueError);
  CHECK_THROWS_WITH_AS(nn::LogSoftmax(-3)(zeros({2, 3})), doctest::Contains("log_softmax"), ValueError);
  CHECK_THROWS_AS(nn::Flatten(1, 5)(zeros({2, 3})), ValueError);
  CHECK_THROWS_AS(nn::ReLU()(zeros({2}, {.dtype = DType::i64})), DTypeError);
}
