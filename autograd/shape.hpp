#pragma once
// Moved to core/shape.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/shape.hpp"
