#pragma once
// Moved to core/errors.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/errors.hpp"
