#pragma once
// Training utilities (namespace tapegrad::train): progress bar, CSV metrics, gnuplot plots.
#include "metrics.hpp"
#include "plot.hpp"
#include "progress.hpp"
