#pragma once
// Moved to core/isa.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/isa.hpp"
