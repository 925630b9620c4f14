#pragma once
// tapegrad::nn: modules, layers, initialisation and state dicts.
#include "state_dict.hpp"
#include "module.hpp"
#include "init.hpp"
#include "linear.hpp"
#include "sequential.hpp"
#include "activation.hpp"
#include "dropout.hpp"
#include "functional.hpp"
#include "batchnorm.hpp"
#include "layernorm.hpp"
#include "embedding.hpp"
#include "serialize.hpp"
