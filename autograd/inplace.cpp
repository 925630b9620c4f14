// In-place writes: t.add_(u), t.fill_(v), ... write into t's storage and bump its version
// counter, which every SavedTensor of that storage checks at backward.
//
// When no gradient is involved (grad mode off, or neither tensor requires grad) the new values
// are simply written. Otherwise the op is recorded as PyTorch records it: t's old value (a copy
// that keeps t's history) goes through the out-of-place op, and t takes the new node as its
// grad_fn ("rebasing"), so gradients flow through the in-place op as through `t = op(t, u)`.
// Two cases cannot be recorded and are StateErrors, as in PyTorch: a leaf that requires grad
// (its .grad would no longer belong to the values), and a view (its base's history would not
// see the change).
#include <cstring>

#include "node.hpp"
#include "ops/broadcast.hpp"
#include "ops/elementwise.hpp"
#include "values.hpp"
#include "../core/parallel.hpp"

namespace tapegrad {
namespace {

bool recording(const Tensor& self, const Tensor* other) {
  return GradMode::is_enabled() && (self.requires_grad() || (other && other->defined() && other->requires_grad()));
}

// The values of r (same shape and dtype as self) become self's, and self's version moves on.
void write_values(Tensor& self, const Tensor& r, const char* op) {
  if (r.shape() != self.shape())
    fail<ShapeError>(
        "{}: the result has shape {} but the tensor written in place has shape {} (the other operand "
        "must broadcast to the tensor's shape)",
        op, r.shape(), self.shape());
  std::memcpy(self.impl()->storage->data(), r.impl()->storage->data(),
              static_cast<std::size_t>(self.numel()) * element_size(self.dtype()));
  self.impl()->storage->bump_version();
}

// `other` must broadcast to self's shape and (unless converted, as by copy_) share its dtype
void check_operand(const Tensor& self, const Tensor* other, const char* op, bool same_dtype) {
  if (!self.defined()) fail<StateError>("{}: the tensor is undefined", op);
  if (!other) return;
  if (!other->defined()) fail<StateError>("{}: the other tensor is undefined", op);
  if (same_dtype && other->dtype() != self.dtype())
    fail<DTypeError>("{}: dtypes {} (the tensor, shape {}) and {} (the other, shape {}) differ; convert with .to()", op,
                     dtype_name(self.dtype()), self.shape(), dtype_name(other->dtype()), other->shape());
  if (broadcast_shapes(other->shape(), self.shape(), op) != self.shape())
    fail<ShapeError>("{}: the other operand's shape {} does not broadcast to the tensor's shape {}", op, other->shape(),
                     self.shape());
}

// self = f(self), in place; `other` is the op's second operand, if it has one.
template <class F> Tensor& update(Tensor& self, const Tensor* other, const char* op, F&& f, bool same_dtype = true) {
  check_operand(self, other, op, same_dtype);
  if (!recording(self, other)) {
    NoGradGuard no_grad;
    write_values(self, f(self), op);
    return self;
  }
  if (self.is_leaf() && self.requires_grad())
    fail<StateError>(
        "{}: a leaf tensor that requires grad (shape {}) cannot be changed in place while grad mode is "
        "on; wrap the update in NoGradGuard (as optimizers do)",
        op, self.shape());
  if (self.impl()->is_view)
    fail<StateError>(
        "{}: the tensor (shape {}) is a view of another tensor's storage (reshape, view, flatten, "
        "squeeze, unsqueeze or detach); an in-place change of it cannot be recorded, so use the "
        "out-of-place op",
        op, self.shape());
  // self's old value with self's history; a copy, because self's storage is about to change
  Tensor old = detail::copy_values(self);
  old.impl()->requires_grad = self.requires_grad();
  old.impl()->grad_fn = self.grad_fn();
  const Tensor r = f(old);
  write_values(self, r, op);
  self.impl()->grad_fn = r.grad_fn();
  self.impl()->requires_grad = r.requires_grad();
  return self;
}

Tensor scalar_of(const Tensor& self, double v) { return detail::scalar_like(self, v); }

// out = v everywhere; dold = 0
Tensor filled(const Tensor& old, double v) {
  Tensor out = full(old.shape(), v, {.dtype = old.dtype()});
  record(out, {"fill", "dself = 0 (the old values do not matter)"}, {old},
         [s = old.shape(), d = old.dtype()](const Tensor&) { return GradList{zeros(s, {.dtype = d})}; });
  return out;
}

// out = src converted to old's dtype and broadcast to its shape; dold = 0, dsrc = g summed back
Tensor copied(const Tensor& old, const Tensor& src) {
  Tensor out = expand(src.detach().to(old.dtype()), old.shape());
  if (out.impl()->storage == src.impl()->storage) out = detail::copy_values(out);
  record(out, {"copy", "dself = 0, dsrc = sum_to(g) converted to src's dtype", 0}, {old, src},
         [s = old.shape(), d = old.dtype(), ss = src.shape(), sd = src.dtype()](const Tensor& g) {
           return GradList{zeros(s, {.dtype = d}), sum_to(g, ss).to(sd)};
         });
  return out;
}

}  // namespace

Tensor& Tensor::fill_(double value) {
  return update(*this, nullptr, "fill_", [&](const Tensor& old) { return filled(old, value); });
}

Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::copy_(const Tensor& src) {
  return update(
      *this, &src, "copy_", [&](const Tensor& old) { return copied(old, src); }, /*same_dtype=*/false);
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  return update(*this, &other, "add_", [&](const Tensor& old) {
    return add(old, alpha == 1.0 ? other : mul(other, scalar_of(other, alpha)));
  });
}
Tensor& Tensor::add_(double other) {
  return update(*this, nullptr, "add_", [&](const Tensor& old) { return add(old, scalar_of(old, other)); });
}
Tensor& Tensor::sub_(const Tensor& other, double alpha) {
  return update(*this, &other, "sub_", [&](const Tensor& old) {
    return sub(old, alpha == 1.0 ? other : mul(other, scalar_of(other, alpha)));
  });
}
Tensor& Tensor::sub_(double other) {
  return update(*this, nullptr, "sub_", [&](const Tensor& old) { return sub(old, scalar_of(old, other)); });
}
Tensor& Tensor::mul_(const Tensor& other) {
  return update(*this, &other, "mul_", [&](const Tensor& old) { return mul(old, other); });
}
Tensor& Tensor::mul_(double other) {
  return update(*this, nullptr, "mul_", [&](const Tensor& old) { return mul(old, scalar_of(old, other)); });
}
Tensor& Tensor::div_(const Tensor& other) {
  return update(*this, &other, "div_", [&](const Tensor& old) { return div(old, other); });
}
Tensor& Tensor::div_(double other) {
  return update(*this, nullptr, "div_", [&](const Tensor& old) { return div(old, scalar_of(old, other)); });
}
Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max) {
  return update(*this, nullptr, "clamp_", [&](const Tensor& old) { return clamp(old, min, max); });
}

}  // namespace tapegrad
