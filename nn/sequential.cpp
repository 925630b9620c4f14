// Sequential: forward chains the modules; indexing as Python lists (negative from the end).
#include "sequential.hpp"

namespace tapegrad::nn {

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& m : layers_) y = (*m)(y);
  return y;
}

const std::shared_ptr<Module>& Sequential::ptr(std::int64_t i) const {
  const auto n = static_cast<std::int64_t>(layers_.size());
  if (i < -n || i >= n) fail<IndexError>("Sequential: index {} is out of range for {} modules", i, n);
  return layers_[static_cast<std::size_t>(i < 0 ? i + n : i)];
}

Module& Sequential::operator[](std::int64_t i) const { return *ptr(i); }

}  // namespace tapegrad::nn
