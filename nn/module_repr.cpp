// Printing modules: the class name, torch's print(model) layout, and a parameter table.
#include <cxxabi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <typeinfo>

#include "module.hpp"

namespace tapegrad::nn {

namespace {
// "tapegrad::nn::Linear" -> "Linear", "(anonymous namespace)::MLP" -> "MLP",
// "ns::Box<ns::Inner>" -> "Box<ns::Inner>": drop the qualifiers outside template brackets.
std::string unqualified(const std::string& s) {
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    else if (s[i] == '>') --depth;
    else if (depth == 0 && s[i] == ':' && i + 1 < s.size() && s[i + 1] == ':') start = i + 2;
  }
  return s.substr(start);
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (true) {
    const std::size_t nl = s.find('\n', pos);
    lines.push_back(s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) return lines;
    pos = nl + 1;
  }
}

// torch.nn.modules.module._addindent: every line but the first gets `spaces` more indent
std::string add_indent(const std::string& s, int spaces) {
  const auto lines = split_lines(s);
  std::string out = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) {
    out += '\n';
    out.append(static_cast<std::size_t>(spaces), ' ');
    out += lines[i];
  }
  return out;
}
}  // namespace

std::string Module::name() const {
  const char* mangled = typeid(*this).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return unqualified(status == 0 && demangled ? demangled.get() : mangled);
}

// torch's Module.__repr__: "Name(extra)" on one line when there are no children, else
// "Name(\n  extra lines\n  (child): child repr\n)" with nested children indented by 2.
std::string Module::repr_tree() const {
  std::vector<std::string> lines;
  const std::string extra = extra_repr();
  const std::size_t n_extra = extra.empty() ? 0 : split_lines(extra).size();
  if (n_extra) lines = split_lines(extra);
  for (const auto& [key, child] : children_)
    lines.push_back(fmt::format("({}): {}", key, add_indent(child->repr_tree(), 2)));
  std::string s = name() + "(";
  if (!lines.empty()) {
    if (n_extra == 1 && children_.empty()) {
      s += lines[0];
    } else {
      s += "\n  ";
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i) s += "\n  ";
        s += lines[i];
      }
      s += "\n";
    }
  }
  return s + ")";
}

std::string Module::repr() const {
  return fmt::format("{}\nTotal parameters: {} (trainable: {})", repr_tree(), format_count(num_parameters()),
                     format_count(num_parameters(true)));
}

std::ostream& operator<<(std::ostream& os, const Module& m) { return os << m.repr(); }

std::string format_count(std::int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? fmt::format("-{}", out) : out;
}

std::string format_float(double v) {
  std::string s = fmt::format("{}", v);
  if (std::isfinite(v) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// One row per parameter, then per buffer:
//   name        shape       dtype    count
//   0.weight    [128, 784]  float32  100,352
std::string summary(const Module& m) {
  struct Row {
    std::string name, shape, dtype, count;
  };
  std::vector<Row> rows{{"name", "shape", "dtype", "count"}};
  for (const auto& [n, t] : m.named_parameters())
    rows.push_back({fmt::format("{}{}", n, t.requires_grad() ? "" : " (frozen)"), t.shape().str(),
                    std::string(dtype_name(t.dtype())), format_count(t.numel())});
  for (const auto& [n, t] : m.named_buffers())
    rows.push_back(
        {fmt::format("{} (buffer)", n), t.shape().str(), std::string(dtype_name(t.dtype())), format_count(t.numel())});
  std::size_t w[4] = {0, 0, 0, 0};
  for (const auto& r : rows) {
    w[0] = std::max(w[0], r.name.size());
    w[1] = std::max(w[1], r.shape.size());
    w[2] = std::max(w[2], r.dtype.size());
    w[3] = std::max(w[3], r.count.size());
  }
  std::string out = m.name() + "\n";
  for (const auto& r : rows)
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>{}}\n", r.name, w[0], r.shape, w[1], r.dtype, w[2], r.count, w[3]);
  return out + fmt::format("Total parameters: {} (trainable: {})", format_count(m.num_parameters()),
                           format_count(m.num_parameters(true)));
}

}  // namespace tapegrad::nn
