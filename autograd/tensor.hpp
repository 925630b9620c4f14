#pragma once
// Tensor: a cheap, shared handle to a value, its gradient and the node that made it.
#include <xtensor/xadapt.hpp>

#include <concepts>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../core/allocator.hpp"
#include "../core/dtype.hpp"
#include "../core/errors.hpp"
#include "../core/shape.hpp"

namespace tapegrad {

class Node;
class Tensor;

/// What a tensor is: contiguous row-major storage, its shape and dtype, and autograd state.
/// Users hold Tensors, never TensorImpls.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  DType dtype = DType::f32;
  bool requires_grad = false;
  bool retains_grad = false;
  bool is_view = false;              // shares the storage of the tensor it was made from (reshape, view, detach, ...)
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient (leaves, or retain_grad)
  std::shared_ptr<Node> grad_fn;     // the op that made this tensor; null for a leaf
  ~TensorImpl();
};

/// Options for tensor creation: `zeros({2, 3}, {.dtype = DType::f64, .requires_grad = true})`.
struct TensorOptions {
  DType dtype = DType::f32;
  bool requires_grad = false;
};

/// Options of Tensor::backward, as in torch.Tensor.backward.
struct BackwardOptions {
  bool retain_graph = false;  ///< keep what the graph's nodes saved, so backward can run again
  bool create_graph = false;  ///< record the backward pass itself (for higher-order gradients)
};

/// A multi-dimensional array of float32, float64 or int64 values with reverse-mode autograd.
/// Copying a Tensor copies the handle (like Python references); use clone() for a deep copy.
/// Storage is always contiguous and row-major: transposes and slices copy, reshapes share.
class Tensor {
 public:
  /// An undefined tensor (like None); most calls on it throw StateError.
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return checked().shape; }
  /// Extent of one dim (negative dims count from the end).
  std::int64_t size(std::int64_t dim) const;
  std::int64_t dim() const { return checked().shape.size(); }
  std::int64_t numel() const { return checked().shape.numel(); }
  DType dtype() const { return checked().dtype; }

  /// Pointer to the first element; throws DTypeError if T does not match dtype().
  template <class T> T* data() const;
  /// A read-only xtensor view of the values (shares memory; valid while the tensor lives).
  template <class T> auto array() const {
    std::vector<std::size_t> sh(shape().begin(), shape().end());
    return xt::adapt(static_cast<const T*>(data<T>()), static_cast<std::size_t>(numel()), xt::no_ownership(), sh);
  }
  /// The values converted to double, in row-major order.
  std::vector<double> to_vector() const;
  /// The value of a one-element tensor; throws StateError otherwise.
  double item() const;
  template <class T> T item() const { return static_cast<T>(item()); }

  /// A copy converted to dtype (the same tensor if it already has it); differentiable.
  Tensor to(DType dtype) const;
  /// A tensor sharing this one's values, cut from the graph (requires_grad false).
  Tensor detach() const;
  /// A deep copy; differentiable (the gradient flows back to this tensor).
  Tensor clone() const;

  bool requires_grad() const { return checked().requires_grad; }
  /// Marks a leaf as needing a gradient (in place); throws StateError on a non-leaf.
  Tensor& requires_grad_(bool requires_grad = true);
  /// True for tensors the user made, false for results of recorded ops.
  bool is_leaf() const { return checked().grad_fn == nullptr; }
  /// The op that made this tensor (null for a leaf).
  const std::shared_ptr<Node>& grad_fn() const { return checked().grad_fn; }

  /// The accumulated gradient; throws StateError if there is none (never computed, or a
  /// non-leaf without retain_grad()).
  Tensor grad() const;
  /// Whether grad() has a value.
  bool has_grad() const { return checked().grad != nullptr; }
  /// Replaces the gradient (an undefined tensor clears it, like `t.grad = None`).
  void set_grad(const Tensor& grad);
  /// Asks a non-leaf to keep its gradient in grad() during backward.
  void retain_grad();
  bool retains_grad() const { return checked().retains_grad; }

  /// Reverse-mode sweep from this tensor. Without `gradient` the tensor must have one element
  /// (the gradient is then 1). Gradients add into the leaves' grad().
  void backward(const Tensor& gradient = Tensor(), BackwardOptions options = {}) const;

  /// Same impl (identity, not value equality).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  /// How many in-place writes the storage has seen (PyTorch's `t._version`); shared with the
  /// tensor's views (reshape, view, detach, ...).
  std::uint64_t version() const { return checked().storage->version(); }

  // In-place updates, as PyTorch's: they write into this tensor's storage and bump its version,
  // so a backward rule that saved the old values raises instead of using the new ones.
  // With grad mode on and a tensor that requires grad involved they are recorded (the tensor
  // takes the op as its grad_fn), except on a leaf that requires grad (StateError, as PyTorch:
  // use NoGradGuard, as optimizers do) and on a view (StateError: use the out-of-place op).
  // `other` broadcasts to this tensor's shape; dtypes must match.
  Tensor& zero_();
  Tensor& fill_(double value);
  /// Copies values from src, broadcast to this shape and converted to this dtype.
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other, double alpha = 1.0);  ///< this += alpha * other
  Tensor& add_(double other);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);  ///< this -= alpha * other
  Tensor& sub_(double other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(double other);
  /// Clamps to [min, max] in place (either may be absent), as Tensor.clamp_.
  Tensor& clamp_(std::optional<double> min, std::optional<double> max);

  // Method forms of ops, as PyTorch's (autograd/tensor_methods.cpp; the ops are documented in
  // autograd/ops/*.hpp).
  Tensor sum() const;
  Tensor mean() const;
  Tensor reshape(const ShapeRequest& shape) const;
  Tensor view(const ShapeRequest& shape) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor t() const;
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor matmul(const Tensor& other) const;
  Tensor pow(double exponent) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor abs() const;
  Tensor sqrt() const;
  // -- math ops (autograd/ops/trig.hpp, unary_math.hpp, rounding.hpp)
  Tensor sin() const;
  Tensor cos() const;
  Tensor tan() const;
  Tensor asin() const;
  Tensor acos() const;
  Tensor atan() const;
  Tensor atan2(const Tensor& other) const;
  Tensor sinh() const;
  Tensor cosh() const;
  Tensor asinh() const;
  Tensor acosh() const;
  Tensor atanh() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor log2() const;
  Tensor log10() const;
  Tensor exp2() const;
  Tensor reciprocal() const;
  Tensor rsqrt() const;
  Tensor square() const;
  Tensor erf() const;
  Tensor erfc() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor trunc() const;
  Tensor frac() const;
  Tensor clamp_min(double min) const;  ///< autograd/ops/masking.hpp
  Tensor clamp_max(double max) const;
  Tensor masked_fill(const Tensor& mask, double value) const;
  /// this where condition is nonzero, else other, as Tensor.where (torch.where(condition, this, other)).
  Tensor where(const Tensor& condition, double other) const;
  // -- activations (autograd/ops/activation_extra.hpp)
  // -- reductions, scans, sorting, rearranging and splitting (autograd/ops/*.hpp)
  Tensor amax(const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  Tensor amin(const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(std::int64_t dim, bool keepdim = false) const;
  Tensor cumsum(std::int64_t dim) const;
  Tensor cumprod(std::int64_t dim) const;
  // (`struct ValuesIndices` declares the result struct of ops/reduce.hpp in namespace tapegrad;
  // it is complete wherever the ops are included)
  struct ValuesIndices topk(std::int64_t k, std::int64_t dim = -1, bool largest = true, bool sorted = true) const;
  struct ValuesIndices sort(std::int64_t dim = -1, bool descending = false,
                            std::optional<bool> stable = std::nullopt) const;
  Tensor flip(const std::vector<std::int64_t>& dims) const;
  Tensor roll(std::int64_t shift, std::optional<std::int64_t> dim = std::nullopt) const;
  Tensor roll(const std::vector<std::int64_t>& shifts, const std::vector<std::int64_t>& dims = {}) const;
  Tensor repeat(const std::vector<std::int64_t>& repeats) const;
  Tensor tile(const std::vector<std::int64_t>& reps) const;
  std::vector<Tensor> chunk(std::int64_t chunks, std::int64_t dim = 0) const;
  std::vector<Tensor> split(std::int64_t split_size, std::int64_t dim = 0) const;
  std::vector<Tensor> split(const std::vector<std::int64_t>& sizes, std::int64_t dim = 0) const;
  std::vector<Tensor> split(std::initializer_list<std::int64_t> sizes, std::int64_t dim = 0) const;
  std::vector<Tensor> unbind(std::int64_t dim = 0) const;

 private:
  const TensorImpl& checked() const {
    if (!impl_) fail<StateError>("Tensor: the tensor is undefined (default-constructed or moved from)");
    return *impl_;
  }
  std::shared_ptr<TensorImpl> impl_;
};

// ---- creation --------------------------------------------------------------------------------

/// A tensor of `shape` holding `values` (row-major), converted to options.dtype.
/// Throws ShapeError if values.size() != shape.numel().
Tensor tensor(const std::vector<double>& values, const Shape& shape, TensorOptions options = {});
/// A 1-D tensor holding `values`.
Tensor tensor(const std::vector<double>& values, TensorOptions options = {});
/// A 0-d tensor.
Tensor scalar_tensor(double value, TensorOptions options = {});
/// Uninitialised values (fast; for kernels that overwrite every element).
Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
/// 1-D: start, start+step, ... below end (above end for a negative step), as torch.arange.
/// Float arguments give float32 (the default float dtype) unless options say otherwise.
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
Tensor arange(double end, TensorOptions options = {});
namespace detail {
Tensor arange_int(std::int64_t start, std::int64_t end, std::int64_t step, TensorOptions options);
}
/// Integer arguments give int64, as torch.arange(5) does (explicit options choose another dtype).
template <std::integral I> Tensor arange(I end, TensorOptions options = {.dtype = DType::i64}) {
  return detail::arange_int(0, static_cast<std::int64_t>(end), 1, options);
}
template <std::integral I> Tensor arange(I start, I end, I step = 1, TensorOptions options = {.dtype = DType::i64}) {
  return detail::arange_int(static_cast<std::int64_t>(start), static_cast<std::int64_t>(end),
                            static_cast<std::int64_t>(step), options);
}
/// `steps` values evenly from start to end inclusive, as torch.linspace.
Tensor linspace(double start, double end, std::int64_t steps, TensorOptions options = {});
/// n x m identity (m defaults to n).
Tensor eye(std::int64_t n, std::int64_t m = -1, TensorOptions options = {});

Tensor empty_like(const Tensor& t, std::optional<TensorOptions> options = {});
Tensor zeros_like(const Tensor& t, std::optional<TensorOptions> options = {});
Tensor ones_like(const Tensor& t, std::optional<TensorOptions> options = {});
Tensor full_like(const Tensor& t, double value, std::optional<TensorOptions> options = {});

std::ostream& operator<<(std::ostream& os, const Tensor& t);
/// PyTorch-style repr: `tensor([[1.0000, 2.0000]], shape=[1, 2], grad_fn=<MulBackward0>)`.
std::string to_string(const Tensor& t);

// ---- internals shared by ops ------------------------------------------------------------------

namespace detail {
/// A fresh tensor with uninitialised storage (no autograd state).
Tensor make_tensor(const Shape& shape, DType dtype);
/// A tensor sharing `t`'s storage with a new shape of the same numel (no autograd state).
Tensor alias(const Tensor& t, const Shape& shape);
/// Marks an in-place write to t's storage done through data<T>() (optimizer steps, init):
/// bumps the version that saved tensors check.
inline void bump_version(const Tensor& t) { t.impl()->storage->bump_version(); }
}  // namespace detail

template <class T> T* Tensor::data() const {
  const auto& impl = checked();
  if (impl.dtype != dtype_of<T>())
    fail<DTypeError>("Tensor::data: requested {} but the tensor is {}", dtype_name(dtype_of<T>()),
                     dtype_name(impl.dtype));
  return static_cast<T*>(impl.storage->data());
}

}  // namespace tapegrad

template <> struct fmt::formatter<tapegrad::Tensor> : fmt::formatter<std::string> {
  auto format(const tapegrad::Tensor& t, format_context& ctx) const {
    return fmt::formatter<std::string>::format(tapegrad::to_string(t), ctx);
  }
};
