#pragma once
// The umbrella header: everything tapegrad offers.
#include "autograd/autograd.hpp"
#include "nn/nn.hpp"
#include "optim/optim.hpp"
#include "losses/losses.hpp"
#include "data/data.hpp"
#include "data/synthetic.hpp"
#include "train/train.hpp"
