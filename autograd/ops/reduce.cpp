// Reductions. sum is the primitive; mean, var, std and logsumexp are composed from
// differentiable ops, so their backward rules come from the chain rule.
#include "reduce.hpp"

#include <xtensor/xreducer.hpp>

#include <algorithm>

#include "../node.hpp"
#include "broadcast.hpp"
#include "elementwise.hpp"
#include "kernels.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace detail {

std::vector<std::int64_t> reduction_dims(const Dims& dims, std::int64_t ndim, const char* op) {
  std::vector<std::int64_t> out;
  if (dims.empty()) {
    for (std::int64_t i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (auto d : dims) {
    const std::int64_t w = wrap_dim(d, ndim, op);
    if (std::find(out.begin(), out.end(), w) != out.end())
      fail<ValueError>("{}: dim {} appears more than once in the dims list", op, w);
    out.push_back(w);
  }
  if (ndim == 0) out.clear();  // dim 0 / -1 of a 0-d tensor reduces nothing
  std::sort(out.begin(), out.end());
  return out;
}

Shape keepdim_shape(const Shape& shape, const std::vector<std::int64_t>& dims) {
  Shape s = shape;
  for (auto d : dims) s[d] = 1;
  return s;
}

Shape reduced_shape(const Shape& shape, const std::vector<std::int64_t>& dims) {
  Shape s;
  for (std::int64_t i = 0; i < shape.size(); ++i)
    if (std::find(dims.begin(), dims.end(), i) == dims.end()) s.push_back(shape[i]);
  return s;
}

}  // namespace detail

// out = sum of x over dims; dx = g (reshaped to the keepdim shape) expanded to x's shape
Tensor sum(const Tensor& x, const Dims& dims_in, bool keepdim) {
  const auto dims = detail::reduction_dims(dims_in, x.dim(), "sum");
  const Shape kept = detail::keepdim_shape(x.shape(), dims);
  Tensor out = detail::alias(sum_to(x.detach(), kept), keepdim ? kept : detail::reduced_shape(x.shape(), dims));
  record(out, "sum", {x}, [xs = x.shape(), kept](const Tensor& g) { return GradList{expand(reshape(g, kept), xs)}; });
  return out;
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }

// mean = sum / N over the reduced elements
Tensor mean(const Tensor& x, const Dims& dims_in, bool keepdim) {
  const auto dims = detail::reduction_dims(dims_in, x.dim(), "mean");
  std::int64_t n = 1;
  for (auto d : dims) n *= x.shape()[d];
  return div(sum(x, dims_in, keepdim), detail::scalar_like(x, static_cast<double>(n)));
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor Tensor::sum() const { return tapegrad::sum(*this); }
Tensor Tensor::mean() const { return tapegrad::mean(*this); }

}  // namespace tapegrad
