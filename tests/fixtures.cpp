#include "fixtures.hpp"

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

using namespace tapegrad;

namespace fixtures {

Family::Family(const std::string& family) : path_(std::string(TAPEGRAD_FIXTURE_DIR) + "/" + family + ".txt") {
  std::ifstream in(path_);
  if (!in) throw std::runtime_error("fixtures: cannot open " + path_ + " (run tests/fixtures/generate.py)");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name, dtype;
    std::int64_t ndim = 0;
    ls >> name >> dtype >> ndim;
    std::vector<std::int64_t> dims(static_cast<std::size_t>(ndim));
    for (auto& d : dims) ls >> d;
    const Shape shape(dims);
    std::vector<double> values(static_cast<std::size_t>(shape.numel()));
    for (auto& v : values) {
      std::string tok;
      ls >> tok;
      v = std::strtod(tok.c_str(), nullptr);  // handles nan, inf, -inf
    }
    if (!ls) throw std::runtime_error("fixtures: malformed line for " + name + " in " + path_);
    const DType dt = dtype == "float64" ? DType::f64 : dtype == "float32" ? DType::f32 : DType::i64;
    tensors_[name] = tensor(values, shape, {.dtype = dt});
  }
}

Tensor Family::operator[](const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::runtime_error("fixtures: no tensor '" + name + "' in " + path_);
  return it->second;
}

std::vector<std::string> Family::names(const std::string& prefix) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : tensors_)
    if (k.rfind(prefix, 0) == 0) out.push_back(k);
  return out;
}

const Family& load(const std::string& family) {
  static std::map<std::string, std::unique_ptr<Family>> cache;
  auto& slot = cache[family];
  if (!slot) slot = std::make_unique<Family>(family);
  return *slot;
}

std::string mismatch(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  if (!actual.defined()) return "actual tensor is undefined";
  const bool f64 = expected.dtype() != DType::f32;
  if (rtol < 0) rtol = f64 ? 1e-12 : 1e-5;
  if (atol < 0) atol = f64 ? 1e-12 : 1e-6;
  if (actual.shape() != expected.shape())
    return fmt::format("shape {} != expected {}", actual.shape(), expected.shape());
  const auto a = actual.to_vector(), e = expected.to_vector();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i]) && std::isnan(a[i])) continue;
    if (std::isinf(e[i]) || std::isinf(a[i])) {  // an infinite tolerance would let inf match anything
      if (a[i] == e[i]) continue;
      return fmt::format("element {} of {}: {} != expected {}", i, actual.shape(), a[i], e[i]);
    }
    if (!(std::abs(a[i] - e[i]) <= atol + rtol * std::abs(e[i])))
      return fmt::format("element {} of {}: {:.17g} != expected {:.17g} (diff {:.3g}, rtol {}, atol {})", i,
                         actual.shape(), a[i], e[i], std::abs(a[i] - e[i]), rtol, atol);
  }
  return {};
}

std::string check_case(const Family& fam, const std::string& name, std::size_t n_inputs,
                       const std::function<Tensor(const std::vector<Tensor>&)>& fn) {
  std::vector<Tensor> inputs;
  for (std::size_t i = 0; i < n_inputs; ++i) {
    Tensor t = fam[name + ".in" + std::to_string(i)].clone();
    if (t.dtype() != DType::i64) t.requires_grad_(true);
    inputs.push_back(t);
  }
  const Tensor out = fn(inputs);
  std::string report;
  if (auto m = mismatch(out, fam[name + ".out"]); !m.empty()) report += "out: " + m + "; ";
  if (!fam.has(name + ".gout")) return report;
  out.backward(fam[name + ".gout"]);
  for (std::size_t i = 0; i < n_inputs; ++i) {
    const std::string key = name + ".grad" + std::to_string(i);
    if (!fam.has(key)) continue;
    if (!inputs[i].has_grad()) {
      report += key + ": no gradient reached the input; ";
      continue;
    }
    if (auto m = mismatch(inputs[i].grad(), fam[key]); !m.empty()) report += key + ": " + m + "; ";
  }
  return report;
}

}  // namespace fixtures
