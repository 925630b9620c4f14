#include "broadcast.hpp"

#include <xtensor/xreducer.hpp>

#include <cstring>

#include "../node.hpp"
#include "kernels.hpp"

namespace tapegrad {

// x [s...] -> out [shape...], each dim of x either equal or 1, aligned from the right;
// dx = sum_to(g, x.shape)
Tensor expand(const Tensor& x, const Shape& shape_in) {
  Shape shape = shape_in;
  const std::int64_t lead = shape.size() - x.dim();
  if (lead < 0) fail<ShapeError>("expand: cannot expand shape {} to fewer dims {}", x.shape(), shape_in);
  for (std::int64_t i = 0; i < shape.size(); ++i) {
    const std::int64_t xi = i - lead;
    if (shape[i] == -1) {
      if (xi < 0) fail<ShapeError>("expand: -1 is not allowed for the new leading dim {} in {}", i, shape_in);
      shape[i] = x.shape()[xi];
    }
    if (xi >= 0 && x.shape()[xi] != shape[i] && x.shape()[xi] != 1)
      fail<ShapeError>("expand: shape {} cannot be expanded to {} (dim {}: {} is neither {} nor 1)", x.shape(), shape_in,
                       i, x.shape()[xi], shape[i]);
  }
  if (shape == x.shape()) return x;
  Tensor out = detail::make_tensor(shape, x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    auto o = kernels::nd<T>(out);
    xt::noalias(o) = xt::broadcast(kernels::nd<T>(x), kernels::xshape(shape));
  });
  record(out, "expand", {x}, [xs = x.shape()](const Tensor& g) { return GradList{sum_to(g, xs)}; });
  return out;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) { return expand(x, shape); }

// x [s...] -> out [shape...]; dx = expand(g, x.shape)
Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const std::int64_t lead = x.dim() - shape.size();
  if (lead < 0) fail<ShapeError>("sum_to: shape {} has more dims than {}", shape, x.shape());
  std::vector<std::size_t> axes;
  for (std::int64_t i = 0; i < x.dim(); ++i) {
    if (i < lead) {
      axes.push_back(static_cast<std::size_t>(i));
    } else if (shape[i - lead] != x.shape()[i]) {
      if (shape[i - lead] != 1)
        fail<ShapeError>("sum_to: shape {} cannot be reduced to {} (dim {})", x.shape(), shape, i);
      axes.push_back(static_cast<std::size_t>(i));
    }
  }
  Tensor out = detail::make_tensor(shape, x.dtype());
  dispatch_float(x.dtype(), "sum_to", [&]<class T>() {
    T* o = out.data<T>();
    const T* p = x.data<T>();
    // the common case [R, C...] -> [C...] (a bias gradient): add rows, SIMD-friendly
    const std::int64_t inner = shape.numel();
    if (lead == static_cast<std::int64_t>(axes.size()) && inner > 0) {
      const std::int64_t rows = x.numel() / inner;
      std::memset(o, 0, sizeof(T) * static_cast<std::size_t>(inner));
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t j = 0; j < inner; ++j) o[j] += p[r * inner + j];
      return;
    }
    auto r = xt::eval(xt::sum(kernels::nd<T>(x), axes, xt::evaluation_strategy::immediate));
    std::int64_t i = 0;
    for (auto v : r) o[i++] = static_cast<T>(v);
  });
  record(out, "sum_to", {x}, [xs = x.shape()](const Tensor& g) { return GradList{expand(g, xs)}; });
  return out;
}

}  // namespace tapegrad
