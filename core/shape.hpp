#pragma once
// Shape: the extents of a tensor, stored inline (no heap allocation), at most kMaxDims dims.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace tapegrad {

/// Most dims a tensor may have (PyTorch allows 64; 8 covers feedforward work).
inline constexpr int kMaxDims = 8;

/// The extents of a tensor, like torch.Size. `size()` is the number of dims.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(std::span<const std::int64_t> dims);
  explicit Shape(const std::vector<std::int64_t>& dims)
      : Shape(std::span<const std::int64_t>(dims.data(), dims.size())) {}

  /// Number of dims.
  std::int64_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::int64_t operator[](std::int64_t i) const { return d_[static_cast<std::size_t>(i)]; }
  std::int64_t& operator[](std::int64_t i) { return d_[static_cast<std::size_t>(i)]; }
  const std::int64_t* begin() const { return d_.data(); }
  const std::int64_t* end() const { return d_.data() + n_; }
  std::int64_t* begin() { return d_.data(); }
  std::int64_t* end() { return d_.data() + n_; }
  std::int64_t back() const { return d_[static_cast<std::size_t>(n_ - 1)]; }
  void push_back(std::int64_t d);
  void insert(std::int64_t pos, std::int64_t d);
  void erase(std::int64_t pos);

  /// Product of the extents (1 for a 0-d shape).
  std::int64_t numel() const;
  std::vector<std::int64_t> vec() const { return {begin(), end()}; }
  /// "[2, 3]".
  std::string str() const;

  friend bool operator==(const Shape& a, const Shape& b) {
    return a.n_ == b.n_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  std::array<std::int64_t, kMaxDims> d_{};
  std::int64_t n_ = 0;
};

inline std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.str(); }

/// A requested shape for reshape, view and expand: like Shape, but an extent may be -1
/// ("infer it" for reshape/view, "keep it" for expand). Converts from a Shape, a braced list
/// or a std::vector<int64_t>.
class ShapeRequest {
 public:
  ShapeRequest(std::initializer_list<std::int64_t> dims)
      : ShapeRequest(std::span<const std::int64_t>(dims.begin(), dims.size())) {}
  ShapeRequest(const std::vector<std::int64_t>& dims)
      : ShapeRequest(std::span<const std::int64_t>(dims.data(), dims.size())) {}
  ShapeRequest(const Shape& shape) : ShapeRequest(std::span<const std::int64_t>(shape.begin(), shape.size())) {}
  explicit ShapeRequest(std::span<const std::int64_t> dims);
  std::int64_t size() const { return n_; }
  std::int64_t operator[](std::int64_t i) const { return d_[static_cast<std::size_t>(i)]; }
  /// "[-1, 3]".
  std::string str() const;

 private:
  std::array<std::int64_t, kMaxDims> d_{};
  std::int64_t n_ = 0;
};

/// Row-major (C-contiguous) strides, in elements.
Shape contiguous_strides(const Shape& shape);

/// NumPy broadcasting of two shapes; throws ShapeError naming `op` if they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

/// Wraps a possibly negative dim into [0, ndim); throws ValueError naming `op` if out of range.
/// A 0-d tensor accepts dim 0 and -1, as in PyTorch.
std::int64_t wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op);

}  // namespace tapegrad

template <> struct fmt::formatter<tapegrad::ShapeRequest> : fmt::formatter<std::string> {
  auto format(const tapegrad::ShapeRequest& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(s.str(), ctx);
  }
};

template <> struct fmt::formatter<tapegrad::Shape> : fmt::formatter<std::string> {
  auto format(const tapegrad::Shape& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(s.str(), ctx);
  }
};
