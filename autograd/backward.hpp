#pragma once
// The reverse sweep: Tensor::backward, and grad() in the manner of torch.autograd.grad.
#include <functional>
#include <vector>

#include "tensor.hpp"

namespace tapegrad {

class Node;

/// Options of grad(), as in torch.autograd.grad.
struct GradOptions {
  bool retain_graph = false;  ///< keep the graph for another backward (defaults to create_graph in torch)
  bool create_graph = false;  ///< record the backward pass, so the results can be differentiated again
  bool allow_unused = false;  ///< an input the outputs do not depend on gets an undefined tensor instead of an error
};

/// Gradients of `outputs` (weighted by `grad_outputs`; may be empty for one-element outputs)
/// with respect to `inputs`, returned rather than added into any .grad, like torch.autograd.grad.
/// With create_graph the graph is kept (retain_graph is implied, as in PyTorch).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});

/// Backward from several outputs at once, like torch.autograd.backward.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              BackwardOptions options = {});

/// When on, each backward stores on every node the norm of the gradient reaching it (shown by
/// write_dot). Off by default: it costs a pass over every gradient.
void set_record_grad_norms(bool on);
bool record_grad_norms();

/// One step of a backward sweep, as a BackwardObserver sees it.
struct BackwardStep {
  /// The op whose rule just ran (op(), inputs(), out_shape(), ...). Its rule is still alive while
  /// the observer runs, so node.apply(t) may probe it with another gradient (e.g. ones, to show
  /// the local derivative); that call is not part of the sweep.
  Node& node;
  /// The gradient that reached the node's output (all of it: contributions already summed).
  const Tensor& grad_output;
  /// What the rule returned, one per input (undefined where no gradient flows); each is what
  /// the sweep now adds into that input (a leaf's grad, or the op that made it).
  const std::vector<Tensor>& grad_inputs;
};

/// Watches backward sweeps, for teaching and debugging (examples/tape_tour --explain prints
/// every step with it). While an observer is alive, every backward() and grad() on this thread
/// calls it once per node, in the order the sweep runs the nodes, after the node's rule ran and
/// its gradients were checked, before they are passed on. Observers nest: a newer one replaces
/// the older for its lifetime (RAII, thread-local, like NoGradGuard). With none installed the
/// sweep pays one branch per node. The callback runs under the sweep's grad mode (off, unless
/// create_graph) and must not start another backward. Not in PyTorch (its closest cousins are
/// tensor and node hooks).
class BackwardObserver {
 public:
  using Callback = std::function<void(const BackwardStep&)>;
  explicit BackwardObserver(Callback callback);
  ~BackwardObserver();
  BackwardObserver(const BackwardObserver&) = delete;
  BackwardObserver& operator=(const BackwardObserver&) = delete;

  /// The observer in force on this thread (null when none).
  static BackwardObserver* current();

 private:
  friend class Sweep;  // the sweep calls notify()
  void notify(const BackwardStep& step) const { callback_(step); }
  Callback callback_;
  BackwardObserver* previous_;
};

}  // namespace tapegrad
