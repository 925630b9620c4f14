// flip, roll, repeat and tile. Each copies x into a new tensor in one pass, moving whole
// contiguous blocks (memcpy, so any dtype) where it can: flip copies the run of trailing dims it
// does not reverse, roll moves two blocks per lane, repeat copies each input row r times. Their
// backward rules are the same ops (flip, roll back) or the sum over tiles (sum_tiles), each of
// them recorded, so double backward works.
#include "rearrange.hpp"

#include <fmt/ranges.h>

#include <array>
#include <cstring>

#include "../node.hpp"
#include "elementwise.hpp"
#include "../tensor_kernels.hpp"
#include "../values.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace {

const std::byte* bytes(const Tensor& t) { return static_cast<const std::byte*>(t.impl()->storage->data()); }
std::byte* bytes_out(Tensor& t) { return static_cast<std::byte*>(t.impl()->storage->data()); }

// out[i] = x[i read backwards along every dim with flipped[d]]
Tensor flip_values(const Tensor& x, const std::array<bool, kMaxDims>& flipped) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  const Shape& s = x.shape();
  std::int64_t last = -1;  // the last flipped dim: the dims after it are copied as one block
  for (std::int64_t d = 0; d < s.size(); ++d)
    if (flipped[static_cast<std::size_t>(d)]) last = d;
  std::int64_t block = 1;
  for (std::int64_t d = last + 1; d < s.size(); ++d) block *= s[d];
  const std::size_t es = element_size(x.dtype()), row = static_cast<std::size_t>(block) * es;
  if (out.numel() == 0) return out;
  // the input offset steps by -stride along flipped dims, starting at their far end
  const Shape stride = contiguous_strides(s);
  std::array<std::int64_t, kMaxDims> step{}, at{};
  std::int64_t off = 0;
  for (std::int64_t d = 0; d <= last; ++d) {
    const bool f = flipped[static_cast<std::size_t>(d)];
    step[static_cast<std::size_t>(d)] = f ? -stride[d] : stride[d];
    if (f) off += (s[d] - 1) * stride[d];
  }
  std::byte* o = bytes_out(out);
  for (std::int64_t r = 0, rows = out.numel() / block; r < rows; ++r) {
    std::memcpy(o + static_cast<std::size_t>(r) * row, bytes(x) + static_cast<std::size_t>(off) * es, row);
    for (std::int64_t k = last; k >= 0; --k) {
      const auto ku = static_cast<std::size_t>(k);
      off += step[ku];
      if (++at[ku] < s[k]) break;
      off -= step[ku] * s[k];
      at[ku] = 0;
    }
  }
  return out;
}

// out along d = x shifted by `shift` in [0, n): out rows [shift, n) = x rows [0, n - shift) and
// out rows [0, shift) = x rows [n - shift, n), for every outer index
Tensor roll_dim(const Tensor& x, std::int64_t d, std::int64_t shift) {
  Tensor out = detail::make_tensor(x.shape(), x.dtype());
  const kernels::Lanes l = kernels::lanes_around(x.shape(), d);
  const std::size_t row = static_cast<std::size_t>(l.inner) * element_size(x.dtype());
  for (std::int64_t o = 0; o < l.outer; ++o) {
    const std::size_t base = static_cast<std::size_t>(o * l.n) * row;
    std::memcpy(bytes_out(out) + base + static_cast<std::size_t>(shift) * row, bytes(x) + base,
                static_cast<std::size_t>(l.n - shift) * row);
    std::memcpy(bytes_out(out) + base, bytes(x) + base + static_cast<std::size_t>(l.n - shift) * row,
                static_cast<std::size_t>(shift) * row);
  }
  return out;
}

// Walks the output of repeat: rows of the last dim, each r_last copies of an input row of
// padded.back() elements. f(out_row, in_row) gets both row offsets in elements.
template <class F> void walk_tiles(const Shape& padded, const std::vector<std::int64_t>& repeats, F&& f) {
  const std::int64_t m = padded.size();
  const Shape pstride = contiguous_strides(padded);
  std::int64_t rows = 1;
  for (std::int64_t k = 0; k + 1 < m; ++k) rows *= padded[k] * repeats[static_cast<std::size_t>(k)];
  const std::int64_t out_row = padded[m - 1] * repeats[static_cast<std::size_t>(m - 1)];
  std::array<std::int64_t, kMaxDims> at{}, in_at{};
  std::int64_t in_off = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    f(r * out_row, in_off);
    for (std::int64_t k = m - 2; k >= 0; --k) {  // out index at[k] runs to padded[k] * repeats[k]
      const auto ku = static_cast<std::size_t>(k);
      in_off += pstride[k];
      if (++in_at[ku] == padded[k]) in_off -= padded[k] * pstride[k], in_at[ku] = 0;
      if (++at[ku] < padded[k] * repeats[ku]) break;
      at[ku] = 0;  // in_at[k] wrapped to 0 with it (the out extent is a multiple of padded[k])
    }
  }
}

Shape tiled_shape(const Shape& padded, const std::vector<std::int64_t>& repeats) {
  Shape s = padded;
  for (std::int64_t k = 0; k < s.size(); ++k) s[k] *= repeats[static_cast<std::size_t>(k)];
  return s;
}

// g [padded * repeats] -> [padded], the sum of g's tiles; backward: repeat(gg, repeats)
Tensor sum_tiles(const Tensor& g, const Shape& padded, const std::vector<std::int64_t>& repeats) {
  Tensor out = padded.size() == 0 ? detail::copy_values(g) : zeros(padded, {.dtype = g.dtype()});
  if (g.numel() > 0 && padded.size() > 0) {
    const std::int64_t n = padded.back(), r = repeats.back();
    dispatch_float(g.dtype(), "repeat", [&]<class T>() {
      const T* src = g.data<T>();
      T* dst = out.data<T>();
      walk_tiles(padded, repeats, [&](std::int64_t o, std::int64_t in) {
        for (std::int64_t t = 0; t < r; ++t)
          for (std::int64_t j = 0; j < n; ++j) dst[in + j] += src[o + t * n + j];
      });
    });
  }
  record(out, {"sum_tiles", "dg = gg repeated as in the forward repeat"}, {g},
         [repeats](const Tensor& gg) { return GradList{repeat(gg, repeats)}; });
  return out;
}

// x [s] padded with leading 1s to repeats.size() dims, then tiled repeats[k] times along each dim;
// dx = sum of g over its tiles, reshaped to x's shape
Tensor repeat_impl(const Tensor& x, const std::vector<std::int64_t>& repeats, const char* op) {
  const auto m = static_cast<std::int64_t>(repeats.size());
  if (m < x.dim())
    fail<ShapeError>("{}: {} repeats [{}] for a tensor of shape {} with {} dims; give one per dim (or more)", op, m,
                     fmt::join(repeats, ", "), x.shape(), x.dim());
  if (m > kMaxDims)
    fail<ShapeError>("{}: {} repeats [{}] make more than {} dims", op, m, fmt::join(repeats, ", "), kMaxDims);
  for (auto r : repeats)
    if (r < 0) fail<ValueError>("{}: repeats must be non-negative, got [{}]", op, fmt::join(repeats, ", "));
  Shape padded = x.shape();
  while (padded.size() < m) padded.insert(0, 1);
  Tensor out = detail::make_tensor(tiled_shape(padded, repeats), x.dtype());
  if (out.numel() > 0) {
    const std::size_t es = element_size(x.dtype());
    if (m == 0) {
      std::memcpy(bytes_out(out), bytes(x), es);
    } else {
      const auto row = static_cast<std::size_t>(padded.back()) * es;
      const std::int64_t r = repeats.back();
      walk_tiles(padded, repeats, [&](std::int64_t o, std::int64_t in) {
        for (std::int64_t t = 0; t < r; ++t)
          std::memcpy(bytes_out(out) + static_cast<std::size_t>(o) * es + static_cast<std::size_t>(t) * row,
                      bytes(x) + static_cast<std::size_t>(in) * es, row);
      });
    }
  }
  record(out, {"repeat", "dx = g summed over its tiles"}, {x}, [padded, repeats, xs = x.shape()](const Tensor& g) {
    return GradList{reshape(sum_tiles(g, padded, repeats), xs)};
  });
  return out;
}

}  // namespace

// out = x reversed along dims; dx = flip(g, dims)
Tensor flip(const Tensor& x, const std::vector<std::int64_t>& dims) {
  std::array<bool, kMaxDims> flipped{};
  for (auto dim : dims) {
    const std::int64_t d = wrap_dim(dim, x.dim(), "flip");
    if (x.dim() == 0) continue;  // a 0-d tensor takes dim 0 / -1 and has nothing to reverse
    if (flipped[static_cast<std::size_t>(d)])
      fail<ValueError>("flip: dim {} appears more than once in dims [{}]", d, fmt::join(dims, ", "));
    flipped[static_cast<std::size_t>(d)] = true;
  }
  Tensor out = flip_values(x, flipped);
  record(out, {"flip", "dx = g flipped along the same dims"}, {x},
         [dims](const Tensor& g) { return GradList{flip(g, dims)}; });
  return out;
}

// out[(i + shift) mod n] = x[i] along each dim (or over the flattened x); dx = roll(g, -shifts, dims)
Tensor roll(const Tensor& x, const std::vector<std::int64_t>& shifts, const std::vector<std::int64_t>& dims) {
  if (dims.empty() ? shifts.size() != 1 : shifts.size() != dims.size())
    fail<ValueError>("roll: shifts [{}] and dims [{}] must align (one shift per dim, or a single shift and no dims)",
                     fmt::join(shifts, ", "), fmt::join(dims, ", "));
  if (x.dim() == 0 && !dims.empty())
    fail<IndexError>("roll: dim {} given but the tensor is 0-d (shape []); roll it without dims", dims[0]);
  std::array<std::int64_t, kMaxDims> total{};  // the shift of each dim, in [0, n)
  const Shape work = dims.empty() ? Shape{x.numel()} : x.shape();
  for (std::size_t i = 0; i < shifts.size(); ++i) {
    const std::int64_t d = dims.empty() ? 0 : wrap_dim(dims[i], x.dim(), "roll");
    const std::int64_t n = work[d];
    if (n > 0) total[static_cast<std::size_t>(d)] = ((total[static_cast<std::size_t>(d)] + shifts[i] % n) % n + n) % n;
  }
  Tensor out = detail::alias(x, work);
  bool moved = false;
  for (std::int64_t d = 0; d < work.size(); ++d)
    if (total[static_cast<std::size_t>(d)] != 0)
      out = roll_dim(out, d, total[static_cast<std::size_t>(d)]), moved = true;
  out = moved ? detail::alias(out, x.shape()) : detail::copy_values(x);
  std::vector<std::int64_t> back(shifts.size());
  for (std::size_t i = 0; i < shifts.size(); ++i) back[i] = -shifts[i];
  record(out, {"roll", "dx = g rolled back by the negated shifts"}, {x},
         [back, dims](const Tensor& g) { return GradList{roll(g, back, dims)}; });
  return out;
}

Tensor roll(const Tensor& x, std::int64_t shift, std::optional<std::int64_t> dim) {
  return roll(x, std::vector<std::int64_t>{shift}, dim ? std::vector<std::int64_t>{*dim} : std::vector<std::int64_t>{});
}

Tensor repeat(const Tensor& x, const std::vector<std::int64_t>& repeats) { return repeat_impl(x, repeats, "repeat"); }

// tile = repeat with reps padded with leading 1s to x's number of dims
Tensor tile(const Tensor& x, const std::vector<std::int64_t>& reps) {
  std::vector<std::int64_t> padded = reps;
  while (static_cast<std::int64_t>(padded.size()) < x.dim()) padded.insert(padded.begin(), 1);
  return repeat_impl(x, padded, "tile");
}

}  // namespace tapegrad
