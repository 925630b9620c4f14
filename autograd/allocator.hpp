#pragma once
// Moved to core/allocator.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/allocator.hpp"
