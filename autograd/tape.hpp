#pragma once
// Looking at the tape: the recorded ops behind a tensor, printed in order or drawn with Graphviz.
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "node.hpp"

namespace tapegrad {

/// The nodes reachable from `root` (the ops it was computed by), in the order they ran.
std::vector<std::shared_ptr<Node>> tape_of(const Tensor& root);

/// One line per recorded op: index, op, each input (its shape, and "#i" for the op that made it
/// or "leaf"), output shape, dtype. For example:
///   #0  mm        [4, 3] leaf, [3, 2] leaf   -> [4, 2]  float32
std::string tape_string(const Tensor& root);
void print_tape(const Tensor& root, std::ostream& os);

/// The graph in Graphviz dot: a box per op (name, output shape, dtype, and the norm of the
/// gradient that reached it, once a backward has run with set_record_grad_norms(true)), an
/// ellipse per leaf (shape, and its gradient's norm if it has one), edges from inputs to ops.
std::string to_dot(const Tensor& root);
/// Writes to_dot(root) to path (atomically).
void write_dot(const Tensor& root, const std::string& path);

}  // namespace tapegrad
