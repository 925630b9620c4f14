// Comparisons. Tensor-tensor relations run through the broadcasting binary kernel; relations with
// a number compare an int64 tensor exactly (in long double, which holds every int64 and every
// double exactly) instead of truncating the number to an integer.
#include "compare.hpp"

#include <functional>

#include "elementwise.hpp"
#include "../tensor_kernels.hpp"

namespace tapegrad {
namespace {

// 1 where rel(a, b), else 0, in the operands' dtype; rel maps two xtensor expressions to a
// boolean expression
template <class Rel> Tensor mask_of(const Tensor& a, const Tensor& b, const char* op, Rel&& rel) {
  return kernels::binary<true>(a, b, op, [&rel](auto&& x, auto&& y) {
    using T = typename std::decay_t<decltype(xt::eval(x + y))>::value_type;
    return xt::where(rel(x, y), T(1), T(0));
  });
}

// a (int64) compared exactly with the number b, elementwise
template <class Rel> Tensor int_mask_of(const Tensor& a, double b, Rel&& rel) {
  Tensor out = detail::make_tensor(a.shape(), DType::i64);
  const std::int64_t* x = a.data<std::int64_t>();
  std::int64_t* o = out.data<std::int64_t>();
  const long double y = b;
  for (std::int64_t i = 0, n = a.numel(); i < n; ++i) o[i] = rel(static_cast<long double>(x[i]), y) ? 1 : 0;
  return out;
}

template <class Rel, class XRel> Tensor with_number(const Tensor& a, double b, const char* op, Rel&& rel, XRel&& xrel) {
  if (a.dtype() == DType::i64) return int_mask_of(a, b, rel);
  return mask_of(a, detail::scalar_like(a, b), op, xrel);
}

auto x_eq = [](auto&& x, auto&& y) { return xt::equal(x, y); };
auto x_ne = [](auto&& x, auto&& y) { return xt::not_equal(x, y); };
auto x_lt = [](auto&& x, auto&& y) { return x < y; };
auto x_le = [](auto&& x, auto&& y) { return x <= y; };
auto x_gt = [](auto&& x, auto&& y) { return x > y; };
auto x_ge = [](auto&& x, auto&& y) { return x >= y; };

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return mask_of(a, b, "eq", x_eq); }
Tensor ne(const Tensor& a, const Tensor& b) { return mask_of(a, b, "ne", x_ne); }
Tensor lt(const Tensor& a, const Tensor& b) { return mask_of(a, b, "lt", x_lt); }
Tensor le(const Tensor& a, const Tensor& b) { return mask_of(a, b, "le", x_le); }
Tensor gt(const Tensor& a, const Tensor& b) { return mask_of(a, b, "gt", x_gt); }
Tensor ge(const Tensor& a, const Tensor& b) { return mask_of(a, b, "ge", x_ge); }

Tensor eq(const Tensor& a, double b) { return with_number(a, b, "eq", std::equal_to<>{}, x_eq); }
Tensor ne(const Tensor& a, double b) { return with_number(a, b, "ne", std::not_equal_to<>{}, x_ne); }
Tensor lt(const Tensor& a, double b) { return with_number(a, b, "lt", std::less<>{}, x_lt); }
Tensor le(const Tensor& a, double b) { return with_number(a, b, "le", std::less_equal<>{}, x_le); }
Tensor gt(const Tensor& a, double b) { return with_number(a, b, "gt", std::greater<>{}, x_gt); }
Tensor ge(const Tensor& a, double b) { return with_number(a, b, "ge", std::greater_equal<>{}, x_ge); }

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, double b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, double b) { return ne(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, double b) { return le(a, b); }
Tensor operator>(const Tensor& a, double b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, b); }
Tensor operator==(double a, const Tensor& b) { return eq(b, a); }
Tensor operator!=(double a, const Tensor& b) { return ne(b, a); }
Tensor operator<(double a, const Tensor& b) { return gt(b, a); }
Tensor operator<=(double a, const Tensor& b) { return ge(b, a); }
Tensor operator>(double a, const Tensor& b) { return lt(b, a); }
Tensor operator>=(double a, const Tensor& b) { return le(b, a); }

}  // namespace tapegrad
