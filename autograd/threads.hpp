#pragma once
// Moved to core/threads.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/threads.hpp"
