// Tensor's method forms: `t.sum()` is `sum(t)`, and so on. Each forwards to the op's free
// function (autograd/ops/), so an op is written once.
#include "ops/activation.hpp"
#include "ops/elementwise.hpp"
#include "ops/linalg.hpp"
#include "ops/masking.hpp"
#include "ops/rearrange.hpp"
#include "ops/reduce.hpp"
#include "ops/reduce_more.hpp"
#include "ops/rounding.hpp"
#include "ops/scan.hpp"
#include "ops/shape_ops.hpp"
#include "ops/sort.hpp"
#include "ops/split.hpp"
#include "ops/trig.hpp"
#include "ops/unary_math.hpp"
#include "tensor.hpp"

namespace tapegrad {

Tensor Tensor::to(DType dtype) const { return tapegrad::to(*this, dtype); }
Tensor Tensor::clone() const { return tapegrad::clone(*this); }
Tensor Tensor::pow(double exponent) const { return tapegrad::pow(*this, exponent); }
Tensor Tensor::exp() const { return tapegrad::exp(*this); }
Tensor Tensor::log() const { return tapegrad::log(*this); }
Tensor Tensor::abs() const { return tapegrad::abs(*this); }
Tensor Tensor::sqrt() const { return tapegrad::sqrt(*this); }
Tensor Tensor::relu() const { return tapegrad::relu(*this); }
Tensor Tensor::sigmoid() const { return tapegrad::sigmoid(*this); }
Tensor Tensor::tanh() const { return tapegrad::tanh(*this); }
Tensor Tensor::sum() const { return tapegrad::sum(*this); }
Tensor Tensor::mean() const { return tapegrad::mean(*this); }
Tensor Tensor::reshape(const ShapeRequest& shape) const { return tapegrad::reshape(*this, shape); }
Tensor Tensor::view(const ShapeRequest& shape) const { return tapegrad::view(*this, shape); }
Tensor Tensor::flatten(std::int64_t s, std::int64_t e) const { return tapegrad::flatten(*this, s, e); }
Tensor Tensor::squeeze(std::int64_t dim) const { return tapegrad::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(std::int64_t dim) const { return tapegrad::unsqueeze(*this, dim); }
Tensor Tensor::t() const { return tapegrad::t(*this); }
Tensor Tensor::transpose(std::int64_t d0, std::int64_t d1) const { return tapegrad::transpose(*this, d0, d1); }
Tensor Tensor::matmul(const Tensor& other) const { return tapegrad::matmul(*this, other); }

Tensor Tensor::sin() const { return tapegrad::sin(*this); }
Tensor Tensor::cos() const { return tapegrad::cos(*this); }
Tensor Tensor::tan() const { return tapegrad::tan(*this); }
Tensor Tensor::asin() const { return tapegrad::asin(*this); }
Tensor Tensor::acos() const { return tapegrad::acos(*this); }
Tensor Tensor::atan() const { return tapegrad::atan(*this); }
Tensor Tensor::atan2(const Tensor& other) const { return tapegrad::atan2(*this, other); }
Tensor Tensor::sinh() const { return tapegrad::sinh(*this); }
Tensor Tensor::cosh() const { return tapegrad::cosh(*this); }
Tensor Tensor::asinh() const { return tapegrad::asinh(*this); }
Tensor Tensor::acosh() const { return tapegrad::acosh(*this); }
Tensor Tensor::atanh() const { return tapegrad::atanh(*this); }
Tensor Tensor::log1p() const { return tapegrad::log1p(*this); }
Tensor Tensor::expm1() const { return tapegrad::expm1(*this); }
Tensor Tensor::log2() const { return tapegrad::log2(*this); }
Tensor Tensor::log10() const { return tapegrad::log10(*this); }
Tensor Tensor::exp2() const { return tapegrad::exp2(*this); }
Tensor Tensor::reciprocal() const { return tapegrad::reciprocal(*this); }
Tensor Tensor::rsqrt() const { return tapegrad::rsqrt(*this); }
Tensor Tensor::square() const { return tapegrad::square(*this); }
Tensor Tensor::erf() const { return tapegrad::erf(*this); }
Tensor Tensor::erfc() const { return tapegrad::erfc(*this); }
Tensor Tensor::floor() const { return tapegrad::floor(*this); }
Tensor Tensor::ceil() const { return tapegrad::ceil(*this); }
Tensor Tensor::round() const { return tapegrad::round(*this); }
Tensor Tensor::trunc() const { return tapegrad::trunc(*this); }
Tensor Tensor::frac() const { return tapegrad::frac(*this); }
Tensor Tensor::clamp_min(double min) const { return tapegrad::clamp_min(*this, min); }
Tensor Tensor::clamp_max(double max) const { return tapegrad::clamp_max(*this, max); }
Tensor Tensor::masked_fill(const Tensor& mask, double value) const { return tapegrad::masked_fill(*this, mask, value); }
Tensor Tensor::where(const Tensor& condition, double other) const { return tapegrad::where(condition, *this, other); }

// reductions, scans, sorting, rearranging and splitting
Tensor Tensor::amax(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return tapegrad::amax(*this, dims, keepdim);
}
Tensor Tensor::amin(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return tapegrad::amin(*this, dims, keepdim);
}
Tensor Tensor::prod() const { return tapegrad::prod(*this); }
Tensor Tensor::prod(std::int64_t dim, bool keepdim) const { return tapegrad::prod(*this, dim, keepdim); }
Tensor Tensor::cumsum(std::int64_t dim) const { return tapegrad::cumsum(*this, dim); }
Tensor Tensor::cumprod(std::int64_t dim) const { return tapegrad::cumprod(*this, dim); }
ValuesIndices Tensor::topk(std::int64_t k, std::int64_t dim, bool largest, bool sorted) const {
  return tapegrad::topk(*this, k, dim, largest, sorted);
}
ValuesIndices Tensor::sort(std::int64_t dim, bool descending, std::optional<bool> stable) const {
  return tapegrad::sort(*this, dim, descending, stable);
}
Tensor Tensor::flip(const std::vector<std::int64_t>& dims) const { return tapegrad::flip(*this, dims); }
Tensor Tensor::roll(std::int64_t shift, std::optional<std::int64_t> dim) const {
  return tapegrad::roll(*this, shift, dim);
}
Tensor Tensor::roll(const std::vector<std::int64_t>& shifts, const std::vector<std::int64_t>& dims) const {
  return tapegrad::roll(*this, shifts, dims);
}
Tensor Tensor::repeat(const std::vector<std::int64_t>& repeats) const { return tapegrad::repeat(*this, repeats); }
Tensor Tensor::tile(const std::vector<std::int64_t>& reps) const { return tapegrad::tile(*this, reps); }
std::vector<Tensor> Tensor::chunk(std::int64_t chunks, std::int64_t dim) const {
  return tapegrad::chunk(*this, chunks, dim);
}
std::vector<Tensor> Tensor::split(std::int64_t split_size, std::int64_t dim) const {
  return tapegrad::split(*this, split_size, dim);
}
std::vector<Tensor> Tensor::split(const std::vector<std::int64_t>& sizes, std::int64_t dim) const {
  return tapegrad::split(*this, sizes, dim);
}
std::vector<Tensor> Tensor::split(std::initializer_list<std::int64_t> sizes, std::int64_t dim) const {
  return tapegrad::split(*this, sizes, dim);
}
std::vector<Tensor> Tensor::unbind(std::int64_t dim) const { return tapegrad::unbind(*this, dim); }

}  // namespace tapegrad
