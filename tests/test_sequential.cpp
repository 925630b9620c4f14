// nn::Sequential: construction, indexing, iteration, PyTorch's names and repr, forward and
// gradients against torch.nn.Sequential, a custom module inside it, gradcheck.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nn_fixtures.hpp"

using namespace tapegrad;

namespace {

// a user module with two parameters, to go inside a Sequential
struct Affine : nn::Module {
  Tensor scale, shift;
  explicit Affine(std::int64_t n) {
    scale = register_parameter("scale", ones({n}));
    shift = register_parameter("shift", zeros({n}));
  }
  Tensor forward(const Tensor& x) override { return x * scale + shift; }
};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [n, t] : named) out.push_back(n);
  return out;
}

void set_linear(nn::Module& m, const Tensor& w, const Tensor& b) {
  auto& lin = dynamic_cast<nn::Linear&>(m);
  lin.weight = lin.register_parameter("weight", w);
  lin.bias = lin.register_parameter("bias", b);
}

}  // namespace

TEST_CASE("Sequential matches torch.nn.Sequential: forward and every gradient, flat and nested") {
  for (std::string tag : {"f64", "f32"}) {
    nn::Sequential mlp(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 3));
    nn_fixtures::check_module_case(mlp, "seq.mlp." + tag);
    nn::Sequential nested(nn::Linear(4, 6), nn::Tanh(), nn::Sequential(nn::Linear(6, 6), nn::GELU()), nn::Linear(6, 2));
    nn_fixtures::check_module_case(nested, "seq.nested." + tag);
  }
}

TEST_CASE("Sequential names its children 0, 1, ... as PyTorch: parameters, state_dict keys, repr") {
  nn::Sequential nested(nn::Linear(4, 6), nn::Tanh(), nn::Sequential(nn::Linear(6, 6), nn::GELU()), nn::Linear(6, 2));
  // torch: 0.weight 0.bias 2.0.weight 2.0.bias 3.weight 3.bias
  CHECK(names_of(nested.named_parameters()) == nn_fixtures::lines("seq.nested.f64.params"));
  CHECK(nested.state_dict().keys() == nn_fixtures::lines("seq.nested.f64.keys"));
  // torch prints:
  // Sequential(
  //   (0): Linear(in_features=4, out_features=6, bias=True)
  //   (1): Tanh()
  //   (2): Sequential(
  //     (0): Linear(in_features=6, out_features=6, bias=True)
  //     (1): GELU(approximate='none')
  //   )
  //   (3): Linear(in_features=6, out_features=2, bias=True)
  // )
  // parameters by hand: 4*6+6 + 6*6+6 + 6*2+2 = 86
  CHECK(nested.repr() == nn_fixtures::text("seq.nested.f64.repr") + "\nTotal parameters: 86 (trainable: 86)");
}

TEST_CASE("the README model prints exactly as PyTorch prints it") {
  nn::Sequential model(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10));
  // torch prints:
  // Sequential(
  //   (0): Linear(in_features=784, out_features=128, bias=True)
  //   (1): ReLU()
  //   (2): Linear(in_features=128, out_features=10, bias=True)
  // )
  // parameters by hand: 784*128 + 128 + 128*10 + 10 = 101,770
  CHECK(model.repr() == nn_fixtures::text("repr.mnist") + "\nTotal parameters: 101,770 (trainable: 101,770)");
  CHECK(model.num_parameters() == 101770);
  const std::string s = nn::summary(model);
  CHECK(s.find("0.weight") != std::string::npos);
  CHECK(s.find("[128, 784]") != std::string::npos);
  CHECK(s.find("100,352") != std::string::npos);
}

TEST_CASE("push_back, indexing (negative from the end), size and iteration") {
  nn::Sequential seq;
  CHECK(seq.empty());
  auto lin = seq.push_back(nn::Linear(2, 3));
  seq.push_back(std::make_shared<nn::ReLU>());
  auto last = std::make_shared<nn::Linear>(3, 1);
  CHECK(seq.push_back(last) == last);
  CHECK(seq.size() == 3);
  CHECK(&seq[0] == lin.get());
  CHECK(&seq[-1] == last.get());
  CHECK(seq[1].name() == "ReLU");
  CHECK(seq.ptr(2) == last);
  std::vector<std::string> names;
  for (const auto& m : seq) names.push_back(m->name());
  CHECK(names == std::vector<std::string>{"Linear", "ReLU", "Linear"});
  CHECK(names_of(seq.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  // the shared_ptr given is the module inside: changing it changes the model
  CHECK(seq(ones({1, 2})).shape() == Shape{1, 1});
  {
    NoGradGuard no_grad;
    last->weight.zero_();
    last->bias.fill_(0.75);
  }
  CHECK(seq(ones({1, 2})).item() == 0.75);  // the model's output is now last's bias alone
  CHECK_THROWS_WITH_AS(seq[3], doctest::Contains("Sequential: index 3 is out of range for 3 modules"), IndexError);
  CHECK_THROWS_AS(seq[-4], IndexError);
}

TEST_CASE("an empty Sequential returns its input; a copy shares modules and parameters") {
  nn::Sequential empty;
  const Tensor x = randn({2, 2});
  CHECK(empty(x).is_same(x));
  nn::Sequential a(nn::Linear(2, 2), nn::Tanh());
  nn::Sequential b = a;  // copy constructor, not nesting
  CHECK(b.size() == 2);
  CHECK(b.parameters()[0].is_same(a.parameters()[0]));
  // nesting one Sequential: pass it as a shared_ptr
  nn::Sequential outer(std::make_shared<nn::Sequential>(a));
  CHECK(names_of(outer.named_parameters()) == std::vector<std::string>{"0.0.weight", "0.0.bias"});
}

TEST_CASE("a custom module works inside a Sequential: its parameters are found and trained") {
  nn::Sequential seq(nn::Linear(3, 2), Affine(2), nn::Sigmoid());
  CHECK(names_of(seq.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias", "1.scale", "1.shift"});
  CHECK(seq.state_dict().keys() == std::vector<std::string>{"0.weight", "0.bias", "1.scale", "1.shift"});
  // repr: the custom module's name is its C++ class name
  CHECK(seq.repr() ==
        "Sequential(\n  (0): Linear(in_features=3, out_features=2, bias=True)\n  (1): Affine()\n  (2): Sigmoid()\n)"
        "\nTotal parameters: 12 (trainable: 12)");
  seq(randn({4, 3})).sum().backward();
  for (const auto& p : seq.parameters()) CHECK(p.has_grad());
  auto& affine = dynamic_cast<Affine&>(seq[1]);
  CHECK(affine.scale.grad().shape() == Shape{2});
}

TEST_CASE("gradcheck: a Sequential with respect to its input and every weight") {
  Generator gen(11);
  auto r = [&](Shape s) { return randn(s, {.dtype = DType::f64, .requires_grad = true}, &gen); };
  CHECK(gradcheck(
      [](const std::vector<Tensor>& v) {
        nn::Sequential seq(nn::Linear(4, 3), nn::Tanh(), nn::Linear(3, 2), nn::Softmax(1));
        set_linear(seq[0], v[1], v[2]);
        set_linear(seq[2], v[3], v[4]);
        return seq(v[0]);
      },
      {r({5, 4}), r({3, 4}), r({3}), r({2, 3}), r({2})}));
}

TEST_CASE("Sequential's layers draw their initial values in the order written, on every compiler") {
  // the reference: the layers made one statement after another
  manual_seed(7);
  nn::Linear a(2, 3), b(3, 4);
  nn::Embedding c(5, 2);
  const double next_ref = default_generator().uniform();

  manual_seed(7);
  nn::Sequential s(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 4), nn::Embedding(5, 2));
  auto weight = [&](int i) { return s.named_parameters()[static_cast<std::size_t>(i)].second.to_vector(); };
  CHECK(weight(0) == a.weight.to_vector());
  CHECK(weight(1) == a.bias.to_vector());
  CHECK(weight(2) == b.weight.to_vector());
  CHECK(weight(3) == b.bias.to_vector());
  CHECK(weight(4) == c.weight.to_vector());
  CHECK(default_generator().uniform() == next_ref);  // the generator ends where it would have

  SUBCASE("nested: an inner Sequential given as a temporary keeps the outer order too") {
    manual_seed(7);
    nn::Sequential t(std::make_shared<nn::Sequential>(nn::Linear(2, 3), nn::Linear(3, 4)), nn::Embedding(5, 2));
    const auto p = t.named_parameters();
    CHECK(p[0].first == "0.0.weight");
    CHECK(p[0].second.to_vector() == a.weight.to_vector());
    CHECK(p[2].second.to_vector() == b.weight.to_vector());
    CHECK(p[4].second.to_vector() == c.weight.to_vector());
  }
  SUBCASE("layers made beforehand keep their values, whatever the order they are passed in") {
    manual_seed(7);
    nn::Linear first(2, 3), second(3, 4);
    const auto w1 = first.weight.to_vector(), w2 = second.weight.to_vector();
    nn::Sequential u(second, first);
    CHECK(u.named_parameters()[0].second.to_vector() == w2);
    CHECK(u.named_parameters()[2].second.to_vector() == w1);
  }
}
