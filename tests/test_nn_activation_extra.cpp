// More activation modules (nn/activation_extra.hpp): forward and input gradients against
// torch.nn's modules (fixtures/activation_extra.txt), forward equal to the function, print()
// text as torch prints it, and bad options.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;
using Factory = std::function<std::shared_ptr<nn::Module>()>;
using UnaryFn = std::function<Tensor(const Tensor&)>;

namespace {

struct Entry {
  std::string name;  // as gen_activation_extra.py names the case
  Factory make;
  UnaryFn function;  // the functional form the module must equal
};

const std::vector<Entry>& modules() {
  static const std::vector<Entry> table = {
      {"hardtanh", [] { return std::make_shared<nn::Hardtanh>(); }, [](const Tensor& x) { return hardtanh(x); }},
      {"hardtanh_-2_3", [] { return std::make_shared<nn::Hardtanh>(-2.0, 3.0); },
       [](const Tensor& x) { return hardtanh(x, -2.0, 3.0); }},
      {"hardtanh_-0.5_0.25", [] { return std::make_shared<nn::Hardtanh>(-0.5, 0.25); },
       [](const Tensor& x) { return hardtanh(x, -0.5, 0.25); }},
      {"relu6", [] { return std::make_shared<nn::ReLU6>(); }, [](const Tensor& x) { return relu6(x); }},
      {"hardsigmoid", [] { return std::make_shared<nn::Hardsigmoid>(); },
       [](const Tensor& x) { return hardsigmoid(x); }},
      {"hardswish", [] { return std::make_shared<nn::Hardswish>(); }, [](const Tensor& x) { return hardswish(x); }},
      {"selu", [] { return std::make_shared<nn::SELU>(); }, [](const Tensor& x) { return selu(x); }},
      {"celu", [] { return std::make_shared<nn::CELU>(); }, [](const Tensor& x) { return celu(x); }},
      {"celu_0.5", [] { return std::make_shared<nn::CELU>(0.5); }, [](const Tensor& x) { return celu(x, 0.5); }},
      {"celu_2", [] { return std::make_shared<nn::CELU>(2.0); }, [](const Tensor& x) { return celu(x, 2.0); }},
      {"celu_-1.5", [] { return std::make_shared<nn::CELU>(-1.5); }, [](const Tensor& x) { return celu(x, -1.5); }},
      {"mish", [] { return std::make_shared<nn::Mish>(); }, [](const Tensor& x) { return mish(x); }},
      {"logsigmoid", [] { return std::make_shared<nn::LogSigmoid>(); }, [](const Tensor& x) { return logsigmoid(x); }},
      {"softsign", [] { return std::make_shared<nn::Softsign>(); }, [](const Tensor& x) { return softsign(x); }},
      {"tanhshrink", [] { return std::make_shared<nn::Tanhshrink>(); }, [](const Tensor& x) { return tanhshrink(x); }},
      {"softmin_0", [] { return std::make_shared<nn::Softmin>(0); }, [](const Tensor& x) { return softmin(x, 0); }},
      {"softmin_1", [] { return std::make_shared<nn::Softmin>(1); }, [](const Tensor& x) { return softmin(x, 1); }},
      {"softmin_-1", [] { return std::make_shared<nn::Softmin>(-1); }, [](const Tensor& x) { return softmin(x, -1); }},
  };
  return table;
}

const fixtures::Family& fx() { return fixtures::load("activation_extra"); }

// A string gen_activation_extra.py stored as an int64 tensor of UTF-8 bytes.
std::string text(const std::string& name) {
  std::string s;
  for (double c : fx()[name].to_vector()) s += static_cast<char>(static_cast<int>(c));
  return s;
}

// the part of repr() before the parameter count line
std::string tree(const nn::Module& m) {
  const std::string r = m.repr();
  return r.substr(0, r.rfind("\nTotal parameters"));
}

}  // namespace

TEST_CASE("the new activation modules match torch.nn's in float64 and float32") {
  for (const auto& e : modules())
    for (std::string tag : {"f64", "f32"}) {
      auto m = e.make();
      m->to(tag == "f64" ? DType::f64 : DType::f32);
      CHECK_CASE(fx(), "module." + e.name + "." + tag, 1, [&m](const std::vector<Tensor>& v) { return (*m)(v[0]); });
    }
}

TEST_CASE("each module's forward is its function, with the same grad_fn") {
  Generator gen(17);
  const Tensor x = (randn({3, 4}, {.dtype = DType::f64}, &gen) * 3.0).requires_grad_(true);
  for (const auto& e : modules()) {
    INFO(e.name);
    auto m = e.make();
    const Tensor by_module = (*m)(x);
    const Tensor by_function = e.function(x);
    CHECK(by_module.to_vector() == by_function.to_vector());
    REQUIRE(by_module.grad_fn());
    CHECK(by_module.grad_fn()->name() == by_function.grad_fn()->name());
  }
}

TEST_CASE("the new activation modules print as torch prints them and have no parameters") {
  for (const auto& e : modules()) {
    INFO(e.name);
    auto m = e.make();
    CHECK(tree(*m) == text("repr." + e.name));
    CHECK(m->parameters().empty());
  }
  // torch's print(model) text, by hand
  CHECK(tree(nn::Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)");
  CHECK(tree(nn::Hardtanh(-0.5, 1e-5)) == "Hardtanh(min_val=-0.5, max_val=1e-05)");
  CHECK(tree(nn::ReLU6()) == "ReLU6()");
  CHECK(tree(nn::SELU()) == "SELU()");
  CHECK(tree(nn::CELU()) == "CELU(alpha=1.0)");
  CHECK(tree(nn::Softmin(1)) == "Softmin(dim=1)");
  CHECK(tree(nn::Sequential(nn::Hardswish(), nn::Softmin(-1))) ==
        "Sequential(\n  (0): Hardswish()\n  (1): Softmin(dim=-1)\n)");
}

TEST_CASE("nn::Hardtanh requires min_val < max_val, as torch.nn.Hardtanh asserts; CELU(0) raises at forward") {
  CHECK_THROWS_WITH_AS(nn::Hardtanh(1.0, 1.0), doctest::Contains("Hardtanh: max_val must be greater than min_val"),
                       ValueError);
  CHECK_THROWS_WITH_AS(nn::Hardtanh(2.0, -1.0), doctest::Contains("min_val=2.0 and max_val=-1.0"), ValueError);
  nn::CELU celu0(0.0);  // torch constructs it too; its forward raises
  CHECK(tree(celu0) == "CELU(alpha=0.0)");
  CHECK_THROWS_WITH_AS(celu0(zeros({2})), doctest::Contains("celu: alpha cannot be 0"), ValueError);
}
