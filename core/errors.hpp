#pragma once
// The exception hierarchy. Every check on user input throws one of these, in every build mode,
// with a message that names the op and the shapes or values at fault.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace tapegrad {

/// Base of every error tapegrad throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// Shapes that do not fit: broadcasting, matmul, cat, reshape, wrong number of dims.
class ShapeError : public Error {
 public:
  using Error::Error;
};
/// Mixed or unsupported dtypes in one op.
class DTypeError : public Error {
 public:
  using Error::Error;
};
/// A value out of its allowed range: a dim, an index, an option such as a negative lr.
class ValueError : public Error {
 public:
  using Error::Error;
};
/// An index outside a tensor's extent (gather, index_select, select, one_hot).
class IndexError : public ValueError {
 public:
  using ValueError::ValueError;
};
/// An operation not allowed in the object's current state: a second backward through a freed
/// graph, reading a gradient that does not exist, item() on a tensor with many elements.
class StateError : public Error {
 public:
  using Error::Error;
};
/// Reading or writing files: missing, truncated, corrupt or hostile.
class IOError : public Error {
 public:
  using Error::Error;
};

/// Throws E with a fmt-formatted message.
template <class E, class... Args> [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw E(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tapegrad
