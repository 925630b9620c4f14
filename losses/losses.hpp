#pragma once
// Loss functions (namespace tapegrad::losses), as torch.nn.functional and torch.nn's loss
// modules. Every loss takes an options struct whose last field is `reduction`:
//   losses::cross_entropy(logits, target, {.weight = w, .label_smoothing = 0.1});
#include "bce.hpp"
#include "cross_entropy.hpp"
#include "modules.hpp"
#include "nll_kl.hpp"
#include "reduction.hpp"
#include "regression.hpp"
