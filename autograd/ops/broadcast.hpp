#pragma once
// Broadcasting's two directions: expand a tensor to a larger shape, and sum a gradient back
// to the shape of the input that was broadcast. Every binary op's backward uses sum_to.
#include "../tensor.hpp"

namespace tapegrad {

/// Broadcasts x to `shape` (NumPy rules; copies), like torch.Tensor.expand / broadcast_to.
/// An extent of -1 keeps x's extent. Backward: sum_to(g, x.shape()).
Tensor expand(const Tensor& x, const ShapeRequest& shape);
Tensor broadcast_to(const Tensor& x, const ShapeRequest& shape);

/// Sums x over the dims it has beyond `shape` (leading ones) and over the dims where `shape`
/// has extent 1, giving a tensor of `shape`. Backward: expand(g, x.shape()).
Tensor sum_to(const Tensor& x, const Shape& shape);

}  // namespace tapegrad
