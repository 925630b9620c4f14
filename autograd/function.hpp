#pragma once
// custom_op: a differentiable function written by the user, forward and backward, through the
// public API (PyTorch's torch.autograd.Function, in one call).
#include <functional>
#include <string>
#include <vector>

#include "node.hpp"

namespace tapegrad {

/// Computes the op's value from its inputs. It runs with grad mode off (nothing it does is
/// recorded) and must return a defined tensor; it may use any tensor op or raw data<T>() loops.
using CustomForward = std::function<Tensor(const std::vector<Tensor>& inputs)>;

/// The backward rule: given g (the gradient of the output, of the output's shape and dtype),
/// the inputs and the output's value (checked against in-place changes since the forward, as
/// every saved tensor is), returns one gradient per input, each of that input's shape
/// and dtype, or an undefined Tensor() where none flows (e.g. for an input that does not require
/// grad). It runs with grad mode off, unless backward was asked to create_graph: written with
/// tensor ops (mul, exp, sum_to, ...) it is then recorded too, so double backward works.
using CustomBackward =
    std::function<GradList(const Tensor& g, const std::vector<Tensor>& inputs, const Tensor& output)>;

/// Options of custom_op.
struct CustomOpOptions {
  /// The backward rule in words, kept on the recorded node (Node::rule()) and shown by tape
  /// printing and examples/tape_tour --explain; e.g. "dx = g * cos(x)".
  std::string rule;
};

/// Runs `forward(inputs)` and, if any input requires grad (and grad mode is on), records the
/// result on the tape under `name` with `backward` as its rule, so backward(), grad() and
/// gradcheck() see it as any built-in op. The result is a new tensor (sharing storage with what
/// forward returned). For example, sin with its derivative:
/// ```
/// Tensor my_sin(const Tensor& x) {
///   return custom_op("my_sin", {x},
///       [](const std::vector<Tensor>& in) { /* fill a new tensor with std::sin */ },
///       [](const Tensor& g, const std::vector<Tensor>& in, const Tensor&) { return GradList{g * my_cos(in[0])}; });
/// }
/// ```
/// An input may appear more than once (its gradients add up); undefined inputs are allowed
/// (they get no gradient). Errors: ValueError for an empty name; StateError if forward returns
/// an undefined tensor; DTypeError if it returns an int64 tensor while gradients are wanted.
/// During backward, a rule that returns the wrong number of gradients is a ValueError, a gradient
/// of the wrong shape a ShapeError and one of the wrong dtype a DTypeError; each message names
/// the op, the input and both shapes. Unlike PyTorch's Function, there is one output, and the
/// saved values are whatever the backward lambda captures (inputs and output are handed to it).
Tensor custom_op(const std::string& name, const std::vector<Tensor>& inputs, CustomForward forward,
                 CustomBackward backward, const CustomOpOptions& options = {});

}  // namespace tapegrad
