#include "node.hpp"

#include <cctype>

namespace tapegrad {
namespace {
std::atomic<std::uint64_t> g_sequence{0};
std::atomic<std::int64_t> g_live{0};

// Nodes dropped while another node is being destroyed wait here, so freeing a long chain is a
// loop rather than a recursion as deep as the chain.
int& drop_depth() {
  thread_local int depth = 0;
  return depth;
}
std::vector<std::shared_ptr<Node>>& drop_queue() {
  thread_local auto* queue = new std::vector<std::shared_ptr<Node>>();  // outlives thread-local dtors
  return *queue;
}

// Counts nested destructions; the outermost one drains the queue.
class DeferScope {
 public:
  DeferScope() { ++drop_depth(); }
  ~DeferScope() {
    if (drop_depth() > 1) {
      --drop_depth();
      return;
    }
    auto& queue = drop_queue();
    while (!queue.empty()) {
      std::shared_ptr<Node> next = std::move(queue.back());
      queue.pop_back();
      next.reset();  // may queue more nodes
    }
    --drop_depth();
  }
};

}  // namespace

namespace detail {

void drop_node(std::shared_ptr<Node>&& node) {
  if (node.use_count() > 1 || drop_depth() == 0) {
    DeferScope scope;
    node.reset();
    return;
  }
  drop_queue().push_back(std::move(node));
}

std::vector<Edge> make_edges(const std::vector<Tensor>& inputs) {
  std::vector<Edge> edges(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.defined()) continue;
    Edge& e = edges[i];
    e.shape = t.shape();
    e.dtype = t.dtype();
    if (!t.requires_grad()) continue;
    if (t.grad_fn()) e.fn = t.grad_fn();
    else e.leaf = t.impl_ptr();
  }
  return edges;
}

void attach(Tensor& out, std::shared_ptr<Node> node) {
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
}

}  // namespace detail

Node::Node(OpInfo info, std::vector<Edge> inputs, const Shape& out_shape, DType out_dtype)
    : info_(info),
      inputs_(std::move(inputs)),
      out_shape_(out_shape),
      out_dtype_(out_dtype),
      sequence_(g_sequence.fetch_add(1, std::memory_order_relaxed)) {
  g_live.fetch_add(1, std::memory_order_relaxed);
}

std::int64_t Node::live_count() { return g_live.load(std::memory_order_relaxed); }

Node::~Node() {
  g_live.fetch_sub(1, std::memory_order_relaxed);
  DeferScope scope;  // what this node frees is queued, not freed recursively
  for (auto& e : inputs_)
    if (e.fn) detail::drop_node(std::move(e.fn));
  pending_ = Tensor();
}

namespace {
thread_local const Node* t_running = nullptr;  // the node whose rule runs on this thread
}  // namespace

const Node* Node::running() { return t_running; }

GradList Node::apply(const Tensor& grad_out) {
  if (released_)
    fail<StateError>(
        "{}: trying to backward through the graph a second time (its saved values were freed by an earlier "
        "backward); pass retain_graph=true to the first backward",
        name());
  struct Running {  // a rule may run a nested sweep (create_graph), so the previous one comes back
    const Node* previous = t_running;
    explicit Running(const Node* n) { t_running = n; }
    ~Running() { t_running = previous; }
  } running(this);
  return run_rule(grad_out);
}

void SavedTensor::fail_modified() const {
  const Node* n = Node::running();
  fail<StateError>(
      "{}one of the variables needed for gradient computation has been modified by an inplace operation: "
      "[{} {}] at version {}; expected version {}. Run the forward again after the change, or change a clone()",
      n ? n->name() + ": " : std::string(), dtype_name(tensor_.dtype()), tensor_.shape(),
      tensor_.impl()->storage->version(), version_);
}

void Node::release() {
  DeferScope scope;
  release_saved();
  released_ = true;
}

std::string Node::name() const {
  // "log_softmax" -> "LogSoftmaxBackward0", as PyTorch names its grad_fns
  std::string out;
  bool upper = true;
  for (const char* c = info_.name; *c; ++c) {
    if (*c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    upper = false;
  }
  return out + "Backward" + std::to_string(info_.variant);
}

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void retain_grad_of(const std::shared_ptr<TensorImpl>& impl) { impl->grad_fn->retained_ = impl; }

}  // namespace tapegrad
