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
  Shape shape;  // the input's shape (gradients must arrive with it)
  DType dtype = DType::f32;
  bool needs_grad() const { return fn || leaf; }
};

/// What record() writes on the tape about an op, e.g. `{"mul", "da = g * b, db = g * a"}`.
struct OpInfo {
  /// The op's name as PyTorch's grad_fn shows it, in snake case: "mul" is MulBackward0,
  /// "addmm" AddmmBackward0. A string literal (it must outlive every node).
  const char* name;
  /// The backward rule in words, with g the gradient reaching the op's output (for teaching:
  /// tape printing and examples/tape_tour --explain). A string literal.
  const char* rule;
  /// PyTorch's overload number, the digit at the end of the grad_fn name: `x.sum()` is
  /// SumBackward0, `x.sum(dim)` SumBackward1.
  int variant = 0;
};

/// One recorded op. Subclasses hold the backward rule; see record().
class Node {
 public:
  Node(OpInfo info, std::vector<Edge> inputs, const Shape& out_shape, DType out_dtype);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Runs the backward rule: gradients of the inputs given the gradient of the output. Throws
  /// StateError if the node was released (its graph freed by a backward without retain_graph),
  /// or if a tensor the rule saved was changed in place since the forward.
  GradList apply(const Tensor& grad_out);
  /// Drops what the rule saved; the node then refuses to run again.
  void release();
  bool released() const { return released_; }

  /// The op's name as recorded, e.g. "mul".
  const char* op() const { return info_.name; }
  /// The backward rule in words, e.g. "da = g * b, db = g * a".
  const char* rule() const { return info_.rule; }
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
  /// The node whose rule is running on this thread (null outside a rule): saved tensors name it
  /// when they find they were changed in place.
  static const Node* running();

 protected:
  /// The rule itself; called by apply() on a live node only.
  virtual GradList run_rule(const Tensor& grad_out) = 0;
  virtual void release_saved() = 0;

 private:
  friend class Engine;
  friend class Sweep;
  friend void retain_grad_of(const std::shared_ptr<TensorImpl>& impl);
  OpInfo info_;
  std::vector<Edge> inputs_;
  Shape out_shape_;
  DType out_dtype_;
  std::uint64_t sequence_;
  bool released_ = false;
  bool queued_ = false;  // waiting in a backward sweep's ready queue
  double last_grad_norm_ = std::numeric_limits<double>::quiet_NaN();
  std::weak_ptr<TensorImpl> retained_;  // the output, if it asked to retain its gradient
  Tensor pending_;                      // gradient summed here during a backward sweep
};

/// A node whose backward rule is a lambda `GradList(const Tensor& grad_out)`. The lambda keeps
/// (by capture) what the rule needs; release() destroys it.
template <class Fn> class LambdaNode final : public Node {
 public:
  LambdaNode(OpInfo info, std::vector<Edge> inputs, const Shape& shape, DType dtype, Fn fn)
      : Node(info, std::move(inputs), shape, dtype), fn_(std::move(fn)) {}

 protected:
  GradList run_rule(const Tensor& grad_out) override { return (*fn_)(grad_out); }
  void release_saved() override { fn_.reset(); }

 private:
  std::optional<Fn> fn_;
};

/// A tensor kept by a backward rule, with its storage's version at the time it was saved.
/// unpack() gives it back only if no in-place op has written to it since; otherwise it throws
/// StateError as PyTorch does ("one of the variables needed for gradient computation has been
/// modified by an inplace operation: [float32 [2]] at version 1; expected version 0"), naming
/// the op whose rule saved it. Rules capture the tensors they read as SavedTensor (`save(x)`),
/// so an in-place change can never give a silently wrong gradient.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t) : tensor_(t), version_(t.defined() ? t.impl()->storage->version() : 0) {}
  /// The saved tensor, after checking its version.
  const Tensor& unpack() const {
    if (tensor_.defined() && tensor_.impl()->storage->version() != version_) fail_modified();
    return tensor_;
  }
  /// Its shape and dtype, which in-place ops never change (no check needed).
  const Shape& shape() const { return tensor_.shape(); }
  DType dtype() const { return tensor_.dtype(); }
  bool defined() const { return tensor_.defined(); }
  bool requires_grad() const { return tensor_.defined() && tensor_.requires_grad(); }

 private:
  [[noreturn]] void fail_modified() const;
  Tensor tensor_;
  std::uint64_t version_ = 0;
};

/// Saves an input `t` for a backward rule: `[x = save(x)](const Tensor& g) { ... x.unpack() ... }`.
inline SavedTensor save(const Tensor& t) { return SavedTensor(t); }
/// Saves an op's own output, detached: a rule holding its output's handle would own itself.
inline SavedTensor save_output(const Tensor& out) { return SavedTensor(out.detach()); }

/// The op's output as its backward rule needs it: the saved value, or, when the rule is being
/// recorded (backward with create_graph, so grad mode is on), the output recomputed from the
/// inputs so that its own derivative is on the tape too. `recompute()` returns that output.
template <class F> Tensor saved_or_recomputed(const SavedTensor& out, F&& recompute) {
  return GradMode::is_enabled() ? Tensor(recompute()) : out.unpack();
}

/// True if recording is on and any input requires grad: the op must then call record().
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
bool any_requires_grad(const std::vector<Tensor>& inputs);

namespace detail {
std::vector<Edge> make_edges(const std::vector<Tensor>& inputs);
void attach(Tensor& out, std::shared_ptr<Node> node);
}  // namespace detail

/// Records `out = op(inputs)` on the tape if any input requires grad (and grad mode is on):
/// `record(out, {"mul", "da = g * b, db = g * a"}, {a, b}, [a = save(a), b = save(b)](const Tensor& g) {...})`.
/// `backward(grad_out)` returns one gradient per input, of that input's shape (or an undefined
/// tensor where none flows); it runs with grad mode off unless backward was asked to
/// create_graph, so rules written with tensor ops are themselves differentiable. Tensors the
/// rule reads are captured with save(), never as plain Tensors, so in-place changes are caught.
template <class Fn> void record(Tensor& out, OpInfo info, const std::vector<Tensor>& inputs, Fn&& backward) {
  if (!any_requires_grad(inputs)) return;
  auto node = std::make_shared<LambdaNode<std::decay_t<Fn>>>(info, detail::make_edges(inputs), out.shape(), out.dtype(),
                                                             std::forward<Fn>(backward));
  detail::attach(out, std::move(node));
}

}  // namespace tapegrad
