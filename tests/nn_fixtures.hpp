#pragma once
// Helpers for the nn tests: read the module cases gen_nn.py writes (tests/fixtures/nn.txt).
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace nn_fixtures {

/// A string gen_nn.py stored as an int64 tensor of UTF-8 bytes.
inline std::string text(const std::string& name) {
  std::string s;
  for (double c : fixtures::load("nn")[name].to_vector()) s += static_cast<char>(static_cast<int>(c));
  return s;
}

/// The lines of a stored string ("a\nb" -> {"a", "b"}).
inline std::vector<std::string> lines(const std::string& name) {
  std::vector<std::string> out;
  const std::string s = text(name);
  if (s.empty()) return out;
  std::size_t pos = 0;
  while (true) {
    const auto nl = s.find('\n', pos);
    out.push_back(s.substr(pos, nl == std::string::npos ? nl : nl - pos));
    if (nl == std::string::npos) return out;
    pos = nl + 1;
  }
}

/// PyTorch's state_dict of case `name` (name.sd.<key>), in torch's key order.
inline tapegrad::nn::StateDict state_dict(const std::string& name) {
  tapegrad::nn::StateDict sd;
  for (const auto& key : lines(name + ".keys")) sd.set(key, fixtures::load("nn")[name + ".sd." + key]);
  return sd;
}

/// Runs fixture case `name` on m: converts m to the case's dtype, loads PyTorch's weights
/// (strict), and checks the output, the input's gradient and every parameter's gradient.
inline void check_module_case(tapegrad::nn::Module& m, const std::string& name) {
  using namespace tapegrad;
  const auto& fx = fixtures::load("nn");
  INFO("fixture case ", name);
  Tensor x = fx[name + ".x"].clone();
  x.requires_grad_(true);
  m.to(x.dtype());
  m.load_state_dict(state_dict(name));
  m.zero_grad();
  const Tensor out = m(x);
  CHECK_CLOSE_T(out, fx[name + ".out"]);
  out.backward(fx[name + ".gout"]);
  CHECK_CLOSE_T(x.grad(), fx[name + ".gx"]);
  const auto params = m.named_parameters();
  CHECK(params.size() == lines(name + ".params").size());
  for (const auto& [pname, p] : params) {
    INFO("parameter ", pname);
    CHECK_CLOSE_T(p.grad(), fx[name + ".g." + pname]);
  }
}

}  // namespace nn_fixtures
