// Matrix products. mm_flags is the one primitive that calls the matrix-product kernel
// (gemm.hpp); matmul, mm, bmm and dot reshape their operands (views, no copies) around it; linear is x @ wᵀ + b in one
// gemm. Transposed operands are never copied: the kernel's transpose flags read them in place.
#include "linalg.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "../node.hpp"
#include "broadcast.hpp"
#include "../../core/gemm.hpp"
#include "../tensor_kernels.hpp"
#include "shape_ops.hpp"

namespace tapegrad {

namespace {

Shape batch_of(const Shape& s) {
  Shape b;
  for (std::int64_t i = 0; i + 2 < s.size(); ++i) b.push_back(s[i]);
  return b;
}

// NumPy broadcast of two batch shapes; the error names the op and the full operand shapes
Shape broadcast_batch(const Shape& ba, const Shape& bb, const Shape& as, const Shape& bs, const char* op) {
  const std::int64_t n = std::max(ba.size(), bb.size());
  Shape out;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t ia = i - (n - ba.size()), ib = i - (n - bb.size());
    const std::int64_t x = ia >= 0 ? ba[ia] : 1, y = ib >= 0 ? bb[ib] : 1;
    if (x != y && x != 1 && y != 1)
      fail<ShapeError>("{}: batch dims {} and {} of shapes {} and {} do not broadcast", op, ba, bb, as, bs);
    out.push_back(x == 1 ? y : x);
  }
  return out;
}

// Offset (in matrices) of each batch of an operand with batch dims `own` inside the
// broadcast batch shape `out` (stride 0 along broadcast dims).
std::vector<std::int64_t> batch_offsets(const Shape& out, const Shape& own) {
  const std::int64_t n = out.size(), lead = n - own.size();
  Shape stride;
  for (std::int64_t i = 0; i < n; ++i) stride.push_back(0);
  for (std::int64_t i = n - 1, s = 1; i >= lead; --i) {
    stride[i] = own[i - lead] == 1 ? 0 : s;
    s *= own[i - lead];
  }
  std::vector<std::int64_t> offs(static_cast<std::size_t>(out.numel()));
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n), 0);
  std::int64_t off = 0;
  for (auto& o : offs) {
    o = off;
    for (std::int64_t d = n - 1; d >= 0; --d) {  // odometer step
      off += stride[d];
      if (++idx[static_cast<std::size_t>(d)] < out[d]) break;
      off -= stride[d] * out[d];
      idx[static_cast<std::size_t>(d)] = 0;
    }
  }
  return offs;
}

// product of all dims but the last (1 for a 1-D shape): the rows of [..., C] seen as [R, C]
std::int64_t rows_of(const Shape& s) {
  std::int64_t r = 1;
  for (std::int64_t i = 0; i + 1 < s.size(); ++i) r *= s[i];
  return r;
}

void check_blas_size(std::int64_t m, std::int64_t n, std::int64_t k, const char* op) {
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
    fail<ValueError>("{}: matrix dims M={}, N={}, K={} exceed the BLAS limit of {}", op, m, n, k, INT_MAX);
}

// C = op(A) op(B), G = dC [batch..., M, N]; dop(A) = G op(B)ᵀ, dop(B) = op(A)ᵀ G
constexpr const char* kProductRule =
    "a @ b: da = g @ bᵀ, db = aᵀ @ g (through the transpose flags; summed over broadcast batch dims)";
constexpr OpInfo kMm{"mm", kProductRule}, kBmm{"bmm", kProductRule}, kMv{"mv", kProductRule}, kDot{"dot", kProductRule};
// the names PyTorch's matmul leaves on its result: a batched product ends in a view
// (UnsafeViewBackward0), a vector @ matrix in a squeeze (SqueezeBackward3)
constexpr OpInfo kBatchedMatmul{"unsafe_view", kProductRule}, kVecMat{"squeeze", kProductRule, 3};

// op(A) [..., M, K] @ op(B) [..., K, N] -> [batch..., M, N], batch = broadcast of both batches;
// the result is then seen as `shape` (same count; e.g. [M] for a matrix-vector product), and
// recorded as `info`. Errors name `caller`, the function the user called.
Tensor product(const Tensor& a, const Tensor& b, bool ta, bool tb, OpInfo info, const char* caller,
               const Shape* result_shape = nullptr) {
  kernels::check_same_dtype(a, b, caller);
  if (a.dtype() == DType::i64)
    fail<DTypeError>(
        "{}: int64 operands (shapes {} and {}) are not supported; tapegrad's int64 holds indices "
        "(convert with .to(DType::f32))",
        caller, a.shape(), b.shape());
  if (a.dim() < 2 || b.dim() < 2)
    fail<ShapeError>("{}: both operands need at least 2 dims, got shapes {} and {}", caller, a.shape(), b.shape());
  const std::int64_t m = a.shape()[a.dim() - (ta ? 1 : 2)], ka = a.shape()[a.dim() - (ta ? 2 : 1)];
  const std::int64_t kb = b.shape()[b.dim() - (tb ? 1 : 2)], n = b.shape()[b.dim() - (tb ? 2 : 1)];
  if (ka != kb)
    fail<ShapeError>("{}: shapes {} and {} (trans_a={}, trans_b={}) cannot be multiplied ({} != {})", caller, a.shape(),
                     b.shape(), ta, tb, ka, kb);
  check_blas_size(m, n, ka, caller);
  const Shape ba = batch_of(a.shape()), bb = batch_of(b.shape());
  Shape shape = broadcast_batch(ba, bb, a.shape(), b.shape(), caller);
  shape.push_back(m);
  shape.push_back(n);

  Tensor out = detail::make_tensor(shape, a.dtype());
  dispatch_float(a.dtype(), caller, [&]<class T>() {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* pc = out.data<T>();
    if (out.numel() == 0) return;
    if (bb.numel() == 1 && !ta) {
      // one B for every batch: A's batches stack into rows, [B*M, K] @ op(B) in one call
      kernels::gemm(false, tb, ba.numel() * m, n, ka, pa, pb, pc, false);
      return;
    }
    const Shape batch = batch_of(shape);
    const auto oa = batch_offsets(batch, ba), ob = batch_offsets(batch, bb);
    const std::int64_t sa = m * ka, sb = ka * n, sc = m * n;
    for (std::size_t i = 0; i < oa.size(); ++i)
      kernels::gemm(ta, tb, m, n, ka, pa + oa[i] * sa, pb + ob[i] * sb, pc + static_cast<std::int64_t>(i) * sc, false);
  });

  // C = op(A) op(B), G = dC [batch..., M, N]; dop(A) = G op(B)ᵀ, dop(B) = op(A)ᵀ G. Written
  // with mm_flags (flags instead of transposed copies), then summed over broadcast batch dims:
  //   !ta: dA [.., M, K] = G [.., M, N] @ op(B)ᵀ                  = mm_flags(G, B, false, !tb)
  //    ta: dA [.., K, M] = (G op(B)ᵀ)ᵀ = op(B) [.., K, N] @ Gᵀ     = mm_flags(B, G, tb, true)
  //   !tb: dB [.., K, N] = op(A)ᵀ [.., K, M] @ G [.., M, N]        = mm_flags(A, G, !ta, false)
  //    tb: dB [.., N, K] = (op(A)ᵀ G)ᵀ = Gᵀ [.., N, M] @ op(A)     = mm_flags(G, A, true, ta)
  const Shape prod_shape = shape;
  if (result_shape) out = detail::alias(out, *result_shape);
  record(out, info, {a, b}, [as = save(a), bs = save(b), ta, tb, prod_shape](const Tensor& g_in) {
    const Tensor g = g_in.shape() == prod_shape ? g_in : reshape(g_in, prod_shape);
    Tensor da, db;
    // each operand is read only for the other one's gradient
    const Tensor a = bs.requires_grad() ? as.unpack() : Tensor(), b = as.requires_grad() ? bs.unpack() : Tensor();
    if (as.requires_grad()) da = sum_to(ta ? mm_flags(b, g, tb, true) : mm_flags(g, b, false, !tb), as.shape());
    if (bs.requires_grad()) {
      if (!ta && a.dim() > 2 && batch_of(bs.shape()).numel() == 1) {
        // B shared by every batch: sum over batches = one product of A [B*M, K] and G [B*M, N]
        const Tensor a2 = reshape(a, {rows_of(a.shape()), a.shape()[a.dim() - 1]});
        const Tensor g2 = reshape(g, {rows_of(g.shape()), g.shape()[g.dim() - 1]});
        db = reshape(tb ? mm_flags(g2, a2, true, false) : mm_flags(a2, g2, true, false), bs.shape());
      } else {
        db = sum_to(tb ? mm_flags(g, a, true, ta) : mm_flags(a, g, !ta, false), bs.shape());
      }
    }
    return GradList{da, db};
  });
  return out;
}

}  // namespace

Tensor mm_flags(const Tensor& a, const Tensor& b, bool ta, bool tb) { return product(a, b, ta, tb, kMm, "mm_flags"); }

// torch.matmul: 1-D operands are promoted to matrices (a [K] -> [1, K], b [K] -> [K, 1]) by
// views, multiplied by mm_flags, and the promoted dims removed again by a view.
Tensor matmul(const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "matmul");
  if (a.dim() == 0 || b.dim() == 0)
    fail<ShapeError>("matmul: both operands need at least 1 dim, got shapes {} and {} ({}-d and {}-d)", a.shape(),
                     b.shape(), a.dim(), b.dim());
  const std::int64_t ka = a.shape()[a.dim() - 1], kb = b.shape()[b.dim() == 1 ? 0 : b.dim() - 2];
  if (ka != kb)
    fail<ShapeError>("matmul: shapes {} and {} cannot be multiplied ({} != {})", a.shape(), b.shape(), ka, kb);
  broadcast_batch(batch_of(a.shape()), batch_of(b.shape()), a.shape(), b.shape(), "matmul");

  if (a.dim() == 2 && b.dim() == 2) return product(a, b, false, false, kMm, "matmul");
  if (a.dim() > 1 && b.dim() > 1) return product(a, b, false, false, kBatchedMatmul, "matmul");
  const Tensor a2 = a.dim() == 1 ? reshape(a, {1, ka}) : a;
  const Tensor b2 = b.dim() == 1 ? reshape(b, {kb, 1}) : b;
  // the result without the promoted dims: [..., 1, N] -> [..., N] and/or [..., M, 1] -> [..., M]
  Shape s = broadcast_batch(batch_of(a2.shape()), batch_of(b2.shape()), a.shape(), b.shape(), "matmul");
  if (a.dim() > 1) s.push_back(a2.shape()[a2.dim() - 2]);
  if (b.dim() > 1) s.push_back(b2.shape()[b2.dim() - 1]);
  const OpInfo info = a.dim() == 1 && b.dim() == 1   ? kDot
                      : a.dim() == 2 && b.dim() == 1 ? kMv
                      : a.dim() == 1 && b.dim() == 2 ? kVecMat
                                                     : kBatchedMatmul;
  return product(a2, b2, false, false, info, "matmul", &s);
}

Tensor mm(const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "mm");
  if (a.dim() != 2 || b.dim() != 2)
    fail<ShapeError>("mm: both operands must be 2-D, got shapes {} and {}", a.shape(), b.shape());
  if (a.shape()[1] != b.shape()[0])
    fail<ShapeError>("mm: shapes {} and {} cannot be multiplied ({} != {})", a.shape(), b.shape(), a.shape()[1],
                     b.shape()[0]);
  return product(a, b, false, false, kMm, "mm");
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "bmm");
  if (a.dim() != 3 || b.dim() != 3)
    fail<ShapeError>("bmm: both operands must be 3-D, got shapes {} and {}", a.shape(), b.shape());
  if (a.shape()[0] != b.shape()[0])
    fail<ShapeError>("bmm: batch sizes of shapes {} and {} differ ({} != {})", a.shape(), b.shape(), a.shape()[0],
                     b.shape()[0]);
  if (a.shape()[2] != b.shape()[1])
    fail<ShapeError>("bmm: shapes {} and {} cannot be multiplied ({} != {})", a.shape(), b.shape(), a.shape()[2],
                     b.shape()[1]);
  return product(a, b, false, false, kBmm, "bmm");
}

Tensor dot(const Tensor& a, const Tensor& b) {
  kernels::check_same_dtype(a, b, "dot");
  if (a.dim() != 1 || b.dim() != 1)
    fail<ShapeError>("dot: both operands must be 1-D, got shapes {} and {}", a.shape(), b.shape());
  if (a.shape()[0] != b.shape()[0])
    fail<ShapeError>("dot: shapes {} and {} have different lengths ({} != {})", a.shape(), b.shape(), a.shape()[0],
                     b.shape()[0]);
  return matmul(a, b);
}

// x [..., in] viewed as [R, in]; y [R, out] = x @ wᵀ + bias, the bias copied into every row and
// gemm adding the product onto it (beta = 1)
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  kernels::check_same_dtype(x, w, "linear");
  if (bias.defined()) kernels::check_same_dtype(x, bias, "linear");
  if (w.dim() != 2) fail<ShapeError>("linear: weight must be 2-D [out, in], got shape {}", w.shape());
  const std::int64_t out_f = w.shape()[0], in_f = w.shape()[1];
  if (x.dim() == 0 || x.shape()[x.dim() - 1] != in_f)
    fail<ShapeError>(
        "linear: input of shape {} and weight of shape {} cannot be multiplied (last dim of input must "
        "be {})",
        x.shape(), w.shape(), in_f);
  if (bias.defined() && (bias.dim() != 1 || bias.shape()[0] != out_f))
    fail<ShapeError>("linear: bias of shape {} does not match weight of shape {} (expected [{}])", bias.shape(),
                     w.shape(), out_f);
  const std::int64_t rows = rows_of(x.shape());
  Shape shape = x.shape();
  shape[shape.size() - 1] = out_f;
  check_blas_size(rows, out_f, in_f, "linear");

  Tensor out = detail::make_tensor(shape, x.dtype());
  dispatch_float(x.dtype(), "linear", [&]<class T>() {
    T* po = out.data<T>();
    if (out.numel() == 0) return;
    if (bias.defined()) {
      const T* pb = bias.data<T>();
      for (std::int64_t i = 0; i < rows; ++i) std::memcpy(po + i * out_f, pb, sizeof(T) * out_f);
    }
    kernels::gemm(false, true, rows, out_f, in_f, x.data<T>(), w.data<T>(), po, bias.defined());
  });

  // x2 [R, in], g2 [R, out]: dx = g2 @ w [R, in], dw = g2ᵀ @ x2 [out, in], db = sum of g2's rows
  // PyTorch records linear with a bias as addmm, without as mm
  const OpInfo info = bias.defined()
                          ? OpInfo{"addmm", "x @ wᵀ + bias: dx = g @ w, dw = gᵀ @ x, dbias = g summed over rows"}
                          : OpInfo{"mm", "x @ wᵀ: dx = g @ w, dw = gᵀ @ x"};
  record(out, info, {x, w, bias}, [xs = save(x), ws = save(w), rows, has_bias = bias.defined()](const Tensor& g) {
    const std::int64_t in_f = ws.shape()[1], out_f = ws.shape()[0];
    const Tensor g2 = reshape(g, {rows, out_f});
    Tensor dx, dw, db;
    if (xs.requires_grad()) dx = reshape(mm_flags(g2, ws.unpack(), false, false), xs.shape());
    if (ws.requires_grad()) dw = mm_flags(g2, reshape(xs.unpack(), {rows, in_f}), true, false);
    if (has_bias) db = sum_to(g2, Shape{out_f});
    return GradList{dx, dw, db};
  });
  return out;
}

}  // namespace tapegrad
