#pragma once
// Buffer-level helpers the engine uses on values it owns (gradient sums, saved copies):
// no recording, no checks beyond what the callers guarantee. Internal; not part of the API.
#include "tensor.hpp"

namespace tapegrad::detail {

/// A plain copy of the values (no autograd).
Tensor copy_values(const Tensor& x);
/// dst += src in place; same shape and float dtype, the caller's guarantee (no autograd).
void add_inplace(Tensor& dst, const Tensor& src);

}  // namespace tapegrad::detail
