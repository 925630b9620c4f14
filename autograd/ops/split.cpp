// chunk, split and unbind. Each piece's values are copied out of x (narrow, one pass per piece).
// For the gradients, the pieces hang off x as the leaves of a balanced binary tree: a range of two
// or more pieces is a graph-only tensor of that range's shape (it aliases x's storage; nothing
// ever reads its values) whose backward places g at the range's offset in its parent. Backward thus
// costs O(numel log(pieces)), where a full-shape gradient per piece would cost O(numel * pieces),
// and it holds no state between sweeps: every node's rule is an ordinary differentiable op.
#include "split.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include "../node.hpp"
#include "index.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace {

struct Layout {
  std::int64_t d;                    // the split dim
  std::vector<std::int64_t> starts;  // piece i spans [starts[i], starts[i + 1]) along d
  bool drop_dim;                     // unbind: the pieces have no dim d
  OpInfo piece, group;
};

// Records pieces lo..hi-1 under `parent`, a tensor whose extent along d spans them (starting at
// starts[lo]): each half of the range is a single piece, recorded on parent directly, or a
// group tensor recorded on parent with the rest of the tree below it. dpiece/dgroup = g placed
// into zeros of the parent's shape at its offset (slice_backward, whose backward is a slice).
void attach(std::vector<Tensor>& pieces, const Layout& lay, std::size_t lo, std::size_t hi, const Tensor& parent) {
  const std::size_t mid = lo + (hi - lo) / 2;
  for (auto [a, b] : {std::pair{lo, mid}, std::pair{mid, hi}}) {
    if (a == b) continue;
    const std::int64_t offset = lay.starts[a] - lay.starts[lo];
    if (b - a == 1) {
      record(pieces[a], lay.piece, {parent},
             [ps = parent.shape(), d = lay.d, offset, drop = lay.drop_dim](const Tensor& g) {
               return GradList{detail::slice_backward(drop ? unsqueeze(g, d) : g, ps, d, offset, 1)};
             });
      continue;
    }
    Shape s = parent.shape();
    s[lay.d] = lay.starts[b] - lay.starts[a];
    Tensor group = detail::alias(parent, s);  // the graph only: its values are never read
    record(group, lay.group, {parent}, [ps = parent.shape(), d = lay.d, offset](const Tensor& g) {
      return GradList{detail::slice_backward(g, ps, d, offset, 1)};
    });
    attach(pieces, lay, a, b, group);
  }
}

// the pieces of x along d with the given extents (each without d when drop_dim, for unbind),
// recorded as `name` (PyTorch's grad_fn of the pieces)
std::vector<Tensor> make_pieces(const Tensor& x, std::int64_t d, const std::vector<std::int64_t>& sizes,
                                const char* name, bool drop_dim) {
  std::vector<Tensor> pieces;
  pieces.reserve(sizes.size());
  Layout lay{d,
             {0},
             drop_dim,
             {name, "dx = g placed at the piece's offset along dim, zeros elsewhere"},
             {name, "dx = g placed at this group of pieces' offset along dim, zeros elsewhere"}};
  {
    NoGradGuard no_grad;
    const Tensor v = x.detach();
    Shape dropped = x.shape();
    dropped.erase(d);
    for (auto n : sizes) {
      const Tensor p = narrow(v, d, lay.starts.back(), n);
      pieces.push_back(drop_dim ? detail::alias(p, dropped) : p);
      lay.starts.push_back(lay.starts.back() + n);
    }
  }
  if (!pieces.empty() && any_requires_grad({&x})) attach(pieces, lay, 0, pieces.size(), x);
  return pieces;
}

std::int64_t split_dim(const Tensor& x, std::int64_t dim, const char* op) {
  if (x.dim() == 0) fail<IndexError>("{}: expects a tensor with at least one dim, got a 0-d tensor (shape [])", op);
  return wrap_dim(dim, x.dim(), op);
}

// pieces of split_size along d, the last one smaller (one piece if split_size >= n, or if n == 0)
std::vector<Tensor> split_by_size(const Tensor& x, std::int64_t split_size, std::int64_t dim, const char* op) {
  const std::int64_t d = split_dim(x, dim, op);
  const std::int64_t n = x.shape()[d];
  if (split_size < 0) fail<ValueError>("{}: split_size must be non-negative, got {}", op, split_size);
  if (split_size == 0 && n != 0)
    fail<ValueError>("{}: split_size can be 0 only if dim {} has extent 0, but it has {} (shape {})", op, d, n,
                     x.shape());
  const std::int64_t count = split_size == 0 ? 1 : std::max<std::int64_t>((n + split_size - 1) / split_size, 1);
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(count), split_size);
  sizes.back() = n - split_size * (count - 1);
  return make_pieces(x, d, sizes, "split", false);
}

}  // namespace

std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim) {
  return split_by_size(x, split_size, dim, "split");
}

// pieces of ceil(n / chunks); an extent of 0 gives `chunks` empty pieces (as PyTorch, by sizes)
std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim) {
  const std::int64_t d = split_dim(x, dim, "chunk");
  if (chunks <= 0) fail<ValueError>("chunk: chunks must be greater than 0, got {}", chunks);
  const std::int64_t n = x.shape()[d];
  if (n == 0)
    return make_pieces(x, d, std::vector<std::int64_t>(static_cast<std::size_t>(chunks), 0), "split_with_sizes", false);
  return split_by_size(x, (n + chunks - 1) / chunks, d, "chunk");
}

std::vector<Tensor> split(const Tensor& x, const std::vector<std::int64_t>& sizes, std::int64_t dim) {
  const std::int64_t d = split_dim(x, dim, "split");
  const std::int64_t n = x.shape()[d];
  const bool negative = std::any_of(sizes.begin(), sizes.end(), [](auto s) { return s < 0; });
  if (negative || std::accumulate(sizes.begin(), sizes.end(), std::int64_t{0}) != n)
    fail<ValueError>("split: sizes [{}] must be non-negative and add up to the extent {} of dim {} (shape {})",
                     fmt::join(sizes, ", "), n, d, x.shape());
  return make_pieces(x, d, sizes, "split_with_sizes", false);
}

std::vector<Tensor> split(const Tensor& x, std::initializer_list<std::int64_t> sizes, std::int64_t dim) {
  return split(x, std::vector<std::int64_t>(sizes), dim);
}

std::vector<Tensor> unbind(const Tensor& x, std::int64_t dim) {
  const std::int64_t d = split_dim(x, dim, "unbind");
  return make_pieces(x, d, std::vector<std::int64_t>(static_cast<std::size_t>(x.shape()[d]), 1), "unbind", true);
}

}  // namespace tapegrad
