// custom_op: the user's forward under no-grad, then record() with the user's rule wrapped in
// checks, so a wrong rule is a clear error naming the op rather than an engine internal error.
#include "function.hpp"

#include <mutex>
#include <set>

#include "ops/elementwise.hpp"
#include "values.hpp"

namespace tapegrad {
namespace {

// Node::op() is a const char* that must outlive every node: names are kept here for good.
const char* intern(const std::string& name) {
  static std::mutex m;
  static std::set<std::string> names;
  std::lock_guard lock(m);
  return names.insert(name).first->c_str();
}

// The user's rule, with its result checked against the inputs' shapes and dtypes.
struct CheckedRule {
  std::string name;
  std::vector<SavedTensor> saved_inputs;
  SavedTensor output;  // detached: the node must not own its own output
  CustomBackward backward;

  GradList operator()(const Tensor& g) const {
    std::vector<Tensor> inputs;
    for (const SavedTensor& s : saved_inputs) inputs.push_back(s.unpack());
    GradList grads = backward(g, inputs, output.unpack());
    if (grads.size() != inputs.size())
      fail<ValueError>("{}: backward returned {} gradients for {} inputs (return one per input, Tensor() for none)",
                       name, grads.size(), inputs.size());
    for (std::size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined() || !inputs[i].defined()) continue;
      if (grads[i].shape() != inputs[i].shape())
        fail<ShapeError>("{}: backward returned a gradient of shape {} for input {} of shape {}", name,
                         grads[i].shape(), i, inputs[i].shape());
      if (grads[i].dtype() != inputs[i].dtype())
        fail<DTypeError>("{}: backward returned a {} gradient for input {} of dtype {} (shape {})", name,
                         dtype_name(grads[i].dtype()), i, dtype_name(inputs[i].dtype()), inputs[i].shape());
    }
    return grads;
  }
};

}  // namespace

Tensor custom_op(const std::string& name, const std::vector<Tensor>& inputs, CustomForward forward,
                 CustomBackward backward, const CustomOpOptions& options) {
  if (name.empty()) fail<ValueError>("custom_op: the op needs a name");
  if (!forward || !backward) fail<ValueError>("{}: custom_op needs both a forward and a backward function", name);
  const bool wants_grad = any_requires_grad(inputs);
  Tensor value;
  {
    NoGradGuard no_grad;
    value = forward(inputs);
  }
  if (!value.defined()) fail<StateError>("{}: forward returned an undefined tensor", name);
  // a fresh handle with no autograd state; a copy if forward returned an input's own storage,
  // so the result never aliases an input
  Tensor out = detail::alias(value, value.shape());
  for (const Tensor& t : inputs)
    if (t.defined() && t.impl()->storage == out.impl()->storage) {
      out = detail::copy_values(out);
      break;
    }
  if (!wants_grad) return out;
  if (out.dtype() == DType::i64)
    fail<DTypeError>("{}: forward returned an int64 tensor (shape {}), which cannot carry a gradient", name,
                     out.shape());
  // record under the user's name; every input and the output are handed to the user's rule,
  // so all of them are saved
  std::vector<SavedTensor> saved;
  for (const Tensor& t : inputs) saved.push_back(save(t));
  record(out, {intern(name), intern(options.rule)}, inputs,
         CheckedRule{name, std::move(saved), save_output(out), std::move(backward)});
  return out;
}

}  // namespace tapegrad
