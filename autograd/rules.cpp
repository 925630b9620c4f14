// One table: op name -> its backward rule in words. g is the gradient reaching the op's
// output; "sum_to" sums a broadcast gradient back to an input's shape.
#include "rules.hpp"

#include <algorithm>
#include <map>
#include <mutex>

namespace tapegrad {
namespace {

std::map<std::string, std::string>& table() {
  static std::map<std::string, std::string> rules = {
      // elementwise (autograd/ops/elementwise.cpp)
      {"add", "da = sum_to(g), db = sum_to(g)"},
      {"sub", "da = sum_to(g), db = sum_to(-g)"},
      {"mul", "da = g * b, db = g * a"},
      {"div", "da = g / b, db = -g * a / b^2"},
      {"neg", "dx = -g"},
      {"pow", "x^p: dx = g * p * x^(p-1); a^b: da = g * b * a^(b-1), db = g * a^b * log(a)"},
      {"exp", "dx = g * e^x"},
      {"log", "dx = g / x"},
      {"sqrt", "dx = g / (2 sqrt(x))"},
      {"abs", "dx = g * sign(x)"},
      {"sign", "dx = 0"},
      {"clamp", "dx = g where lo <= x <= hi, else 0"},
      {"maximum", "da = g where a > b (g/2 at ties), db = g where b > a (g/2 at ties)"},
      {"minimum", "da = g where a < b (g/2 at ties), db = g where b < a (g/2 at ties)"},
      {"where", "da = g where cond, else 0; db = g where not cond, else 0"},
      {"to_copy", "dx = g converted back to x's dtype"},
      {"clone", "dx = g"},
      // broadcasting (autograd/ops/broadcast.cpp)
      {"expand", "dx = g summed back to x's shape (sum_to)"},
      {"sum_to", "dx = g expanded back to x's shape"},
      // reductions (autograd/ops/reduce.cpp, reduce_extreme.cpp)
      {"sum", "dx = g expanded to x's shape (every element gets g)"},
      {"norm", "dx = g * d|x|_p/dx = g * sign(x) |x|^(p-1) / norm^(p-1)"},
      {"max", "dx = g at the maximum (shared equally among ties), 0 elsewhere"},
      {"min", "dx = g at the minimum (shared equally among ties), 0 elsewhere"},
      {"scatter_into_dim", "dsrc = g gathered at the same indices"},
      {"gather_from_dim", "dx = g scattered back to the gathered indices"},
      // shapes (autograd/ops/shape_ops.cpp)
      {"reshape", "dx = g reshaped to x's shape"},
      {"view", "dx = g reshaped to x's shape"},
      {"flatten", "dx = g reshaped to x's shape"},
      {"squeeze", "dx = g reshaped to x's shape"},
      {"unsqueeze", "dx = g reshaped to x's shape"},
      {"transpose", "dx = g with the same two dims swapped back"},
      {"permute", "dx = g permuted by the inverse permutation"},
      // linear algebra (autograd/ops/linalg.cpp)
      {"mm_flags", "a @ b: da = g @ bᵀ, db = aᵀ @ g (batched, through the transpose flags)"},
      {"linear", "x @ wᵀ + bias: dx = g @ w, dw = gᵀ @ x, dbias = g summed over rows"},
      // activations (autograd/ops/activation.cpp)
      {"relu", "dx = g * [x > 0]"},
      {"leaky_relu", "dx = g where x > 0, else slope * g"},
      {"sigmoid", "dx = g * s * (1 - s), s = sigmoid(x)"},
      {"tanh", "dx = g * (1 - tanh(x)^2)"},
      {"gelu", "dx = g * (Φ(x) + x φ(x)) (tanh form for approximate)"},
      {"normal_cdf", "dx = g * φ(x) (the standard normal density)"},
      {"silu", "dx = g * s * (1 + x (1 - s)), s = sigmoid(x)"},
      {"elu", "dx = g where x > 0, else g * alpha * e^x"},
      {"softplus", "dx = g * sigmoid(beta x) (g where beta x > threshold)"},
      {"softmax", "dx = y * (g - sum_d(g * y)), y = softmax(x)"},
      {"log_softmax", "dx = g - e^y * sum_d(g), y = log_softmax(x)"},
      // indexing and joining (autograd/ops/index.cpp, join.cpp)
      {"slice", "dx = zeros with g placed at the sliced positions"},
      {"slice_backward", "dg = slice of the incoming gradient at the same positions"},
      {"select", "dx = zeros with g placed at the selected index"},
      {"gather", "dx = scatter_add(zeros, index, g)"},
      {"scatter_add", "dself = g, dsrc = gather(g, index)"},
      {"index_select", "dx = index_add(zeros, index, g)"},
      {"index_add", "dself = g, dsource = alpha * index_select(g, index)"},
      {"cat", "each input gets its own slice of g (narrow along dim)"},
      // nn and losses (nn/functional.cpp, losses/)
      {"embedding", "dweight[i] += g row for each index i (padding_idx rows get 0)"},
      {"binary_cross_entropy", "dx = g * w * (x - y) / (x (1 - x)), dy = -g * w * log(x / (1 - x))"},
      {"binary_cross_entropy_with_logits",
       "dx = g * w * (sigmoid(x) - y) (with pos_weight: ((1 + (pw-1) y) sigmoid(x) - pw y))"},
      {"nll_loss", "dx = -g * w[t] / divisor at each sample's target class, 0 elsewhere"},
      {"xlogy", "dt = g * (log t + 1)"},
      {"cross_entropy", "dx = g * (softmax(x) - one_hot(t)) * w / divisor (smoothed targets if label_smoothing)"},
  };
  return rules;
}

std::mutex& table_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::string rule_text(const std::string& op) {
  std::lock_guard lock(table_mutex());
  auto it = table().find(op);
  return it == table().end() ? std::string() : it->second;
}

std::vector<std::string> rule_ops() {
  std::lock_guard lock(table_mutex());
  std::vector<std::string> ops;
  for (const auto& [op, text] : table()) ops.push_back(op);
  return ops;  // std::map keeps them sorted
}

void register_rule_text(const std::string& op, const std::string& text) {
  std::lock_guard lock(table_mutex());
  table()[op] = text;
}

}  // namespace tapegrad
