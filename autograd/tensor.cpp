#include "tensor.hpp"

#include <cmath>
#include <cstring>

#include "node.hpp"
#include "../core/parallel.hpp"

namespace tapegrad {

TensorImpl::~TensorImpl() {
  if (grad_fn) detail::drop_node(std::move(grad_fn));
}

namespace detail {

Tensor make_tensor(const Shape& shape, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(shape.numel()) * element_size(dtype));
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor alias(const Tensor& t, const Shape& shape) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl()->storage;
  impl->shape = shape;
  impl->dtype = t.dtype();
  return Tensor(std::move(impl));
}

}  // namespace detail

// ---- creation --------------------------------------------------------------------------------

namespace {

Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.requires_grad) t.requires_grad_(true);
  return t;
}

// Writes f(i) for i in [0, n) converted to the tensor's dtype.
template <class F> void fill_with(const Tensor& t, F&& f) {
  dispatch_all(t.dtype(), [&]<class T>() {
    T* p = t.data<T>();
    detail::parallel_for(t.numel(), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) p[i] = static_cast<T>(f(i));
    });
  });
}

}  // namespace

Tensor empty(const Shape& shape, TensorOptions o) {
  if (o.requires_grad && !is_floating(o.dtype))
    fail<DTypeError>("empty: only floating-point tensors can require grad, got {}", dtype_name(o.dtype));
  return finish(detail::make_tensor(shape, o.dtype), o);
}

Tensor full(const Shape& shape, double value, TensorOptions o) {
  Tensor t = empty(shape, {.dtype = o.dtype});
  fill_with(t, [&](std::int64_t) { return value; });
  return finish(t, o);
}

Tensor zeros(const Shape& shape, TensorOptions o) {
  Tensor t = empty(shape, {.dtype = o.dtype});
  std::memset(t.impl()->storage->data(), 0, static_cast<std::size_t>(t.numel()) * element_size(o.dtype));
  return finish(t, o);
}

Tensor ones(const Shape& shape, TensorOptions o) { return full(shape, 1.0, o); }

Tensor tensor(const std::vector<double>& values, const Shape& shape, TensorOptions o) {
  if (static_cast<std::int64_t>(values.size()) != shape.numel())
    fail<ShapeError>("tensor: {} values given for shape {} ({} elements)", values.size(), shape, shape.numel());
  Tensor t = empty(shape, {.dtype = o.dtype});
  fill_with(t, [&](std::int64_t i) { return values[static_cast<std::size_t>(i)]; });
  return finish(t, o);
}

Tensor tensor(const std::vector<double>& values, TensorOptions o) {
  return tensor(values, Shape{static_cast<std::int64_t>(values.size())}, o);
}

Tensor scalar_tensor(double value, TensorOptions o) { return full(Shape{}, value, o); }

Tensor arange(double start, double end, double step, TensorOptions o) {
  if (step == 0 || !std::isfinite(step) || !std::isfinite(start) || !std::isfinite(end))
    fail<ValueError>("arange: start {}, end {} and step {} must be finite and step non-zero", start, end, step);
  if ((end - start) / step < 0)
    fail<ValueError>("arange: end {} cannot be reached from start {} with step {}", end, start, step);
  const auto n = static_cast<std::int64_t>(std::ceil((end - start) / step));
  Tensor t = empty(Shape{n}, {.dtype = o.dtype});
  fill_with(t, [&](std::int64_t i) { return start + static_cast<double>(i) * step; });
  return finish(t, o);
}

Tensor arange(double end, TensorOptions o) { return arange(0.0, end, 1.0, o); }

// the count is ceil((end - start) / step) in exact integer arithmetic
Tensor detail::arange_int(std::int64_t start, std::int64_t end, std::int64_t step, TensorOptions o) {
  if (step == 0) fail<ValueError>("arange: step must be non-zero (start {}, end {})", start, end);
  if ((step > 0 && end < start) || (step < 0 && end > start))
    fail<ValueError>("arange: end {} cannot be reached from start {} with step {}", end, start, step);
  const __int128 span = static_cast<__int128>(end) - start;
  const __int128 n = step > 0 ? (span + step - 1) / step : (span + step + 1) / step;
  Tensor t = empty(Shape{static_cast<std::int64_t>(n)}, {.dtype = o.dtype});
  fill_with(t, [&](std::int64_t i) { return static_cast<double>(start + i * step); });
  if (t.dtype() == DType::i64) {  // exact beyond 2^53 too
    std::int64_t* p = t.data<std::int64_t>();
    for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = start + i * step;
  }
  return finish(t, o);
}

Tensor linspace(double start, double end, std::int64_t steps, TensorOptions o) {
  if (steps < 0) fail<ValueError>("linspace: number of steps must be non-negative, got {}", steps);
  Tensor t = empty(Shape{steps}, {.dtype = o.dtype});
  // as torch: the first half counts up from start, the second half down from end
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  const std::int64_t half = steps / 2;
  fill_with(t, [&](std::int64_t i) {
    if (steps == 1) return start;
    return i < half ? start + step * static_cast<double>(i) : end - step * static_cast<double>(steps - 1 - i);
  });
  return finish(t, o);
}

Tensor eye(std::int64_t n, std::int64_t m, TensorOptions o) {
  if (m < 0) m = n;
  if (n < 0) fail<ValueError>("eye: n must be non-negative, got {}", n);
  Tensor t = zeros(Shape{n, m}, {.dtype = o.dtype});
  fill_with(t, [&](std::int64_t i) { return i / m == i % m ? 1.0 : 0.0; });
  return finish(t, o);
}

namespace {
TensorOptions like(const Tensor& t, const std::optional<TensorOptions>& o) {
  return o ? *o : TensorOptions{.dtype = t.dtype()};
}
}  // namespace

Tensor empty_like(const Tensor& t, std::optional<TensorOptions> o) { return empty(t.shape(), like(t, o)); }
Tensor zeros_like(const Tensor& t, std::optional<TensorOptions> o) { return zeros(t.shape(), like(t, o)); }
Tensor ones_like(const Tensor& t, std::optional<TensorOptions> o) { return ones(t.shape(), like(t, o)); }
Tensor full_like(const Tensor& t, double v, std::optional<TensorOptions> o) { return full(t.shape(), v, like(t, o)); }

// ---- reading ---------------------------------------------------------------------------------

std::int64_t Tensor::size(std::int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }

std::vector<double> Tensor::to_vector() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  dispatch_all(dtype(), [&]<class T>() {
    const T* p = data<T>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

double Tensor::item() const {
  if (numel() != 1)
    fail<StateError>("item: only a tensor with one element can be converted to a number, got shape {}", shape());
  return dispatch_all(dtype(), [&]<class T>() { return static_cast<double>(*data<T>()); });
}

// ---- autograd state --------------------------------------------------------------------------

Tensor Tensor::detach() const {
  Tensor t = detail::alias(*this, shape());
  t.impl()->is_view = true;
  return t;
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  auto& impl = const_cast<TensorImpl&>(checked());
  if (!impl.grad_fn && requires_grad && !is_floating(impl.dtype))
    fail<DTypeError>("requires_grad_: only floating-point tensors can require grad, got {}", dtype_name(impl.dtype));
  if (impl.grad_fn && !requires_grad)
    fail<StateError>("requires_grad_: a non-leaf tensor (made by {}) cannot stop requiring grad; use detach()",
                     impl.grad_fn->name());
  impl.requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  const auto& impl = checked();
  if (!impl.grad) {
    if (impl.grad_fn && !impl.retains_grad)
      fail<StateError>(
          "grad: this is a non-leaf tensor (made by {}); its gradient is not kept unless you call retain_grad() "
          "before backward",
          impl.grad_fn->name());
    fail<StateError>("grad: the tensor of shape {} has no gradient{}", impl.shape,
                     impl.requires_grad ? " yet (call backward first)" : " (it does not require grad)");
  }
  return Tensor(impl.grad);
}

void Tensor::set_grad(const Tensor& grad) {
  auto& impl = const_cast<TensorImpl&>(checked());
  if (grad.defined() && (grad.shape() != impl.shape || grad.dtype() != impl.dtype))
    fail<ShapeError>("set_grad: gradient {} {} does not match the tensor's {} {}", grad.shape(),
                     dtype_name(grad.dtype()), impl.shape, dtype_name(impl.dtype));
  impl.grad = grad.impl_ptr();
}

void Tensor::retain_grad() {
  auto& impl = const_cast<TensorImpl&>(checked());
  if (!impl.requires_grad) fail<StateError>("retain_grad: the tensor of shape {} does not require grad", impl.shape);
  if (impl.grad_fn) retain_grad_of(impl_);
  impl.retains_grad = true;
}

}  // namespace tapegrad
