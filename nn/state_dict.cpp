#include "state_dict.hpp"

#include <algorithm>

namespace tapegrad::nn {

void StateDict::set(const std::string& name, const Tensor& t) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == name; });
  if (it != entries_.end()) it->second = t;
  else entries_.emplace_back(name, t);
}

const Tensor& StateDict::at(const std::string& name) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == name; });
  if (it == entries_.end()) fail<ValueError>("StateDict: no entry named '{}' ({} entries)", name, entries_.size());
  return it->second;
}

bool StateDict::contains(const std::string& name) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == name; });
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> k;
  for (const auto& e : entries_) k.push_back(e.first);
  return k;
}

}  // namespace tapegrad::nn
