#pragma once
// Optimizers, learning-rate schedules and gradient clipping (namespace tapegrad::optim).
#include "adagrad.hpp"
#include "adam.hpp"
#include "adamw.hpp"
#include "clip_grad.hpp"
#include "lr_scheduler.hpp"
#include "momentum.hpp"
#include "one_cycle_lr.hpp"
#include "optimizer.hpp"
#include "reduce_lr_on_plateau.hpp"
#include "rmsprop.hpp"
#include "sgd.hpp"
