#pragma once
// StateDict: named tensors in insertion order, like the OrderedDict PyTorch's state_dict() returns.
#include <string>
#include <utility>
#include <vector>

#include "../autograd/tensor.hpp"

namespace tapegrad::nn {

/// Named tensors in insertion order (PyTorch's keys: "0.weight", "fc1.bias",
/// "bn.running_mean"). Lookup by name is linear, which suits the tens of entries a model has.
class StateDict {
 public:
  using Entry = std::pair<std::string, Tensor>;

  /// Adds or replaces the entry `name`.
  void set(const std::string& name, const Tensor& t);
  /// The tensor called name; throws ValueError naming the missing key.
  const Tensor& at(const std::string& name) const;
  bool contains(const std::string& name) const;
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<std::string> keys() const;
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace tapegrad::nn
