#pragma once
// Optimizer: parameter groups, per-parameter state, zero_grad and state_dict, as torch.optim.Optimizer.
// Each optimizer (sgd.hpp, adam.hpp, ...) derives from OptimizerWithOptions<ItsOptions> and
// writes only its constructor (validation) and step().
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../autograd/grad_mode.hpp"
#include "../autograd/tensor.hpp"
#include "../nn/state_dict.hpp"

namespace tapegrad::optim {

/// What an optimizer keeps for one parameter: how many updates it has had, and named buffers
/// shaped like the parameter (PyTorch's names: "exp_avg", "momentum_buffer", "sum", ...).
/// Created on the parameter's first step; a parameter that never had a gradient has none.
struct ParamState {
  std::int64_t step = 0;                  ///< updates applied so far
  std::map<std::string, Tensor> buffers;  ///< by name, in sorted order

  bool has(const std::string& name) const { return buffers.count(name) > 0; }
  /// The buffer called name; throws StateError if there is none.
  const Tensor& at(const std::string& name) const;
};

/// One parameter's update as an optimizer's rule sees it: n values of dtype T, their gradient,
/// and the parameter's state (its step already counted for this update).
template <class T> struct ParamStep {
  T* p;
  const T* g;
  std::int64_t n;
  ParamState& state;
  const Tensor& param;
  /// The state buffer called name, created filled with `init` on first use (as PyTorch's
  /// zeros_like / full_like in its first step).
  T* buffer(const char* name, double init = 0.0) {
    Tensor& b = state.buffers[name];
    if (!b.defined()) b = full_like(param, init);
    return b.template data<T>();
  }
};

/// A list of parameters sharing one set of options (e.g. a different lr for the last layer):
/// `{.params = head.parameters(), .options = {.lr = 1e-2}}`.
template <class Options> struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

/// The base of every optimizer. Holds the per-parameter state; the groups and their options live
/// in OptimizerWithOptions. Optimizers are not copyable (the state belongs to one of them).
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// One update of every parameter that has a gradient (the others are skipped, as PyTorch
  /// does). Runs under NoGradGuard; updates the parameters' values in place.
  virtual void step() = 0;

  /// Clears the gradients of every parameter: with set_to_none (the default, as PyTorch 2.x)
  /// removes them (like `p.grad = None`), so the next step skips parameters that get no new
  /// gradient; with false, zeroes them in place (PyTorch 1.13's default).
  void zero_grad(bool set_to_none = true);

  /// "SGD", "Adam", ... (used in error messages).
  const std::string& name() const { return name_; }
  virtual std::size_t num_param_groups() const = 0;
  /// The parameters of group g.
  virtual const std::vector<Tensor>& params(std::size_t g) const = 0;
  /// The learning rate of group g, read and set by the schedulers.
  virtual double lr(std::size_t g) const = 0;
  virtual void set_lr(std::size_t g, double lr) = 0;
  /// The momentum of group g (`momentum`, or `betas[0]` for Adam and AdamW), if the optimizer
  /// has one; OneCycleLR cycles it.
  virtual std::optional<double> momentum(std::size_t g) const = 0;
  virtual void set_momentum(std::size_t g, double momentum) = 0;

  /// The state of parameter p, or nullptr before its first step.
  const ParamState* state(const Tensor& p) const;

  /// Everything needed to resume training exactly, as named tensors with PyTorch's layout
  /// flattened into keys (parameters are numbered across groups in order, as PyTorch does):
  ///   "state.<i>.step"            0-d int64      updates of parameter i
  ///   "state.<i>.<buffer>"        like param i   e.g. "state.0.exp_avg"
  ///   "param_groups.<g>.<option>" 0-d float64    e.g. "param_groups.0.lr" (bools as 0/1)
  ///   "param_groups.<g>.betas"    [2] float64
  ///   "param_groups.<g>.params"   [n] int64      the indices of the group's parameters
  /// The tensors are copies, so the dict does not change as training goes on (PyTorch's holds
  /// references to the live buffers). Can be saved like a model's state_dict.
  nn::StateDict state_dict() const;

  /// Restores what state_dict() saved, into an optimizer over parameters of the same shapes in
  /// the same groups: the group options (lr included) and each parameter's state (copied,
  /// converted to the parameter's dtype). Throws ValueError if the group count, a group's size,
  /// a buffer's shape or a required key does not match (naming the key); on error nothing is
  /// changed.
  void load_state_dict(const nn::StateDict& state_dict);

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}

  /// The state of p for a step, created empty on first use. Throws StateError if p's existing
  /// buffers no longer match its dtype or shape (the parameter was converted after the optimizer
  /// stepped, e.g. by Module::to).
  ParamState& state_of(const Tensor& p);
  /// Checks a group's parameters: non-empty overall, float dtypes, leaves, no duplicates
  /// across groups. `seen` collects the parameters of the groups checked so far.
  void check_params(const std::vector<Tensor>& params, std::vector<const TensorImpl*>& seen) const;

  /// Writes group g's options under prefix ("param_groups.0.").
  virtual void save_options(std::size_t g, nn::StateDict& out, const std::string& prefix) const = 0;
  /// Reads group g's options from prefix (validated); throws ValueError for a missing key.
  virtual void load_options(std::size_t g, const nn::StateDict& in, const std::string& prefix) = 0;

  std::unordered_map<const TensorImpl*, ParamState> state_;
  std::string name_;
};

namespace detail {
/// Throws ValueError "<optimizer>: invalid <what>: <value>" unless ok (PyTorch's wording).
void check_option(bool ok, const std::string& optimizer, const char* what, double value);
/// Writes one option as a float64 tensor (bool as 0/1, betas as [2]).
void save_option(nn::StateDict& out, const std::string& key, double value);
void save_option(nn::StateDict& out, const std::string& key, bool value);
void save_option(nn::StateDict& out, const std::string& key, const std::array<double, 2>& value);
/// Reads one option written by save_option; ValueError if missing or of the wrong shape.
void load_option(const nn::StateDict& in, const std::string& key, double& value);
void load_option(const nn::StateDict& in, const std::string& key, bool& value);
void load_option(const nn::StateDict& in, const std::string& key, std::array<double, 2>& value);
}  // namespace detail

/// The part of an optimizer that depends on its options type: the groups, each with its own
/// Options, and generic access to lr and momentum for the schedulers. Options must have a
/// `double lr`, a `void validate(const std::string& name) const` that throws ValueError, and a
/// `static void visit(auto& options, auto&& f)` calling f(name, field) for each field (used by
/// state_dict; names as PyTorch's).
template <class Options> class OptimizerWithOptions : public Optimizer {
 public:
  using Group = ParamGroup<Options>;

  /// The groups, with options that may be changed between steps:
  /// `opt.param_groups()[0].options.lr = 1e-4;`.
  std::vector<Group>& param_groups() { return groups_; }
  const std::vector<Group>& param_groups() const { return groups_; }

  /// Adds a group (e.g. layers unfrozen during fine-tuning), checked as in the constructor.
  void add_param_group(Group group) {
    std::vector<const TensorImpl*> seen;
    for (const auto& g : groups_)
      for (const auto& p : g.params) seen.push_back(p.impl());
    group.options.validate(name_);
    check_params(group.params, seen);
    groups_.push_back(std::move(group));
  }

  std::size_t num_param_groups() const override { return groups_.size(); }
  const std::vector<Tensor>& params(std::size_t g) const override { return groups_.at(g).params; }
  double lr(std::size_t g) const override { return groups_.at(g).options.lr; }
  void set_lr(std::size_t g, double lr) override { groups_.at(g).options.lr = lr; }

  std::optional<double> momentum(std::size_t g) const override {
    const Options& o = groups_.at(g).options;
    if constexpr (requires(Options x) { x.betas; }) return o.betas[0];
    else if constexpr (requires(Options x) { x.momentum; }) return o.momentum;
    else return std::nullopt;
  }
  void set_momentum(std::size_t g, double m) override {
    Options& o = groups_.at(g).options;
    if constexpr (requires(Options x) { x.betas; }) o.betas[0] = m;
    else if constexpr (requires(Options x) { x.momentum; }) o.momentum = m;
    else fail<ValueError>("{}: has no momentum to set", name_);
  }

 protected:
  /// Validates every group's options and parameters (throws ValueError naming the optimizer).
  OptimizerWithOptions(std::string name, std::vector<Group> groups) : Optimizer(std::move(name)) {
    if (groups.empty()) fail<ValueError>("{}: optimizer got an empty parameter list", name_);
    std::vector<const TensorImpl*> seen;
    for (const auto& g : groups) {
      g.options.validate(name_);
      check_params(g.params, seen);
    }
    if (seen.empty()) fail<ValueError>("{}: optimizer got an empty parameter list", name_);
    groups_ = std::move(groups);
  }

  void save_options(std::size_t g, nn::StateDict& out, const std::string& prefix) const override {
    Options::visit(groups_.at(g).options,
                   [&](const char* key, const auto& field) { detail::save_option(out, prefix + key, field); });
  }
  void load_options(std::size_t g, const nn::StateDict& in, const std::string& prefix) override {
    Options o = groups_.at(g).options;
    Options::visit(o, [&](const char* key, auto& field) { detail::load_option(in, prefix + key, field); });
    o.validate(name_);
    groups_.at(g).options = o;
  }

  /// The loop every step() shares, as torch.optim's: under no-grad, for each group and each of
  /// its parameters that has a gradient (the others are skipped, as PyTorch does), count the
  /// step in the parameter's state (created on first use), mark the parameter as written in
  /// place (its version, which saved tensors check), and run `rule(ParamStep<T>&, options)` for
  /// T the parameter's dtype. Each optimizer's step() is this call with its update rule.
  template <class Rule> void update_each(Rule&& rule) {
    NoGradGuard no_grad;
    const std::string op = name_ + ".step";
    for (const Group& group : groups_)
      for (const Tensor& p : group.params) {
        if (!p.has_grad()) continue;
        ParamState& st = state_of(p);
        ++st.step;
        const Tensor grad = p.grad();
        tapegrad::detail::bump_version(p);
        dispatch_float(p.dtype(), op.c_str(), [&]<class T>() {
          ParamStep<T> s{p.data<T>(), grad.data<T>(), p.numel(), st, p};
          rule(s, group.options);
        });
      }
  }

  std::vector<Group> groups_;
};

}  // namespace tapegrad::optim
