#include "tensor_kernels.hpp"

namespace tapegrad::kernels {

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  if (a.dtype() != b.dtype())
    fail<DTypeError>("{}: dtypes {} and {} differ (shapes {} and {}); convert one with .to()", op,
                     dtype_name(a.dtype()), dtype_name(b.dtype()), a.shape(), b.shape());
}

}  // namespace tapegrad::kernels
