#pragma once
// Moved to core/dtype.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/dtype.hpp"
