#include "tape.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <unordered_map>
#include <unordered_set>

#include "../core/file_io.hpp"

namespace tapegrad {

std::vector<std::shared_ptr<Node>> tape_of(const Tensor& root) {
  std::vector<std::shared_ptr<Node>> nodes;
  if (!root.grad_fn()) return nodes;
  std::unordered_set<const Node*> seen;
  std::vector<std::shared_ptr<Node>> stack{root.grad_fn()};  // iterative: graphs may be 100k deep
  seen.insert(root.grad_fn().get());
  while (!stack.empty()) {
    auto n = std::move(stack.back());
    stack.pop_back();
    for (const Edge& e : n->inputs())
      if (e.fn && seen.insert(e.fn.get()).second) stack.push_back(e.fn);
    nodes.push_back(std::move(n));
  }
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a->sequence() < b->sequence(); });
  return nodes;
}

namespace {
std::unordered_map<const Node*, std::size_t> index_of(const std::vector<std::shared_ptr<Node>>& nodes) {
  std::unordered_map<const Node*, std::size_t> idx;
  for (std::size_t i = 0; i < nodes.size(); ++i) idx[nodes[i].get()] = i;
  return idx;
}

std::string describe_input(const Edge& e, const std::unordered_map<const Node*, std::size_t>& idx) {
  if (e.fn) return fmt::format("{} #{}", e.shape, idx.at(e.fn.get()));
  if (e.leaf) return fmt::format("{} leaf", e.shape);
  return fmt::format("{} const", e.shape);
}

double l2_norm(const Tensor& t) {
  double s = 0;
  for (double v : t.to_vector()) s += v * v;
  return std::sqrt(s);
}
}  // namespace

std::string tape_string(const Tensor& root) {
  const auto nodes = tape_of(root);
  const auto idx = index_of(nodes);
  std::vector<std::string> ins;
  std::size_t op_w = 2, in_w = 6;
  for (const auto& n : nodes) {
    std::string s;
    for (const Edge& e : n->inputs()) s += (s.empty() ? "" : ", ") + describe_input(e, idx);
    op_w = std::max(op_w, std::string(n->op()).size());
    in_w = std::max(in_w, s.size());
    ins.push_back(std::move(s));
  }
  std::string out = fmt::format("{:<5} {:<{}}  {:<{}}  {:<12} {}\n", "#", "op", op_w, "inputs", in_w, "output", "dtype");
  for (std::size_t i = 0; i < nodes.size(); ++i)
    out += fmt::format("{:<5} {:<{}}  {:<{}}  {:<12} {}\n", fmt::format("#{}", i), nodes[i]->op(), op_w, ins[i], in_w,
                       nodes[i]->out_shape().str(), dtype_name(nodes[i]->out_dtype()));
  return out;
}

void print_tape(const Tensor& root, std::ostream& os) { os << tape_string(root); }

std::string to_dot(const Tensor& root) {
  const auto nodes = tape_of(root);
  const auto idx = index_of(nodes);
  std::string out = "digraph tape {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n";
  std::unordered_map<const TensorImpl*, std::size_t> leaves;
  auto leaf_id = [&](const std::shared_ptr<TensorImpl>& leaf, const Shape& shape) {
    auto [it, fresh] = leaves.emplace(leaf.get(), leaves.size());
    if (fresh) {
      std::string label = fmt::format("leaf {}", shape);
      if (leaf->grad) label += fmt::format("\\ngrad norm {:.4g}", l2_norm(Tensor(leaf->grad)));
      out += fmt::format("  leaf{} [shape=ellipse, label=\"{}\"];\n", it->second, label);
    }
    return it->second;
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    std::string label = fmt::format("#{} {}\\n{} {}", i, n->op(), n->out_shape(), dtype_name(n->out_dtype()));
    if (!std::isnan(n->last_grad_norm())) label += fmt::format("\\ngrad norm {:.4g}", n->last_grad_norm());
    out += fmt::format("  op{} [shape=box, label=\"{}\"];\n", i, label);
    for (const Edge& e : n->inputs()) {
      if (e.fn) out += fmt::format("  op{} -> op{};\n", idx.at(e.fn.get()), i);
      else if (e.leaf) out += fmt::format("  leaf{} -> op{};\n", leaf_id(e.leaf, e.shape), i);
    }
  }
  if (root.is_leaf() && root.requires_grad()) leaf_id(root.impl_ptr(), root.shape());
  out += "}\n";
  return out;
}

void write_dot(const Tensor& root, const std::string& path) { write_file_atomic(path, to_dot(root)); }

}  // namespace tapegrad
