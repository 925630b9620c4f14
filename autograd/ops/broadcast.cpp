#include "broadcast.hpp"

#include <cstring>

#include "../node.hpp"
#include "../tensor_kernels.hpp"

namespace tapegrad {

// x [s...] -> out [shape...], each dim of x either equal or 1, aligned from the right;
// dx = sum_to(g, x.shape)
Tensor expand(const Tensor& x, const ShapeRequest& shape_in) {
  const std::int64_t lead = shape_in.size() - x.dim();
  if (lead < 0) fail<ShapeError>("expand: cannot expand shape {} to fewer dims {}", x.shape(), shape_in);
  Shape shape;
  for (std::int64_t i = 0; i < shape_in.size(); ++i) {
    const std::int64_t xi = i - lead;
    if (shape_in[i] == -1) {
      if (xi < 0) fail<ShapeError>("expand: -1 is not allowed for the new leading dim {} in {}", i, shape_in);
      shape.push_back(x.shape()[xi]);
    } else if (shape_in[i] < 0) {
      fail<ShapeError>("expand: invalid extent {} in {}", shape_in[i], shape_in);
    } else {
      shape.push_back(shape_in[i]);
    }
    if (xi >= 0 && x.shape()[xi] != shape[i] && x.shape()[xi] != 1)
      fail<ShapeError>("expand: shape {} cannot be expanded to {} (dim {}: {} is neither {} nor 1)", x.shape(),
                       shape_in, i, x.shape()[xi], shape[i]);
  }
  if (shape == x.shape()) return x;
  Tensor out = detail::make_tensor(shape, x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    auto o = kernels::nd<T>(out);
    xt::noalias(o) = xt::broadcast(kernels::nd<T>(x), kernels::xshape(shape));
  });
  record(out, {"expand", "dx = g summed back to x's shape (sum_to)"}, {x},
         [xs = x.shape()](const Tensor& g) { return GradList{sum_to(g, xs)}; });
  return out;
}

Tensor broadcast_to(const Tensor& x, const ShapeRequest& shape) { return expand(x, shape); }

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
  dispatch_all(x.dtype(), [&]<class T>() {
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
    // general case: walk x in row-major order; each element adds into the output element whose
    // index equals x's with the reduced dims set to 0 (stride 0 in those dims)
    const Shape ostrides = contiguous_strides(shape);
    Shape stride;  // output stride for each dim of x
    for (std::int64_t i = 0; i < x.dim(); ++i)
      stride.push_back(i < lead || shape[i - lead] != x.shape()[i] ? 0 : ostrides[i - lead]);
    std::memset(o, 0, sizeof(T) * static_cast<std::size_t>(inner));
    const std::int64_t last = x.dim() - 1, n_last = x.shape()[last], s_last = stride[last];
    Shape idx = x.shape();
    for (auto& e : idx) e = 0;
    std::int64_t base = 0;
    for (std::int64_t k = 0; k < x.numel(); k += n_last) {
      for (std::int64_t j = 0; j < n_last; ++j) o[base + j * s_last] += p[k + j];
      // advance the index over all dims but the last
      for (std::int64_t d = last - 1; d >= 0; --d) {
        base += stride[d];
        if (++idx[d] < x.shape()[d]) break;
        base -= stride[d] * idx[d];
        idx[d] = 0;
      }
    }
  });
  record(out, {"sum_to", "dx = g expanded back to x's shape"}, {x},
         [xs = x.shape()](const Tensor& g) { return GradList{expand(g, xs)}; });
  return out;
}

}  // namespace tapegrad
