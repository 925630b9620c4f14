// nn::Module: registration, listings with PyTorch's names and order, modes, zero_grad, to(),
// state_dict / load_state_dict, repr and summary; a nested custom module against PyTorch.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nn_fixtures.hpp"

using namespace tapegrad;

namespace {

// The same modules as Block and Net in tests/fixtures/gen_nn.py.
struct Block : nn::Module {
  std::shared_ptr<nn::Linear> lin;
  Tensor scale;
  Block() : lin(register_module("lin", nn::Linear(4, 4))) {
    scale = register_buffer("scale", tensor({0.5, -1.0, 2.0, 1.5}));
  }
  Tensor forward(const Tensor& x) override { return tanh((*lin)(x)) * scale; }
};

struct Net : nn::Module {
  std::shared_ptr<nn::Linear> fc1;
  Tensor alpha, offset;
  std::shared_ptr<Block> block;
  std::shared_ptr<nn::Sequential> head;
  Net() {
    fc1 = register_module("fc1", nn::Linear(3, 4));
    alpha = register_parameter("alpha", randn({4}));
    offset = register_buffer("offset", randn({4}));
    block = register_module("block", Block());
    head = register_module("head", nn::Sequential(nn::ReLU(), nn::Linear(4, 2)));
  }
  Tensor forward(const Tensor& x) override { return (*head)((*block)(mul((*fc1)(x), alpha) + offset)); }
};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [n, t] : named) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("a nested custom module matches PyTorch: outputs, input and parameter gradients, f64 and f32") {
  for (std::string tag : {"f64", "f32"}) {
    Net net;
    nn_fixtures::check_module_case(net, "net." + tag);
  }
}

TEST_CASE("named_parameters, named_buffers and state_dict keys equal PyTorch's, in its order") {
  Net net;
  // torch: [n for n, _ in Net().named_parameters()] and list(Net().state_dict().keys())
  CHECK(names_of(net.named_parameters()) == nn_fixtures::lines("net.f64.params"));
  CHECK(net.state_dict().keys() == nn_fixtures::lines("net.f64.keys"));
  // by hand: own buffer first, then the child's (torch's named_buffers order)
  CHECK(names_of(net.named_buffers()) == std::vector<std::string>{"offset", "block.scale"});
  CHECK(names_of(net.named_parameters(false)) == std::vector<std::string>{"alpha"});
  CHECK(net.buffers(false).size() == 1);
  CHECK(net.parameters().size() == 7);
}

TEST_CASE("repr prints like print(model) in PyTorch, then the parameter count") {
  Net net;
  // torch prints:
  // Net(
  //   (fc1): Linear(in_features=3, out_features=4, bias=True)
  //   (block): Block(
  //     (lin): Linear(in_features=4, out_features=4, bias=True)
  //   )
  //   (head): Sequential(
  //     (0): ReLU()
  //     (1): Linear(in_features=4, out_features=2, bias=True)
  //   )
  // )
  // parameters by hand: fc1 3*4+4 = 16, alpha 4, block.lin 4*4+4 = 20, head.1 4*2+2 = 10: 50
  CHECK(net.repr() == nn_fixtures::text("net.f64.repr") + "\nTotal parameters: 50 (trainable: 50)");
  std::ostringstream os;
  os << net;
  CHECK(os.str() == net.repr());
  CHECK(net.name() == "Net");  // the C++ class name, namespaces dropped
}

TEST_CASE("summary lists each parameter and buffer with shape, dtype and count") {
  Net net;
  const std::string s = nn::summary(net);
  CHECK(s.find("block.lin.weight") != std::string::npos);
  CHECK(s.find("[4, 4]") != std::string::npos);
  CHECK(s.find("offset (buffer)") != std::string::npos);
  CHECK(s.find("Total parameters: 50 (trainable: 50)") != std::string::npos);
  CHECK(nn::format_count(101770) == "101,770");
  CHECK(nn::format_count(999) == "999");
  CHECK(nn::format_count(1000000) == "1,000,000");
  CHECK(nn::format_count(-1234) == "-1,234");
  CHECK(nn::format_float(0.01) == "0.01");
  CHECK(nn::format_float(1.0) == "1.0");
  CHECK(nn::format_float(1e-5) == "1e-05");
}

TEST_CASE("children, named_children, modules and named_modules follow registration order, depth-first") {
  Net net;
  CHECK(net.children().size() == 3);
  std::vector<std::string> kids;
  for (const auto& [n, m] : net.named_children()) kids.push_back(n);
  CHECK(kids == std::vector<std::string>{"fc1", "block", "head"});
  std::vector<std::string> names;
  for (const auto& [n, m] : net.named_modules()) names.push_back(n);
  // torch: [n for n, _ in Net().named_modules()]
  CHECK(names == std::vector<std::string>{"", "fc1", "block", "block.lin", "head", "head.0", "head.1"});
  CHECK(net.modules().front() == &net);
  CHECK(net.modules()[3] == net.block->lin.get());
}

TEST_CASE("a parameter or module shared by two parents is listed once, as torch does") {
  struct Tied : nn::Module {
    std::shared_ptr<nn::Linear> a, b;
    Tied() {
      a = register_module("a", nn::Linear(2, 2));
      b = register_module("b", a);  // the same module twice
    }
  } tied;
  CHECK(names_of(tied.named_parameters()) == std::vector<std::string>{"a.weight", "a.bias"});
  CHECK(tied.modules().size() == 2);
  CHECK(tied.num_parameters() == 6);
  // state_dict keeps both paths, as torch
  CHECK(tied.state_dict().keys() == std::vector<std::string>{"a.weight", "a.bias", "b.weight", "b.bias"});
}

TEST_CASE("an undefined parameter or buffer (like None) is skipped everywhere") {
  nn::Linear lin(3, 2, false);
  CHECK(names_of(lin.named_parameters()) == std::vector<std::string>{"weight"});
  CHECK(lin.state_dict().keys() == std::vector<std::string>{"weight"});
  nn::Module m;
  m.register_buffer("later", Tensor());
  CHECK(m.buffers().empty());
  CHECK(m.state_dict().empty());
}

TEST_CASE("register_parameter sets requires_grad, detaches non-leaves, replaces by name") {
  nn::Module m;
  Tensor a = ones({2}, {.requires_grad = true});
  Tensor p = m.register_parameter("p", a * 2.0);
  CHECK(p.is_leaf());
  CHECK(p.requires_grad());
  Tensor frozen = m.register_parameter("frozen", zeros({3}), false);
  CHECK_FALSE(frozen.requires_grad());
  CHECK(m.num_parameters() == 5);
  CHECK(m.num_parameters(true) == 2);
  m.register_parameter("p", zeros({4}));
  CHECK(m.named_parameters()[0].second.numel() == 4);
  CHECK(names_of(m.named_parameters()) == std::vector<std::string>{"p", "frozen"});
}

TEST_CASE("bad input: registration names") {
  nn::Module m;
  m.register_parameter("w", zeros({1}));
  CHECK_THROWS_WITH_AS(m.register_parameter("", zeros({1})), doctest::Contains("empty"), ValueError);
  CHECK_THROWS_WITH_AS(m.register_buffer("a.b", zeros({1})), doctest::Contains("'.'"), ValueError);
  CHECK_THROWS_WITH_AS(m.register_buffer("w", zeros({1})), doctest::Contains("already taken"), ValueError);
  CHECK_THROWS_WITH_AS(m.register_module("w", nn::ReLU()), doctest::Contains("already taken"), ValueError);
  CHECK_THROWS_AS(m.register_module("null", std::shared_ptr<nn::ReLU>()), ValueError);
  CHECK_THROWS_AS(m.register_parameter("idx", zeros({1}, {.dtype = DType::i64})), DTypeError);
}

TEST_CASE("forward that a module does not define throws StateError naming the module") {
  struct NoForward : nn::Module {
  } m;
  CHECK_THROWS_WITH_AS(m(zeros({1})), doctest::Contains("NoForward: forward(x) is not defined"), StateError);
}

TEST_CASE("train and eval set the mode recursively") {
  Net net;
  CHECK(net.is_training());
  net.eval();
  for (auto* m : net.modules()) CHECK_FALSE(m->is_training());
  net.head->train();
  CHECK(net.head->is_training());
  CHECK((*net.head)[1].is_training());
  CHECK_FALSE(net.is_training());
  net.train();
  for (auto* m : net.modules()) CHECK(m->is_training());
}

TEST_CASE("zero_grad drops gradients, or zeroes them in place with set_to_none = false") {
  Net net;
  net(randn({2, 3})).sum().backward();
  for (const auto& p : net.parameters()) CHECK(p.has_grad());
  Tensor g = net.alpha.grad();
  net.zero_grad(false);
  CHECK(g.is_same(net.alpha.grad()));  // the same tensor, zeroed
  CHECK(g.to_vector() == std::vector<double>(4, 0.0));
  net.zero_grad();
  for (const auto& p : net.parameters()) CHECK_FALSE(p.has_grad());
}

TEST_CASE("to(dtype) converts parameters and buffers in place: member handles see the new dtype") {
  Net net;
  const Tensor w = net.fc1->weight;  // a handle taken before the conversion
  const std::vector<double> before = w.to_vector();
  net(randn({2, 3})).sum().backward();
  net.to(DType::f64);
  CHECK(w.dtype() == DType::f64);
  CHECK(net.fc1->weight.dtype() == DType::f64);
  CHECK(net.block->scale.dtype() == DType::f64);
  CHECK(w.to_vector() == before);  // f32 -> f64 is exact
  CHECK_FALSE(w.has_grad());       // gradients are dropped
  CHECK(w.requires_grad());
  CHECK(net(randn({2, 3}, {.dtype = DType::f64})).dtype() == DType::f64);
  // back to f32; an int64 buffer is left alone; an int64 target is refused
  nn::Module m;
  Tensor steps = m.register_buffer("steps", zeros({1}, {.dtype = DType::i64}));
  m.to(DType::f64);
  CHECK(steps.dtype() == DType::i64);
  net.to(DType::f32);
  CHECK(w.dtype() == DType::f32);
  CHECK_THROWS_AS(net.to(DType::i64), DTypeError);
}

TEST_CASE("state_dict shares storage (detached); load_state_dict copies into the existing tensors") {
  Net a, b;
  const auto sd = a.state_dict();
  for (const auto& [k, t] : sd) CHECK_FALSE(t.requires_grad());
  CHECK(sd.at("fc1.weight").to_vector() == a.fc1->weight.to_vector());
  const Tensor handle = b.fc1->weight;
  const auto res = b.load_state_dict(sd);
  CHECK(res.missing_keys.empty());
  CHECK(res.unexpected_keys.empty());
  CHECK(handle.is_same(b.fc1->weight));
  const Tensor x = randn({4, 3});
  CHECK(a(x).to_vector() == b(x).to_vector());
  // a later change to a does not reach b (values were copied)
  {
    NoGradGuard ng;
    a.fc1->weight.fill_(0.5);
  }
  CHECK(b.fc1->weight.to_vector() != a.fc1->weight.to_vector());
}

TEST_CASE("load_state_dict strict: one ValueError lists missing, unexpected and mismatched entries") {
  Net net;
  nn::StateDict sd = net.state_dict();
  nn::StateDict bad;
  for (const auto& [k, t] : sd)
    if (k != "alpha" && k != "block.scale") bad.set(k, t.clone());
  bad.set("fc1.weight", zeros({2, 2}));
  bad.set("extra", zeros({1}));
  const std::vector<double> before = net.head->ptr(1)->parameters()[0].to_vector();
  try {
    net.load_state_dict(bad);
    FAIL("expected ValueError");
  } catch (const ValueError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("load_state_dict") != std::string::npos);
    CHECK(msg.find("Missing key(s) in state_dict: \"alpha\", \"block.scale\".") != std::string::npos);
    CHECK(msg.find("Unexpected key(s) in state_dict: \"extra\".") != std::string::npos);
    CHECK(msg.find("size mismatch for fc1.weight: copying a param with shape [2, 2] from checkpoint, the shape in "
                   "current model is [4, 3].") != std::string::npos);
  }
  // nothing was loaded
  CHECK(net.head->ptr(1)->parameters()[0].to_vector() == before);
}

TEST_CASE("load_state_dict converts an entry of another dtype, as torch's copy_: float64 into float32 and back") {
  Net src, dst;
  nn::StateDict sd64;
  for (const auto& [k, t] : src.state_dict()) sd64.set(k, t.to(DType::f64));
  dst.load_state_dict(sd64);
  CHECK(dst.fc1->weight.dtype() == DType::f32);
  CHECK(dst.fc1->weight.to_vector() == src.fc1->weight.to_vector());  // f32 -> f64 -> f32 is exact
  Net wide;
  wide.to(DType::f64);
  wide.load_state_dict(src.state_dict());
  CHECK(wide.fc1->weight.dtype() == DType::f64);
  CHECK(wide.fc1->weight.to_vector() == src.fc1->weight.to_vector());
  // an int64 buffer takes whole numbers of another dtype, but never truncates a fraction
  nn::BatchNorm1d bn(2);
  nn::StateDict sd = bn.state_dict();
  sd.set("num_batches_tracked", scalar_tensor(7.0));
  bn.load_state_dict(sd);
  CHECK(bn.num_batches_tracked.item() == 7.0);
  sd.set("num_batches_tracked", scalar_tensor(7.5));
  CHECK_THROWS_WITH_AS(bn.load_state_dict(sd), doctest::Contains("dtype mismatch for num_batches_tracked"), ValueError);
  CHECK(bn.num_batches_tracked.item() == 7.0);
}

TEST_CASE("load_state_dict non-strict loads what matches and returns the lists") {
  Net src, dst;
  nn::StateDict sd;
  for (const auto& [k, t] : src.state_dict())
    if (k.rfind("block.", 0) != 0) sd.set(k, t);
  sd.set("unused", zeros({3}));
  const auto res = dst.load_state_dict(sd, false);
  CHECK(res.missing_keys == std::vector<std::string>{"block.scale", "block.lin.weight", "block.lin.bias"});
  CHECK(res.unexpected_keys == std::vector<std::string>{"unused"});
  CHECK(dst.fc1->weight.to_vector() == src.fc1->weight.to_vector());
  CHECK(dst.offset.to_vector() == src.offset.to_vector());
  // a shape mismatch is an error even when not strict, as torch
  sd.set("alpha", zeros({5}));
  CHECK_THROWS_WITH_AS(dst.load_state_dict(sd, false), doctest::Contains("size mismatch for alpha"), ValueError);
}

TEST_CASE("gradcheck: the nested custom module, with respect to its input and a parameter") {
  Net net;
  net.to(DType::f64);
  const Tensor x = randn({3, 3}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor alpha = net.alpha.detach().clone().requires_grad_(true);
  CHECK(gradcheck(
      [&](const std::vector<Tensor>& v) {
        Net m = net;  // a copy shares net's tensors; replace alpha by the checked input
        m.alpha = m.register_parameter("alpha", v[1]);
        return m(v[0]);
      },
      {x, alpha}));
}
