#pragma once
// Sequential: a chain of modules, as torch.nn.Sequential.
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "module.hpp"

namespace tapegrad::nn {

class Sequential;

namespace internal {
template <class T> struct is_module_ptr : std::false_type {};
template <class M> struct is_module_ptr<std::shared_ptr<M>> : std::is_base_of<Module, M> {};
/// A module given by value, or a shared_ptr to one.
template <class T>
concept ModuleArg = std::is_base_of_v<Module, std::decay_t<T>> || is_module_ptr<std::decay_t<T>>::value;
/// False only for a single Sequential (that argument list is the copy or move constructor's).
template <class... Ms>
concept NotSingleSequential = sizeof...(Ms) != 1 || !(std::is_same_v<std::decay_t<Ms>, Sequential> && ...);
}  // namespace internal

/// Runs its modules in order, each one's output feeding the next, as torch.nn.Sequential:
/// `nn::Sequential(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10))`. The modules are
/// children named "0", "1", ..., so parameters are "0.weight", "0.bias", "2.weight", ...
/// Modules given by value are moved (or copied: a copy shares its parameters) into
/// shared_ptrs; pass a shared_ptr to keep a handle of your own. An empty Sequential returns its
/// input. To nest a single Sequential, pass it as a shared_ptr (one Sequential by value is the
/// copy constructor).
///
/// Initial values are drawn in the order the modules are written, on every compiler (C++
/// leaves the order in which function arguments are constructed to the compiler: g++ builds the
/// last one first). When the layers given as temporaries drew their values one right after the
/// other from the default generator and nothing drew after them, and they did so out of written
/// order, the constructor rewinds the generator to the first of those draws and draws them
/// again in written order, ending at the same generator state. (A custom module given as a
/// temporary whose constructor draws outside reset_parameters() breaks that chain: its layers
/// are then left as the compiler made them; build it before the Sequential to fix the order.)
class Sequential : public Module {
 public:
  /// An empty Sequential (fill it with push_back).
  Sequential() = default;
  /// Registers the modules in order; each is a module by value or a shared_ptr to one.
  template <internal::ModuleArg... Ms>
  requires internal::NotSingleSequential<Ms...>
  explicit Sequential(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
    draw_in_written_order({!std::is_lvalue_reference_v<Ms>...});
  }

  /// Appends a module held by shared_ptr, named by its position; returns it.
  template <class M> std::shared_ptr<M> push_back(std::shared_ptr<M> m) {
    auto r = register_module(std::to_string(layers_.size()), std::move(m));
    layers_.push_back(r);
    return r;
  }
  /// Appends a module given by value; returns the stored shared_ptr.
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  std::shared_ptr<std::decay_t<M>> push_back(M&& m) {
    return push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(m)));
  }

  /// Feeds x through every module in order.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }

  /// The module at index i (negative counts from the end, as Python); throws IndexError.
  Module& operator[](std::int64_t i) const;
  /// The shared_ptr at index i (negative counts from the end); throws IndexError.
  const std::shared_ptr<Module>& ptr(std::int64_t i) const;
  /// Number of modules.
  std::size_t size() const { return layers_.size(); }
  bool empty() const { return layers_.empty(); }
  /// Iterates over the modules as shared_ptr<Module>.
  auto begin() const { return layers_.begin(); }
  auto end() const { return layers_.end(); }

 private:
  // redraws the layers made as temporaries (fresh[i]) in written order, if they drew out of it
  void draw_in_written_order(const std::vector<bool>& fresh);
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace tapegrad::nn
