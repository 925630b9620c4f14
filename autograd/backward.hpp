#pragma once
// The reverse sweep: Tensor::backward, and grad() in the manner of torch.autograd.grad.
#include <vector>

#include "tensor.hpp"

namespace tapegrad {

/// Options of grad(), as in torch.autograd.grad.
struct GradOptions {
  bool retain_graph = false;  ///< keep the graph for another backward (defaults to create_graph in torch)
  bool create_graph = false;  ///< record the backward pass, so the results can be differentiated again
  bool allow_unused = false;  ///< an input the outputs do not depend on gets an undefined tensor instead of an error
};

/// Gradients of `outputs` (weighted by `grad_outputs`; may be empty for one-element outputs)
/// with respect to `inputs`, returned rather than added into any .grad, like torch.autograd.grad.
/// With create_graph the graph is kept (retain_graph is implied, as in PyTorch).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});

/// Backward from several outputs at once, like torch.autograd.backward.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              BackwardOptions options = {});

/// When on, each backward stores on every node the norm of the gradient reaching it (shown by
/// write_dot). Off by default: it costs a pass over every gradient.
void set_record_grad_norms(bool on);
bool record_grad_norms();

}  // namespace tapegrad
