#pragma once
// The engine: tensors, ops, the tape, gradcheck.
#include "allocator.hpp"
#include "backward.hpp"
#include "dtype.hpp"
#include "errors.hpp"
#include "grad_mode.hpp"
#include "node.hpp"
#include "shape.hpp"
#include "tensor.hpp"
#include "ops/broadcast.hpp"
#include "ops/elementwise.hpp"
