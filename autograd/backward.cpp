#include "backward.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <unordered_map>

#include "node.hpp"
#include "ops/elementwise.hpp"

namespace tapegrad {
namespace {

bool g_record_norms = false;

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

// The ready queue's storage, kept per thread between sweeps so a small backward allocates
// none; a stack, because a backward rule may itself run a sweep.
std::vector<std::vector<Node*>>& spare_heaps() {
  thread_local std::vector<std::vector<Node*>> spares;
  return spares;
}
std::vector<Node*> spare_heap() {
  auto& spares = spare_heaps();
  if (spares.empty()) return {};
  std::vector<Node*> v = std::move(spares.back());
  spares.pop_back();
  return v;
}
void return_heap(std::vector<Node*>&& v) {
  v.clear();
  if (v.capacity() <= 4096) spare_heaps().push_back(std::move(v));
}

}  // namespace

namespace {
thread_local BackwardObserver* g_observer = nullptr;  // the observer in force (see BackwardObserver)
}  // namespace

BackwardObserver::BackwardObserver(Callback callback) : callback_(std::move(callback)), previous_(g_observer) {
  g_observer = this;
}
BackwardObserver::~BackwardObserver() { g_observer = previous_; }
BackwardObserver* BackwardObserver::current() { return g_observer; }

void set_record_grad_norms(bool on) { g_record_norms = on; }
bool record_grad_norms() { return g_record_norms; }

class Engine {
 public:
  // Runs the sweep. With `capture`, gradients of those inputs are returned instead of being
  // added into leaves' .grad.
  // (Spans, not vectors: a plain loss.backward() allocates no lists.)
  static std::vector<Tensor> run(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs,
                                 bool retain_graph, bool create_graph, const std::vector<Tensor>* capture,
                                 bool allow_unused, const char* caller);
};

std::vector<Tensor> Engine::run(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs,
                                bool retain_graph, bool create_graph, const std::vector<Tensor>* capture,
                                bool allow_unused, const char* caller) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    fail<ValueError>("{}: {} outputs but {} gradients given", caller, outputs.size(), grad_outputs.size());

  // what to capture: leaves by impl, non-leaves by the node that made them
  std::unordered_map<const TensorImpl*, std::size_t> capture_leaf;
  std::unordered_map<const Node*, std::size_t> capture_node;
  std::vector<Tensor> captured;
  if (capture) {
    captured.resize(capture->size());
    for (std::size_t i = 0; i < capture->size(); ++i) {
      const Tensor& t = (*capture)[i];
      if (!t.requires_grad()) fail<StateError>("{}: input {} (shape {}) does not require grad", caller, i, t.shape());
      if (t.grad_fn()) capture_node[t.grad_fn().get()] = i;
      else capture_leaf[t.impl()] = i;
    }
  }

  std::optional<NoGradGuard> no_grad;
  std::optional<EnableGradGuard> with_grad;
  if (create_graph) with_grad.emplace();
  else no_grad.emplace();

  auto to_leaf = [&](const std::shared_ptr<TensorImpl>& leaf, const Tensor& g) {
    if (capture) {
      auto it = capture_leaf.find(leaf.get());
      if (it == capture_leaf.end()) return;
      Tensor& c = captured[it->second];
      c = c.defined() ? add(c, g) : g;
      return;
    }
    accumulate_into(leaf->grad, g, create_graph);
  };

  // Every node's consumers were created after it, so taking nodes in decreasing creation order
  // runs each one only after all of its gradient has arrived.
  auto later = [](const Node* a, const Node* b) { return a->sequence() < b->sequence(); };
  std::vector<Node*> ready = spare_heap();  // a max-heap by creation order
  // if anything throws, leave no node half-way (queued, or holding a pending gradient); the
  // heap's storage goes back to the spares either way
  struct Cleanup {
    std::vector<Node*>& q;
    ~Cleanup() {
      for (Node* n : q) {
        n->queued_ = false;
        n->pending_ = Tensor();
      }
      return_heap(std::move(q));
    }
  } cleanup{ready};

  auto send = [&](const std::shared_ptr<Node>& node, const Tensor& g) {
    Tensor& p = node->pending_;
    p = p.defined() ? add(p, g) : g;
    if (!node->queued_) {
      node->queued_ = true;
      ready.push_back(node.get());
      std::push_heap(ready.begin(), ready.end(), later);
    }
  };

  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    if (!out.requires_grad())
      fail<StateError>("{}: output {} (shape {}) does not require grad and has no grad_fn", caller, i, out.shape());
    Tensor g = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!g.defined()) {
      if (out.numel() != 1)
        fail<StateError>(
            "{}: backward must be called on a one-element tensor or given a gradient; output {} has shape {}", caller,
            i, out.shape());
      g = ones_like(out);
    } else if (g.shape() != out.shape() || g.dtype() != out.dtype()) {
      fail<ShapeError>("{}: gradient {} {} does not match output {} {}", caller, g.shape(), dtype_name(g.dtype()),
                       out.shape(), dtype_name(out.dtype()));
    }
    if (out.grad_fn()) send(out.grad_fn(), g);
    else to_leaf(out.impl_ptr(), g);
  }

  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later);
    Node* node = ready.back();
    ready.pop_back();
    node->queued_ = false;
    if (node->released_) {
      node->pending_ = Tensor();
      fail<StateError>(
          "{}: trying to backward through the graph a second time ({} was freed by an earlier backward); "
          "pass retain_graph=true to the first backward",
          caller, node->name());
    }
    Tensor g = std::move(node->pending_);
    node->pending_ = Tensor();
    if (g_record_norms) node->last_grad_norm_ = norm_of(g);
    if (auto out = node->retained_.lock()) {
      if (!capture) accumulate_into(out->grad, g, create_graph);
    }
    if (capture) {
      auto it = capture_node.find(node);
      if (it != capture_node.end()) captured[it->second] = g;
    }

    GradList grads = node->apply(g);
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
    if (g_observer) g_observer->notify(BackwardStep{*node, g, grads});
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const Edge& e = node->inputs_[i];
      if (!e.needs_grad() || !grads[i].defined()) continue;
      if (e.fn) send(e.fn, grads[i]);
      else to_leaf(e.leaf, grads[i]);
    }
    if (!retain_graph) node->release();
  }

  if (capture && !allow_unused) {
    for (std::size_t i = 0; i < captured.size(); ++i)
      if (!captured[i].defined())
        fail<StateError>("{}: input {} (shape {}) was not used to compute the outputs; pass allow_unused=true", caller,
                         i, (*capture)[i].shape());
  }
  return captured;
}

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
