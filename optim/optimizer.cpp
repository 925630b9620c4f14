// Optimizer base: zero_grad, parameter checks, and the state_dict round trip.
#include "optimizer.hpp"

#include <algorithm>
#include <charconv>

#include "../autograd/grad_mode.hpp"
#include "../autograd/ops/elementwise.hpp"
#include "../autograd/values.hpp"

namespace tapegrad::optim {

const Tensor& ParamState::at(const std::string& name) const {
  auto it = buffers.find(name);
  if (it == buffers.end()) fail<StateError>("ParamState: no buffer named '{}'", name);
  return it->second;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (std::size_t g = 0; g < num_param_groups(); ++g)
    for (Tensor p : params(g)) {
      if (!p.has_grad()) continue;
      if (set_to_none) {
        p.set_grad(Tensor());
        continue;
      }
      Tensor grad = p.grad();
      // a gradient recorded with create_graph is part of a graph: replace it (PyTorch detaches it)
      if (grad.requires_grad()) p.set_grad(zeros_like(grad));
      else grad.zero_();
    }
}

const ParamState* Optimizer::state(const Tensor& p) const {
  auto it = state_.find(p.impl());
  return it == state_.end() ? nullptr : &it->second;
}

ParamState& Optimizer::state_of(const Tensor& p) {
  ParamState& st = state_[p.impl()];
  for (const auto& [name, buffer] : st.buffers)
    if (buffer.defined() && (buffer.dtype() != p.dtype() || buffer.shape() != p.shape()))
      fail<StateError>(
          "{}: the state '{}' is {} {} but its parameter is now {} {}; create the optimizer after "
          "converting the model (or load_state_dict, which converts)",
          name_, name, dtype_name(buffer.dtype()), buffer.shape(), dtype_name(p.dtype()), p.shape());
  return st;
}

void Optimizer::check_params(const std::vector<Tensor>& params, std::vector<const TensorImpl*>& seen) const {
  for (const Tensor& p : params) {
    if (!p.defined()) fail<ValueError>("{}: parameter {} is an undefined tensor", name_, seen.size());
    if (!is_floating(p.dtype()))
      fail<DTypeError>("{}: can only optimize float32 or float64 tensors, parameter {} of shape {} is {}", name_,
                       seen.size(), p.shape(), dtype_name(p.dtype()));
    if (!p.is_leaf())
      fail<ValueError>("{}: can't optimize a non-leaf tensor (parameter {} of shape {} was made by an op)", name_,
                       seen.size(), p.shape());
    if (std::find(seen.begin(), seen.end(), p.impl()) != seen.end())
      fail<ValueError>("{}: parameter of shape {} appears more than once in the parameter groups", name_, p.shape());
    seen.push_back(p.impl());
  }
}

// ---- state_dict -----------------------------------------------------------------------------

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict out;
  // state first (by parameter number), then the groups, as in PyTorch's dict
  std::int64_t index = 0;
  for (std::size_t g = 0; g < num_param_groups(); ++g)
    for (const Tensor& p : params(g)) {
      if (const ParamState* st = state(p)) {
        const std::string prefix = fmt::format("state.{}.", index);
        out.set(prefix + "step", scalar_tensor(static_cast<double>(st->step), {.dtype = DType::i64}));
        for (const auto& [name, buffer] : st->buffers) out.set(prefix + name, tapegrad::detail::copy_values(buffer));
      }
      ++index;
    }
  index = 0;
  for (std::size_t g = 0; g < num_param_groups(); ++g) {
    const std::string prefix = fmt::format("param_groups.{}.", g);
    save_options(g, out, prefix);
    std::vector<double> ids;
    for (std::size_t i = 0; i < params(g).size(); ++i) ids.push_back(static_cast<double>(index++));
    out.set(prefix + "params", tensor(ids, {.dtype = DType::i64}));
  }
  return out;
}

namespace {
// "state.12.exp_avg" -> (12, "exp_avg"); nullopt for keys outside "state."
std::optional<std::pair<std::int64_t, std::string>> parse_state_key(const std::string& key) {
  const std::string head = "state.";
  if (key.rfind(head, 0) != 0) return std::nullopt;
  const auto dot = key.find('.', head.size());
  std::int64_t i = -1;
  const char* first = key.data() + head.size();
  const char* last = key.data() + (dot == std::string::npos ? key.size() : dot);
  auto [ptr, ec] = std::from_chars(first, last, i);
  if (ec != std::errc() || ptr != last || dot == std::string::npos || dot + 1 == key.size())
    fail<ValueError>("load_state_dict: malformed optimizer state key '{}' (expected state.<index>.<name>)", key);
  return std::make_pair(i, key.substr(dot + 1));
}
}  // namespace

void Optimizer::load_state_dict(const nn::StateDict& sd) {
  // the groups: same count, same sizes; saved parameter numbers map to ours in order
  std::size_t saved_groups = 0;
  while (sd.contains(fmt::format("param_groups.{}.params", saved_groups))) ++saved_groups;
  if (saved_groups != num_param_groups())
    fail<ValueError>("{}.load_state_dict: the saved state has {} parameter groups, this optimizer has {}", name_,
                     saved_groups, num_param_groups());
  std::unordered_map<std::int64_t, Tensor> id_map;
  for (std::size_t g = 0; g < num_param_groups(); ++g) {
    const std::string key = fmt::format("param_groups.{}.params", g);
    const Tensor ids = sd.at(key);
    if (ids.dim() != 1 || static_cast<std::size_t>(ids.numel()) != params(g).size())
      fail<ValueError>("{}.load_state_dict: group {} has {} parameters here but '{}' has shape {}", name_, g,
                       params(g).size(), key, ids.shape());
    const std::vector<double> v = ids.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) id_map[static_cast<std::int64_t>(v[i])] = params(g)[i];
  }

  // the per-parameter state, checked and copied before anything changes
  std::unordered_map<const TensorImpl*, ParamState> state;
  for (const auto& [key, t] : sd) {
    auto parsed = parse_state_key(key);
    if (!parsed) continue;
    auto it = id_map.find(parsed->first);
    if (it == id_map.end())
      fail<ValueError>("{}.load_state_dict: '{}' refers to parameter {}, which no group holds", name_, key,
                       parsed->first);
    const Tensor& p = it->second;
    ParamState& st = state[p.impl()];
    if (parsed->second == "step") {
      if (t.numel() != 1)
        fail<ValueError>("{}.load_state_dict: '{}' must hold one number, has shape {}", name_, key, t.shape());
      st.step = static_cast<std::int64_t>(t.item());
    } else {
      if (t.shape() != p.shape())
        fail<ValueError>("{}.load_state_dict: '{}' has shape {} but the parameter has shape {}", name_, key, t.shape(),
                         p.shape());
      Tensor copy = empty(p.shape(), {.dtype = p.dtype()});
      copy.copy_(t);
      st.buffers[parsed->second] = copy;
    }
  }

  // the options; if one group's are missing or invalid, put the earlier ones back
  nn::StateDict backup;
  for (std::size_t g = 0; g < num_param_groups(); ++g) save_options(g, backup, fmt::format("param_groups.{}.", g));
  try {
    for (std::size_t g = 0; g < num_param_groups(); ++g) load_options(g, sd, fmt::format("param_groups.{}.", g));
  } catch (...) {
    for (std::size_t g = 0; g < num_param_groups(); ++g) load_options(g, backup, fmt::format("param_groups.{}.", g));
    throw;
  }
  state_ = std::move(state);
}

// ---- options as tensors ---------------------------------------------------------------------

namespace detail {

void check_option(bool ok, const std::string& optimizer, const char* what, double value) {
  if (!ok) fail<ValueError>("{}: invalid {}: {}", optimizer, what, value);
}

void save_option(nn::StateDict& out, const std::string& key, double value) {
  out.set(key, scalar_tensor(value, {.dtype = DType::f64}));
}
void save_option(nn::StateDict& out, const std::string& key, bool value) { save_option(out, key, value ? 1.0 : 0.0); }
void save_option(nn::StateDict& out, const std::string& key, const std::array<double, 2>& value) {
  out.set(key, tensor({value[0], value[1]}, {.dtype = DType::f64}));
}

namespace {
std::vector<double> read_option(const nn::StateDict& in, const std::string& key, std::int64_t numel) {
  if (!in.contains(key)) fail<ValueError>("load_state_dict: the saved state has no '{}'", key);
  const Tensor& t = in.at(key);
  if (t.numel() != numel)
    fail<ValueError>("load_state_dict: '{}' should hold {} value(s), has shape {}", key, numel, t.shape());
  return t.to_vector();
}
}  // namespace

void load_option(const nn::StateDict& in, const std::string& key, double& value) { value = read_option(in, key, 1)[0]; }
void load_option(const nn::StateDict& in, const std::string& key, bool& value) {
  value = read_option(in, key, 1)[0] != 0.0;
}
void load_option(const nn::StateDict& in, const std::string& key, std::array<double, 2>& value) {
  const auto v = read_option(in, key, 2);
  value = {v[0], v[1]};
}

}  // namespace detail

}  // namespace tapegrad::optim
