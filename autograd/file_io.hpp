#pragma once
// Moved to core/file_io.hpp (tapegrad 0.2); this forwarding header goes in the release after.
#include "../core/file_io.hpp"
