#pragma once
// Moved to core/parallel.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/parallel.hpp"
