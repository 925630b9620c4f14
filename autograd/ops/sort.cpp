// sort and topk. Each lane along dim (a tensor seen as [outer, n, inner]) is copied into a list of
// (value, index) pairs, ordered with the standard algorithms PyTorch's CPU kernel uses (so ties
// come out in the same order), and written back. The backward of both scatters g into zeros of
// x's shape at the saved indices (detail::scatter_into_dim, whose own backward is a gather).
#include "sort.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>

#include "../node.hpp"
#include "../tensor_kernels.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

using kernels::Lanes;
using kernels::lanes_around;

namespace {

template <class T> using Entry = std::pair<T, std::int64_t>;

// the order of a sort: a before b; NaN counts as larger than every number
template <class T> struct Before {
  bool descending;
  bool operator()(const Entry<T>& a, const Entry<T>& b) const {
    if constexpr (std::is_floating_point_v<T>) {
      const bool na = std::isnan(a.first), nb = std::isnan(b.first);
      return descending ? (na && !nb) || a.first > b.first : (!na && nb) || a.first < b.first;
    } else {
      return descending ? a.first > b.first : a.first < b.first;
    }
  }
};

// For every lane of x [outer, n, inner]: fill `lane` with (x[o, j, i], j), let order(lane) arrange
// it, and write its first m entries to values / indices [outer, m, inner].
template <class T, class F>
void per_lane(const Tensor& x, Lanes l, std::int64_t m, Tensor& values, Tensor& indices, F&& order) {
  const T* p = x.data<T>();
  T* v = values.data<T>();
  std::int64_t* ix = indices.data<std::int64_t>();
  std::vector<Entry<T>> lane(static_cast<std::size_t>(l.n));
  for (std::int64_t o = 0; o < l.outer; ++o)
    for (std::int64_t i = 0; i < l.inner; ++i) {
      for (std::int64_t j = 0; j < l.n; ++j) lane[static_cast<std::size_t>(j)] = {p[(o * l.n + j) * l.inner + i], j};
      order(lane);
      for (std::int64_t j = 0; j < m; ++j) {
        const auto& e = lane[static_cast<std::size_t>(j)];
        v[(o * m + j) * l.inner + i] = e.first;
        ix[(o * m + j) * l.inner + i] = e.second;
      }
    }
}

// values [.., m, ..] taken from x at `indices` along d; dx = g scattered into zeros of x's shape
void record_selection(Tensor& values, const Tensor& indices, const Tensor& x, std::int64_t d, OpInfo info) {
  // the caller gets the indices too, and may change them in place: they are saved
  record(values, info, {x}, [idx = save(indices), d, xs = x.shape()](const Tensor& g) {
    return GradList{detail::scatter_into_dim(g, idx.unpack(), d, xs)};
  });
}

}  // namespace

// x [.., n, ..] -> values, indices [.., n, ..]; dx = scatter(g, indices)
ValuesIndices sort(const Tensor& x, std::int64_t dim, bool descending, std::optional<bool> stable) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "sort");
  const Lanes l = lanes_around(x.shape(), d);
  Tensor values = detail::make_tensor(x.shape(), x.dtype());
  Tensor indices = detail::make_tensor(x.shape(), DType::i64);
  const bool keep_ties = stable.value_or(false);
  dispatch_all(x.dtype(), [&]<class T>() {
    per_lane<T>(x, l, l.n, values, indices, [&](std::vector<Entry<T>>& lane) {
      if (keep_ties) std::stable_sort(lane.begin(), lane.end(), Before<T>{descending});
      else std::sort(lane.begin(), lane.end(), Before<T>{descending});
    });
  });
  record_selection(values, indices, x, d,
                   {"sort", "dx = g scattered back to the positions the indices name", stable ? 1 : 0});
  return {values, indices};
}

// x [.., n, ..] -> values, indices [.., k, ..]: the k largest (smallest) along d; dx = scatter(g, indices)
ValuesIndices topk(const Tensor& x, std::int64_t k, std::int64_t dim, bool largest, bool sorted) {
  const std::int64_t d = wrap_dim(dim, x.dim(), "topk");
  const Lanes l = lanes_around(x.shape(), d);
  if (k < 0 || k > l.n)
    fail<IndexError>("topk: k = {} is out of range for dim {} of extent {} (shape {}); expected 0 <= k <= {}", k, d,
                     l.n, x.shape(), l.n);
  // a 0-d x keeps its shape (torch gives the element itself even for k = 0)
  Shape shape = x.shape();
  if (x.dim() > 0) shape[d] = k;
  const std::int64_t m = x.dim() > 0 ? k : 1;
  Tensor values = detail::make_tensor(shape, x.dtype());
  Tensor indices = detail::make_tensor(shape, DType::i64);
  dispatch_all(x.dtype(), [&]<class T>() {
    const Before<T> before{largest};
    per_lane<T>(x, l, m, values, indices, [&](std::vector<Entry<T>>& lane) {
      if (k == 0) return;
      if (k * 64 <= l.n) {
        std::partial_sort(lane.begin(), lane.begin() + k, lane.end(), before);
      } else {
        std::nth_element(lane.begin(), lane.begin() + (k - 1), lane.end(), before);
        if (sorted) std::sort(lane.begin(), lane.begin() + (k - 1), before);
      }
    });
  });
  record_selection(values, indices, x, d, {"topk", "dx = g scattered back to the positions the indices name"});
  return {values, indices};
}

}  // namespace tapegrad
