#pragma once
// The umbrella header: everything tapegrad offers.
#include "autograd/autograd.hpp"
