#pragma once
// Node: one recorded op on the tape. It keeps only what its backward needs and never owns its
// output, so the graph has no ownership cycles.
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grad_mode.hpp"
#include "tensor.hpp"

namespace tapegrad {

void retain_grad_of(const std::shared_ptr<TensorImpl>& impl);
namespace detail {
/// Drops a reference to a node without recursing: a chain of 100k nodes is freed in a loop.
void drop_node(std::shared_ptr<Node>&& node);
}  // namespace detail

/// Gradients returned by a backward rule, one per input (undefined where none flows).
using GradList = std::vector<Tensor>;

/// Where a gradient for one input goes: the input's own node, or (for a leaf) the leaf itself.
struct Edge {
  std::shared_ptr<Node> fn;
  std::shared_ptr<TensorImpl> leaf;
  Shape shape;     // the input's shape (gradients must arrive with it)
  DType dtype = DType::f32;
  bool needs_grad() const { return fn || leaf; }
};

/// One recorded op. Subclasses hold the backward rule; see record().
class Node {
 public:
  Node(const char* op, std::vector<Edge> inputs, const Shape& out_shape, DType out_dtype);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// The backward rule: gradients of the inputs given the gradient of the output.
  virtual GradList apply(const Tensor& grad_out) = 0;
  /// Drops what the rule saved; the node then refuses to run again.
  void release();
  bool released() const { return released_; }

  /// The op's name as written in code, e.g. "mul".
  const char* op() const { return op_; }
  /// PyTorch's grad_fn name, e.g. "MulBackward0".
  std::string name() const;
  const std::vector<Edge>& inputs() const { return inputs_; }
  bool needs_input_grad(std::size_t i) const { return i < inputs_.size() && inputs_[i].needs_grad(); }
  const Shape& out_shape() const { return out_shape_; }
  DType out_dtype() const { return out_dtype_; }
  /// Creation order: later nodes have larger numbers.
  std::uint64_t sequence() const { return sequence_; }
  /// Nodes alive in this process (for tests of memory: a freed graph leaves none behind).
  static std::int64_t live_count();
  /// Euclidean norm of the gradient that reached this node's output in the last backward
  /// (NaN if none has run), shown by the Graphviz export.
  double last_grad_norm() const { return last_grad_norm_; }

 protected:
  virtual void release_saved() = 0;

 private:
  friend class Engine;
  friend struct EngineAccess;
  friend void retain_grad_of(const std::shared_ptr<TensorImpl>& impl);
  const char* op_;
  std::vector<Edge> inputs_;
  Shape out_shape_;
  DType out_dtype_;
  std::uint64_t sequence_;
  bool released_ = false;
  bool queued_ = false;                 // waiting in a backward sweep's ready queue
  double last_grad_norm_ = std::numeric_limits<double>::quiet_NaN();
  std::weak_ptr<TensorImpl> retained_;  // the output, if it asked to retain its gradient
  Tensor pending_;                      // gradient summed here during a backward sweep
};

/// A node whose backward rule is a lambda `GradList(const Tensor& grad_out)`. The lambda keeps
/// (by capture) what the rule needs; release() destroys it.
template <class Fn> class LambdaNode final : public Node {
 public:
  LambdaNode(const char* op, std::vector<Edge> inputs, const Shape& shape, DType dtype, Fn fn)
      : Node(op, std::move(inputs), shape, dtype), fn_(std::move(fn)) {}
  GradList apply(const Tensor& grad_out) override { return (*fn_)(grad_out); }

 protected:
  void release_saved() override { fn_.reset(); }

 private:
  std::optional<Fn> fn_;
};

/// True if recording is on and any input requires grad: the op must then call record().
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
bool any_requires_grad(const std::vector<Tensor>& inputs);

namespace detail {
std::vector<Edge> make_edges(const std::vector<Tensor>& inputs);
void attach(Tensor& out, std::shared_ptr<Node> node);
}  // namespace detail

/// Records `out = op(inputs)` on the tape if any input requires grad (and grad mode is on).
/// `backward(grad_out)` returns one gradient per input, of that input's shape; it runs with
/// grad mode off unless backward was asked to create_graph, so rules written with tensor ops
/// are themselves differentiable.
template <class Fn>
void record(Tensor& out, const char* op, const std::vector<Tensor>& inputs, Fn&& backward) {
  if (!any_requires_grad(inputs)) return;
  auto node = std::make_shared<LambdaNode<std::decay_t<Fn>>>(op, detail::make_edges(inputs), out.shape(),
                                                             out.dtype(), std::forward<Fn>(backward));
  detail::attach(out, std::move(node));
}

}  // namespace tapegrad
