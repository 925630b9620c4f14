#pragma once
// Module: the base of every layer and model, as torch.nn.Module. It owns named parameters,
// buffers and child modules, and derives everything else from them: recursive listings with
// PyTorch's dotted names, train/eval, zero_grad, dtype conversion, state_dict and its loading,
// and the printed summary.
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../autograd/random.hpp"
#include "../autograd/tensor.hpp"
#include "state_dict.hpp"

namespace tapegrad::nn {

/// Base of every layer and model. Derive from it, register parameters, buffers and children in
/// the constructor, and override forward:
/// ```
/// struct MLP : nn::Module {
///   std::shared_ptr<nn::Linear> fc1, fc2;
///   MLP() : fc1(register_module("fc1", nn::Linear(784, 128))), fc2(register_module("fc2", nn::Linear(128, 10))) {}
///   Tensor forward(const Tensor& x) override { return (*fc2)(relu((*fc1)(x))); }
/// };
/// ```
/// Modules are values holding handles: copying a module copies the handles, so the copy shares
/// its parameters and children with the original (as two Python names for one module do).
/// Registration order is kept and gives the order of every listing, as in PyTorch.
class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(const Module&) = default;
  Module& operator=(Module&&) = default;

  /// Single-tensor forward. The default throws StateError("<Name>: forward(x) is not defined").
  virtual Tensor forward(const Tensor& x);
  /// Calls forward(x).
  Tensor operator()(const Tensor& x) { return forward(x); }

  /// Registers (or replaces) a parameter and returns the stored handle; the tensor is made to
  /// require grad (or not, with requires_grad = false). A non-leaf tensor is detached first, as
  /// nn.Parameter does. An undefined tensor registers the name with no value (like
  /// `register_parameter("bias", None)`): it is skipped by every listing and by state_dict.
  /// Throws ValueError for an empty name, a name containing '.', or a name already used by a
  /// buffer or child module.
  Tensor& register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  /// Registers (or replaces) a buffer: state that is saved in state_dict and converted by to(),
  /// but never trained (e.g. running statistics). An undefined tensor registers the name with no
  /// value yet: it is skipped in listings and state_dict. Same name rules as register_parameter.
  Tensor& register_buffer(const std::string& name, Tensor t);
  /// Registers (or replaces) a child module held by shared_ptr; returns it.
  template <class M> std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    static_assert(std::is_base_of_v<Module, M>, "register_module: M must derive from nn::Module");
    add_child(name, m);
    return m;
  }
  /// Registers a child module given by value (moved or copied into a shared_ptr); returns it.
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  std::shared_ptr<std::decay_t<M>> register_module(const std::string& name, M&& m) {
    return register_module(name, std::make_shared<std::decay_t<M>>(std::forward<M>(m)));
  }

  /// Parameters of this module and (if recurse) its descendants, each once even if shared.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// As parameters(), with dotted names: "weight", "0.weight", "fc1.bias", "block.0.weight".
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  /// Buffers of this module and (if recurse) its descendants, each once.
  std::vector<Tensor> buffers(bool recurse = true) const;
  /// As buffers(), with dotted names ("bn.running_mean").
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  /// Direct children in registration order.
  std::vector<std::shared_ptr<Module>> children() const;
  /// Direct children with their names.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  /// This module first, then every descendant depth-first in registration order, each once.
  std::vector<Module*> modules();
  /// As modules(), with dotted names ("" for this module, "block", "block.0", ...).
  std::vector<std::pair<std::string, Module*>> named_modules();

  /// Sets training mode on this module and every descendant; returns *this.
  Module& train(bool on = true);
  /// train(false): Dropout becomes the identity, BatchNorm uses its running statistics.
  Module& eval() { return train(false); }
  /// True in training mode (the default for a new module).
  bool is_training() const { return training_; }
  /// Clears every parameter's gradient: set_to_none (the default, as torch 2.x) drops it,
  /// otherwise it is zeroed in place (a gradient that is part of a graph is replaced by zeros).
  void zero_grad(bool set_to_none = true);
  /// Converts every floating-point parameter and buffer (recursively) to dtype IN PLACE: every
  /// handle to them, e.g. a Linear's `weight` member or an optimizer's list, sees the new dtype.
  /// Gradients are dropped (PyTorch converts them). int64 buffers are left as they are.
  Module& to(DType dtype);

  /// Parameters then buffers of this module in registration order, then each child's under
  /// "<child>.", recursively: PyTorch's keys and order. The tensors share storage with the
  /// module's (detached, as torch's state_dict()); clone them to keep a snapshot.
  StateDict state_dict() const;
  /// What load_state_dict found: keys the module has that the dict lacks, and the reverse.
  struct LoadResult {
    std::vector<std::string> missing_keys, unexpected_keys;
  };
  /// Copies the dict's values into the module's existing tensors (no_grad), so every handle
  /// sees them. strict = true throws ValueError listing ALL missing and unexpected keys and
  /// every shape or dtype mismatch in one message; strict = false loads the matching keys and
  /// returns the lists (a shape mismatch still throws). An entry of another dtype is converted
  /// to the module's (float64 into a float32 parameter and back), as torch's copy_ does; only
  /// fractional values for an int64 buffer are refused. Unlike PyTorch, nothing is loaded when
  /// it throws (torch copies the matching entries first).
  LoadResult load_state_dict(const StateDict& dict, bool strict = true);
  /// Number of parameter elements (each shared parameter once); only those requiring grad if
  /// only_trainable.
  std::int64_t num_parameters(bool only_trainable = false) const;

  /// Draws the default initial values again, as torch's reset_parameters(). The default resets
  /// each child in order; layers with parameters (Linear, Embedding, ...) override it.
  virtual void reset_parameters();

  /// The class name shown in repr(): by default the C++ class name without namespaces
  /// ("Linear", "MLP"); override to choose another.
  virtual std::string name() const;
  /// Text inside the parentheses of the repr, e.g. "in_features=784, out_features=128, bias=True".
  virtual std::string extra_repr() const { return ""; }
  /// Like print(model) in PyTorch, then a line "Total parameters: 101,770 (trainable: 101,770)".
  std::string repr() const;

 protected:
  /// For a layer whose constructor draws its initial values: runs reset_parameters() and notes
  /// the default generator's state before and after, so that `nn::Sequential(A(..), B(..))` can
  /// draw its layers in the order they are written, whatever order the compiler constructed the
  /// arguments in (see Sequential). Call it from the constructor instead of reset_parameters().
  void draw_initial_values();

 private:
  friend class Sequential;
  // One constructor's draws from the default generator: when (a process-wide count) and the
  // generator's state around them.
  struct InitDraw {
    std::uint64_t order;
    GeneratorState before, after;
  };
  struct Slot {
    std::string name;
    Tensor value;
  };
  void check_new_name(const std::string& name, const char* kind) const;
  void add_child(const std::string& name, std::shared_ptr<Module> m);
  /// torch's __repr__ (without the count line).
  std::string repr_tree() const;
  /// Every (dotted name, handle) of state_dict, the real handles (not detached).
  void collect_state(const std::string& prefix, std::vector<std::pair<std::string, Tensor>>& out) const;
  /// Calls f(dotted prefix, module) on this module and its descendants (pre-order), each once.
  template <class F> void visit_modules(const std::string& prefix, std::vector<const Module*>& seen, F&& f) const;
  // The defined tensors of `slots` (params_ or buffers_) of this module, and of its
  // descendants when recurse, each listed once, with dotted names.
  std::vector<std::pair<std::string, Tensor>> named_slots(std::deque<Slot> Module::*slots, bool recurse) const;

  // deques: the Tensor& that register_* returns stays valid as more names are registered
  std::deque<Slot> params_;
  std::deque<Slot> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::shared_ptr<const InitDraw> init_draw_;  // set by draw_initial_values()
};

/// Writes m.repr().
std::ostream& operator<<(std::ostream& os, const Module& m);

/// A table of every parameter and buffer: dotted name, shape, dtype and element count, then
/// the total line of repr(). Not a PyTorch function (torchinfo's summary is its cousin).
std::string summary(const Module& m);

/// "101,770": an integer with thousands separators.
std::string format_count(std::int64_t n);

/// A double as Python's repr prints it ("0.01", "1.0", "1e-05"), for extra_repr.
std::string format_float(double v);

}  // namespace tapegrad::nn
