// The reverse sweep. Engine::run is the algorithm in a dozen lines; the Sweep around it holds
// the bookkeeping: the ready queue, where a gradient goes (a node, a leaf's .grad, or grad()'s
// results), retain_grad, the observer and the gradient norms.
#include "backward.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <unordered_map>

#include "node.hpp"
#include "ops/elementwise.hpp"
#include "values.hpp"

namespace tapegrad {
namespace {

bool g_record_norms = false;
thread_local BackwardObserver* g_observer = nullptr;  // the observer in force (see BackwardObserver)

double norm_of(const Tensor& t) {
  return dispatch_float(t.dtype(), "grad norm", [&]<class T>() {
    const T* p = t.data<T>();
    double s = 0;
    for (std::int64_t i = 0; i < t.numel(); ++i) s += static_cast<double>(p[i]) * static_cast<double>(p[i]);
    return std::sqrt(s);
  });
}

// A gradient that may be kept (in .grad, or summed into in place) must not share storage with
// anything else: rules often return the incoming gradient itself for several inputs.
Tensor owned(const Tensor& g) {
  if (g.impl_ptr().use_count() == 1 && g.impl()->storage.use_count() == 1 && !g.grad_fn()) return g;
  return detail::copy_values(g);
}

// grad += g, in place unless the graph of the gradient is being recorded.
void accumulate_into(std::shared_ptr<TensorImpl>& slot, const Tensor& g, bool create_graph) {
  if (!slot) {
    slot = (create_graph ? g : owned(g.detach())).impl_ptr();
    return;
  }
  Tensor current(slot);
  if (create_graph || current.grad_fn()) {
    slot = add(current, g).impl_ptr();
  } else {
    detail::add_inplace(current, g);
    detail::bump_version(current);  // an in-place write, as PyTorch's AccumulateGrad
  }
}

// Scratch memory: the ready queue's storage is kept per thread between sweeps, so a small
// backward allocates none; a stack, because a backward rule may itself run a sweep.
std::vector<std::vector<Node*>>& spare_queues() {
  thread_local std::vector<std::vector<Node*>> spares;
  return spares;
}
std::vector<Node*> take_spare_queue() {
  auto& spares = spare_queues();
  if (spares.empty()) return {};
  std::vector<Node*> v = std::move(spares.back());
  spares.pop_back();
  return v;
}
void give_back_queue(std::vector<Node*>&& v) {
  v.clear();
  if (v.capacity() <= 4096) spare_queues().push_back(std::move(v));
}

}  // namespace

BackwardObserver::BackwardObserver(Callback callback) : callback_(std::move(callback)), previous_(g_observer) {
  g_observer = this;
}
BackwardObserver::~BackwardObserver() { g_observer = previous_; }
BackwardObserver* BackwardObserver::current() { return g_observer; }

void set_record_grad_norms(bool on) { g_record_norms = on; }
bool record_grad_norms() { return g_record_norms; }

// One backward sweep's state. Gradients arrive at nodes (summed in Node::pending_) and at
// leaves; with a capture list (grad()) the leaves and nodes asked for keep theirs here instead.
class Sweep {
 public:
  Sweep(const std::vector<Tensor>* capture, bool create_graph, const char* caller)
      : capture_(capture), create_graph_(create_graph), caller_(caller), ready_(take_spare_queue()) {
    if (create_graph) with_grad_.emplace();  // the rules' own ops are recorded
    else no_grad_.emplace();
    if (!capture) return;
    captured_.resize(capture->size());
    for (std::size_t i = 0; i < capture->size(); ++i) {
      const Tensor& t = (*capture)[i];
      if (!t.requires_grad()) fail<StateError>("{}: input {} (shape {}) does not require grad", caller, i, t.shape());
      if (t.grad_fn()) capture_node_[t.grad_fn().get()] = i;
      else capture_leaf_[t.impl()] = i;
    }
  }
  // if anything throws, no node is left half-way (queued, or holding a pending gradient)
  ~Sweep() {
    for (Node* n : ready_) {
      n->queued_ = false;
      n->pending_ = Tensor();
    }
    give_back_queue(std::move(ready_));
  }
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;

  // The sweep starts at each output with its gradient (1 for a one-element output).
  void seed(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs) {
    if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
      fail<ValueError>("{}: {} outputs but {} gradients given", caller_, outputs.size(), grad_outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& out = outputs[i];
      if (!out.requires_grad())
        fail<StateError>("{}: output {} (shape {}) does not require grad and has no grad_fn", caller_, i, out.shape());
      Tensor g = grad_outputs.empty() ? Tensor() : grad_outputs[i];
      if (!g.defined()) {
        if (out.numel() != 1)
          fail<StateError>(
              "{}: backward must be called on a one-element tensor or given a gradient; output {} has shape {}",
              caller_, i, out.shape());
        g = ones_like(out);
      } else if (g.shape() != out.shape() || g.dtype() != out.dtype()) {
        fail<ShapeError>("{}: gradient {} {} does not match output {} {}", caller_, g.shape(), dtype_name(g.dtype()),
                         out.shape(), dtype_name(out.dtype()));
      }
      if (out.grad_fn()) send(out.grad_fn(), g);
      else to_leaf(out.impl_ptr(), g);
    }
  }

  // The queued node made last. The order is valid because a node's consumers (the ops that
  // read its output) were all created after it: when it is the latest node still queued, every
  // consumer has run, so all of its gradient has arrived.
  Node* next() {
    if (ready_.empty()) return nullptr;
    std::pop_heap(ready_.begin(), ready_.end(), made_earlier);
    Node* node = ready_.back();
    ready_.pop_back();
    node->queued_ = false;
    return node;
  }

  // The node's whole gradient (summed from all its consumers), handed also to whoever keeps it:
  // retain_grad, grad()'s capture list, the norm shown by write_dot.
  Tensor take_gradient(Node* node) {
    if (node->released_) {
      node->pending_ = Tensor();
      fail<StateError>(
          "{}: trying to backward through the graph a second time ({} was freed by an earlier backward); "
          "pass retain_graph=true to the first backward",
          caller_, node->name());
    }
    Tensor g = std::move(node->pending_);
    node->pending_ = Tensor();
    if (g_record_norms) node->last_grad_norm_ = norm_of(g);
    if (auto out = node->retained_.lock(); out && !capture_) accumulate_into(out->grad, g, create_graph_);
    if (capture_) {
      auto it = capture_node_.find(node);
      if (it != capture_node_.end()) captured_[it->second] = g;
    }
    return g;
  }

  // A rule must return one gradient per input, each of its input's shape and dtype.
  void check(const Node* node, const GradList& grads) const {
    if (grads.size() != node->inputs_.size())
      fail<Error>("{}: internal error: backward returned {} gradients for {} inputs", node->name(), grads.size(),
                  node->inputs_.size());
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const Edge& e = node->inputs_[i];
      if (!e.needs_grad() || !grads[i].defined()) continue;
      if (grads[i].shape() != e.shape || grads[i].dtype() != e.dtype)
        fail<Error>("{}: internal error: gradient {} {} for input {} of shape {} {}", node->name(), grads[i].shape(),
                    dtype_name(grads[i].dtype()), i, e.shape, dtype_name(e.dtype));
    }
  }

  void observe(Node& node, const Tensor& g, const GradList& grads) const {
    if (g_observer) g_observer->notify(BackwardStep{node, g, grads});
  }

  // Input i's part goes to the node that made it, or into the leaf itself.
  void pass_on(const Edge& e, const Tensor& g) {
    if (!e.needs_grad() || !g.defined()) return;
    if (e.fn) send(e.fn, g);
    else to_leaf(e.leaf, g);
  }

  std::vector<Tensor> results(bool allow_unused) {
    if (capture_ && !allow_unused)
      for (std::size_t i = 0; i < captured_.size(); ++i)
        if (!captured_[i].defined())
          fail<StateError>("{}: input {} (shape {}) was not used to compute the outputs; pass allow_unused=true",
                           caller_, i, (*capture_)[i].shape());
    return std::move(captured_);
  }

 private:
  static bool made_earlier(const Node* a, const Node* b) { return a->sequence() < b->sequence(); }

  void send(const std::shared_ptr<Node>& node, const Tensor& g) {
    Tensor& p = node->pending_;
    p = p.defined() ? add(p, g) : g;
    if (node->queued_) return;
    node->queued_ = true;
    ready_.push_back(node.get());
    std::push_heap(ready_.begin(), ready_.end(), made_earlier);  // a max-heap by creation order
  }

  void to_leaf(const std::shared_ptr<TensorImpl>& leaf, const Tensor& g) {
    if (!capture_) return accumulate_into(leaf->grad, g, create_graph_);
    auto it = capture_leaf_.find(leaf.get());
    if (it == capture_leaf_.end()) return;
    Tensor& c = captured_[it->second];
    c = c.defined() ? add(c, g) : g;
  }

  const std::vector<Tensor>* capture_;
  bool create_graph_;
  const char* caller_;
  std::unordered_map<const TensorImpl*, std::size_t> capture_leaf_;
  std::unordered_map<const Node*, std::size_t> capture_node_;
  std::vector<Tensor> captured_;
  std::optional<NoGradGuard> no_grad_;
  std::optional<EnableGradGuard> with_grad_;
  std::vector<Node*> ready_;  // nodes with a pending gradient, a max-heap by creation order
};

class Engine {
 public:
  // The reverse sweep from `outputs`. With `capture`, gradients of those inputs are returned
  // instead of being added into leaves' .grad (spans, not vectors: a plain loss.backward()
  // allocates no lists).
  static std::vector<Tensor> run(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs,
                                 bool retain_graph, bool create_graph, const std::vector<Tensor>* capture,
                                 bool allow_unused, const char* caller) {
    Sweep sweep(capture, create_graph, caller);
    sweep.seed(outputs, grad_outputs);
    while (Node* node = sweep.next()) {
      const Tensor g = sweep.take_gradient(node);  // d loss / d (the node's output)
      const GradList grads = node->apply(g);       // the rule: d loss / d (each input)
      sweep.check(node, grads);
      sweep.observe(*node, g, grads);
      for (std::size_t i = 0; i < grads.size(); ++i) sweep.pass_on(node->inputs_[i], grads[i]);
      if (!retain_graph) node->release();  // what the rule saved is no longer needed
    }
    return sweep.results(allow_unused);
  }
};

void Tensor::backward(const Tensor& gradient, BackwardOptions options) const {
  Engine::run(std::span<const Tensor>(this, 1), std::span<const Tensor>(&gradient, 1),
              options.retain_graph || options.create_graph, options.create_graph, nullptr, false, "backward");
}

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, BackwardOptions options) {
  Engine::run(outputs, grad_outputs, options.retain_graph || options.create_graph, options.create_graph, nullptr, false,
              "backward");
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, GradOptions options) {
  return Engine::run(outputs, grad_outputs, options.retain_graph || options.create_graph, options.create_graph, &inputs,
                     options.allow_unused, "grad");
}

}  // namespace tapegrad
