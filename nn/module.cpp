// Module: registration, recursive listings, modes, dtype conversion and state_dict loading.
// Printing (repr, summary, name) lives in module_repr.cpp.
#include "module.hpp"

#include <algorithm>
#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tapegrad::nn {

namespace {
std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

template <class Slots> auto find_slot(Slots& slots, const std::string& name) {
  return std::find_if(slots.begin(), slots.end(), [&](const auto& s) { return s.name == name; });
}

bool contains_impl(const std::vector<const TensorImpl*>& seen, const Tensor& t) {
  return std::find(seen.begin(), seen.end(), t.impl()) != seen.end();
}

// Replaces t's storage by a converted copy, so every handle sharing t's impl sees the new dtype.
// The gradient is dropped (it has the old dtype).
void convert_inplace(const Tensor& t, DType dtype) {
  if (!is_floating(t.dtype()) || t.dtype() == dtype) return;
  Tensor converted;
  {
    NoGradGuard no_grad;
    converted = t.detach().to(dtype);
  }
  TensorImpl* impl = t.impl();
  impl->storage = converted.impl()->storage;
  impl->dtype = dtype;
  impl->grad.reset();
}
}  // namespace

Tensor Module::forward(const Tensor&) { fail<StateError>("{}: forward(x) is not defined", name()); }

// ---- registration ------------------------------------------------------------------------------

void Module::check_new_name(const std::string& name, const char* kind) const {
  if (name.empty()) fail<ValueError>("{}: {} name cannot be empty", this->name(), kind);
  if (name.find('.') != std::string::npos)
    fail<ValueError>("{}: {} name '{}' cannot contain '.'", this->name(), kind, name);
  const std::string k = kind;
  const bool clash = (k != "parameter" && find_slot(params_, name) != params_.end()) ||
                     (k != "buffer" && find_slot(buffers_, name) != buffers_.end()) ||
                     (k != "module" &&
                      std::any_of(children_.begin(), children_.end(), [&](const auto& c) { return c.first == name; }));
  if (clash) fail<ValueError>("{}: cannot register {} '{}': the name is already taken", this->name(), kind, name);
}

Tensor& Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_new_name(name, "parameter");
  if (t.defined()) {
    if (!t.is_leaf()) t = t.detach();
    if (!is_floating(t.dtype()))
      fail<DTypeError>("{}: parameter '{}' must be float32 or float64, got {}", this->name(), name,
                       dtype_name(t.dtype()));
    t.requires_grad_(requires_grad);
  }
  auto it = find_slot(params_, name);
  if (it != params_.end()) {
    it->value = std::move(t);
    return it->value;
  }
  params_.push_back({name, std::move(t)});
  return params_.back().value;
}

Tensor& Module::register_buffer(const std::string& name, Tensor t) {
  check_new_name(name, "buffer");
  if (t.defined() && !t.is_leaf()) t = t.detach();
  auto it = find_slot(buffers_, name);
  if (it != buffers_.end()) {
    it->value = std::move(t);
    return it->value;
  }
  buffers_.push_back({name, std::move(t)});
  return buffers_.back().value;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> m) {
  check_new_name(name, "module");
  if (!m) fail<ValueError>("{}: cannot register module '{}': it is null", this->name(), name);
  auto it = std::find_if(children_.begin(), children_.end(), [&](const auto& c) { return c.first == name; });
  if (it != children_.end()) it->second = std::move(m);
  else children_.emplace_back(name, std::move(m));
}

// ---- listings ----------------------------------------------------------------------------------

template <class F>
void Module::visit_modules(const std::string& prefix, std::vector<const Module*>& seen, F&& f) const {
  if (std::find(seen.begin(), seen.end(), this) != seen.end()) return;
  seen.push_back(this);
  f(prefix, *this);
  for (const auto& [n, c] : children_) c->visit_modules(join_name(prefix, n), seen, f);
}

std::vector<std::pair<std::string, Tensor>> Module::named_slots(std::deque<Slot> Module::*slots, bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::vector<const TensorImpl*> seen_tensors;
  auto visit = [&](const std::string& prefix, const Module& m) {
    for (const auto& s : m.*slots) {
      if (!s.value.defined() || contains_impl(seen_tensors, s.value)) continue;
      seen_tensors.push_back(s.value.impl());
      out.emplace_back(join_name(prefix, s.name), s.value);
    }
  };
  std::vector<const Module*> seen;
  if (recurse) visit_modules("", seen, visit);
  else visit("", *this);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  return named_slots(&Module::params_, recurse);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return named_slots(&Module::buffers_, recurse);
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& c : children_) out.push_back(c.second);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const { return children_; }

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  std::vector<const Module*> seen;
  // the tree holds non-const modules; visit_modules is const only to serve the const listings
  visit_modules("", seen,
                [&](const std::string& prefix, const Module& m) { out.emplace_back(prefix, const_cast<Module*>(&m)); });
  return out;
}

std::vector<Module*> Module::modules() {
  std::vector<Module*> out;
  for (auto& [n, m] : named_modules()) out.push_back(m);
  return out;
}

// ---- modes, gradients, dtype -------------------------------------------------------------------

Module& Module::train(bool on) {
  for (Module* m : modules()) m->training_ = on;
  return *this;
}

void Module::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (Tensor& p : parameters()) {
    if (!p.has_grad()) continue;
    if (set_to_none) {
      p.set_grad(Tensor());
      continue;
    }
    Tensor g = p.grad();
    if (g.requires_grad()) p.set_grad(zeros_like(g));  // part of a graph (create_graph): replace
    else g.zero_();
  }
}

Module& Module::to(DType dtype) {
  if (!is_floating(dtype))
    fail<DTypeError>("{}: to() only accepts float32 or float64, got {}", name(), dtype_name(dtype));
  for (Module* m : modules()) {
    for (auto& s : m->params_)
      if (s.value.defined()) convert_inplace(s.value, dtype);
    for (auto& s : m->buffers_)
      if (s.value.defined()) convert_inplace(s.value, dtype);
  }
  return *this;
}

// ---- state_dict --------------------------------------------------------------------------------

void Module::collect_state(const std::string& prefix, std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& s : params_)
    if (s.value.defined()) out.emplace_back(join_name(prefix, s.name), s.value);
  for (const auto& s : buffers_)
    if (s.value.defined()) out.emplace_back(join_name(prefix, s.name), s.value);
  for (const auto& [n, c] : children_) c->collect_state(join_name(prefix, n), out);
}

StateDict Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> own;
  collect_state("", own);
  StateDict dict;
  for (const auto& [k, t] : own) dict.set(k, t.detach());
  return dict;
}

namespace {
std::string quoted_list(const std::vector<std::string>& keys) {
  std::string s;
  for (std::size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
  return s;
}
// every value a whole number (so converting to int64 loses nothing)
bool all_integral(const Tensor& t) {
  for (double v : t.to_vector())
    if (v != std::trunc(v)) return false;
  return true;
}

}  // namespace

Module::LoadResult Module::load_state_dict(const StateDict& dict, bool strict) {
  std::vector<std::pair<std::string, Tensor>> own;
  collect_state("", own);
  LoadResult result;
  std::vector<std::string> mismatches;
  std::vector<std::string> own_keys;
  for (const auto& [k, dst] : own) {
    own_keys.push_back(k);
    if (!dict.contains(k)) {
      result.missing_keys.push_back(k);
      continue;
    }
    const Tensor& src = dict.at(k);
    if (!src.defined()) mismatches.push_back(fmt::format("the entry for {} is an undefined tensor.", k));
    else if (src.shape() != dst.shape())
      mismatches.push_back(
          fmt::format("size mismatch for {}: copying a param with shape {} from checkpoint, the "
                      "shape in current model is {}.",
                      k, src.shape(), dst.shape()));
    else if (dst.dtype() == DType::i64 && is_floating(src.dtype()) && !all_integral(src))
      // another dtype is converted, as torch's copy_ does; only truncating fractions would lose values
      mismatches.push_back(
          fmt::format("dtype mismatch for {}: the checkpoint's {} values are not all integers, and the "
                      "model's tensor is int64.",
                      k, dtype_name(src.dtype())));
  }
  for (const auto& k : dict.keys())
    if (std::find(own_keys.begin(), own_keys.end(), k) == own_keys.end()) result.unexpected_keys.push_back(k);

  const bool key_errors = strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty());
  if (key_errors || !mismatches.empty()) {
    // torch's layout: one tab-indented line per kind of error
    std::string msg = fmt::format("load_state_dict: Error(s) in loading state_dict for {}:", name());
    if (strict && !result.missing_keys.empty())
      msg += "\n\tMissing key(s) in state_dict: " + quoted_list(result.missing_keys) + ".";
    if (strict && !result.unexpected_keys.empty())
      msg += "\n\tUnexpected key(s) in state_dict: " + quoted_list(result.unexpected_keys) + ".";
    for (const auto& m : mismatches) msg += "\n\t" + m;
    throw ValueError(msg);
  }

  NoGradGuard no_grad;
  for (auto& [k, dst] : own)
    if (dict.contains(k)) dst.copy_(dict.at(k));
  return result;
}

std::int64_t Module::num_parameters(bool only_trainable) const {
  std::int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!only_trainable || p.requires_grad()) n += p.numel();
  return n;
}

}  // namespace tapegrad::nn
