#include "values.hpp"

#include <cstring>

#include "../core/parallel.hpp"

namespace tapegrad::detail {

Tensor copy_values(const Tensor& x) {
  Tensor out = make_tensor(x.shape(), x.dtype());
  std::memcpy(out.impl()->storage->data(), x.impl()->storage->data(),
              static_cast<std::size_t>(x.numel()) * element_size(x.dtype()));
  return out;
}

void add_inplace(Tensor& dst, const Tensor& src) {
  dispatch_float(dst.dtype(), "add_", [&]<class T>() {
    T* d = dst.data<T>();
    const T* s = src.data<T>();
    parallel_for(dst.numel(), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) d[i] += s[i];
    });
  });
}

}  // namespace tapegrad::detail
