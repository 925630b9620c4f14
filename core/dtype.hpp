#pragma once
// Element types a Tensor can hold, chosen at run time.
#include <cstdint>
#include <string_view>

namespace tapegrad {

/// Element type of a tensor. f32 is the default, as in PyTorch. i64 holds indices and class
/// targets (argmax, gather, cross-entropy targets) and is never differentiable.
enum class DType : std::uint8_t { f32, f64, i64 };

/// Bytes per element.
constexpr std::size_t element_size(DType d) { return d == DType::f32 ? 4 : 8; }

/// "float32", "float64" or "int64", as torch prints them without the "torch." prefix.
constexpr std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::i64: return "int64";
  }
  return "?";
}

constexpr bool is_floating(DType d) { return d != DType::i64; }

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::i64; }

/// Calls f.template operator()<T>() with T the C++ type of a floating dtype:
/// `dispatch_float(t.dtype(), [&]<class T>() { ... })`. Throws DTypeError for i64, naming `op`.
template <class F> decltype(auto) dispatch_float(DType d, const char* op, F&& f);

/// As dispatch_float, but also accepts i64 (T = std::int64_t).
template <class F> decltype(auto) dispatch_all(DType d, F&& f) {
  switch (d) {
    case DType::f32: return f.template operator()<float>();
    case DType::f64: return f.template operator()<double>();
    case DType::i64: break;
  }
  return f.template operator()<std::int64_t>();
}

}  // namespace tapegrad

#include "errors.hpp"

namespace tapegrad {
template <class F> decltype(auto) dispatch_float(DType d, const char* op, F&& f) {
  if (d == DType::i64)
    fail<DTypeError>("{}: expected a float32 or float64 tensor, got int64 (convert with .to(DType::f32))", op);
  if (d == DType::f32) return f.template operator()<float>();
  return f.template operator()<double>();
}
}  // namespace tapegrad
