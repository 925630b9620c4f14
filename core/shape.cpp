#include "shape.hpp"

#include "errors.hpp"

namespace tapegrad {

Shape::Shape(std::initializer_list<std::int64_t> dims)
    : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const std::int64_t> dims) {
  if (dims.size() > static_cast<std::size_t>(kMaxDims))
    fail<ShapeError>("Shape: {} dims given, at most {} are supported", dims.size(), kMaxDims);
  for (auto d : dims) {
    if (d < 0) fail<ValueError>("Shape: negative extent {} in [{}]", d, fmt::join(dims, ", "));
    d_[static_cast<std::size_t>(n_++)] = d;
  }
}

ShapeRequest::ShapeRequest(std::span<const std::int64_t> dims) {
  if (dims.size() > static_cast<std::size_t>(kMaxDims))
    fail<ShapeError>("Shape: {} dims given, at most {} are supported", dims.size(), kMaxDims);
  for (auto d : dims) d_[static_cast<std::size_t>(n_++)] = d;
}

std::string ShapeRequest::str() const { return fmt::format("[{}]", fmt::join(d_.begin(), d_.begin() + n_, ", ")); }

void Shape::push_back(std::int64_t d) { insert(n_, d); }

void Shape::insert(std::int64_t pos, std::int64_t d) {
  if (n_ == kMaxDims) fail<ShapeError>("Shape: cannot add a dim to {}, at most {} are supported", str(), kMaxDims);
  for (std::int64_t i = n_; i > pos; --i) d_[i] = d_[i - 1];
  d_[pos] = d;
  ++n_;
}

void Shape::erase(std::int64_t pos) {
  for (std::int64_t i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
  --n_;
}

std::int64_t Shape::numel() const {
  std::int64_t n = 1;
  for (auto d : *this) n *= d;
  return n;
}

std::string Shape::str() const { return fmt::format("[{}]", fmt::join(begin(), end(), ", ")); }

Shape contiguous_strides(const Shape& shape) {
  Shape s = shape;
  std::int64_t acc = 1;
  for (std::int64_t i = shape.size() - 1; i >= 0; --i) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::int64_t n = std::max(a.size(), b.size());
  Shape out;
  for (std::int64_t i = 0; i < n; ++i) {
    // align from the right: dim i of the result is dim i-(n-size) of each operand, or 1
    const std::int64_t da = i - (n - a.size()) >= 0 ? a[i - (n - a.size())] : 1;
    const std::int64_t db = i - (n - b.size()) >= 0 ? b[i - (n - b.size())] : 1;
    if (da != db && da != 1 && db != 1)
      fail<ShapeError>("{}: shapes {} and {} cannot be broadcast (dim {}: {} vs {})", op, a, b, i, da, db);
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

std::int64_t wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op) {
  const std::int64_t n = std::max<std::int64_t>(ndim, 1);
  if (dim < -n || dim >= n)
    fail<ValueError>("{}: dim {} is out of range for a tensor with {} dims (expected {} to {})", op, dim, ndim, -n,
                     n - 1);
  return dim < 0 ? dim + n : dim;
}

}  // namespace tapegrad
