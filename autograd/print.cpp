// PyTorch-style repr of a tensor: values formatted as torch does (integer, fixed or scientific
// mode chosen from the values), nested brackets, summarised past 1000 elements.
#include <cmath>
#include <ostream>
#include <sstream>

#include "node.hpp"

namespace tapegrad {
namespace {

struct Format {
  bool int_mode = true;
  bool sci_mode = false;
  std::size_t width = 1;
  bool is_int_dtype = false;

  std::string operator()(double v) const {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (is_int_dtype) return fmt::format("{}", static_cast<std::int64_t>(v));
    if (sci_mode) return fmt::format("{:.4e}", v);
    if (int_mode) return fmt::format("{:.0f}.", v);
    return fmt::format("{:.4f}", v);
  }
};

// torch's _Formatter: integers print as "1.", otherwise fixed 4 decimals unless the finite
// magnitudes span more than 1000x or leave [1e-4, 1e8), which selects scientific notation
Format choose_format(const std::vector<double>& v, DType dtype) {
  Format f;
  f.is_int_dtype = dtype == DType::i64;
  double lo = INFINITY, hi = 0;
  bool any_finite = false;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    any_finite = true;
    if (x != std::ceil(x)) f.int_mode = false;
    const double a = std::abs(x);
    if (a != 0) {
      lo = std::min(lo, a);
      hi = std::max(hi, a);
    }
  }
  if (any_finite && !f.is_int_dtype) {
    if (f.int_mode) {
      f.sci_mode = hi > 1e8;
    } else if (hi > 0) {
      f.sci_mode = hi / lo > 1000.0 || hi > 1e8 || lo < 1e-4;
    }
  }
  for (double x : v) f.width = std::max(f.width, f(x).size());
  return f;
}

constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdge = 3;

void write(std::ostringstream& os, const std::vector<double>& v, const Shape& shape, const Shape& strides,
           std::int64_t dim, std::int64_t offset, const Format& f, bool summarize, std::size_t indent) {
  if (shape.size() == 0) {
    os << f(v[static_cast<std::size_t>(offset)]);
    return;
  }
  const std::int64_t n = shape[dim];
  const bool last = dim == shape.size() - 1;
  os << '[';
  for (std::int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdge && i == kEdge) {
      os << (last ? "..., " : fmt::format("...,\n{:{}}", "", indent + 1));
      i = n - kEdge;
    }
    if (last) {
      const std::string s = f(v[static_cast<std::size_t>(offset + i * strides[dim])]);
      os << fmt::format("{:>{}}", s, f.width);
    } else {
      write(os, v, shape, strides, dim + 1, offset + i * strides[dim], f, summarize, indent + 1);
    }
    if (i + 1 < n) {
      if (last) os << ", ";
      else os << "," << std::string(static_cast<std::size_t>(shape.size() - dim - 1), '\n')
              << std::string(indent + 1, ' ');
    }
  }
  os << ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  const std::vector<double> v = t.to_vector();
  const bool summarize = t.numel() > kThreshold;
  std::vector<double> shown;
  if (summarize) {
    // format from the edge elements only, as torch does
    for (std::size_t i = 0; i < v.size(); ++i)
      if (i < static_cast<std::size_t>(kEdge) || i + static_cast<std::size_t>(kEdge) >= v.size()) shown.push_back(v[i]);
  }
  const Format f = choose_format(summarize ? shown : v, t.dtype());
  std::ostringstream os;
  os << "tensor(";
  if (t.numel() == 0 && t.dim() > 0) os << "[]";
  else write(os, v, t.shape(), contiguous_strides(t.shape()), 0, 0, f, summarize, 7);
  os << ", shape=" << t.shape().str();
  if (t.dtype() != DType::f32) os << ", dtype=" << dtype_name(t.dtype());
  if (t.grad_fn()) os << ", grad_fn=<" << t.grad_fn()->name() << ">";
  else if (t.requires_grad()) os << ", requires_grad=True";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace tapegrad
