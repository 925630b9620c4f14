#pragma once
// Writing files so that a crash never leaves a half-written one: write a temporary file beside
// the target, flush it to disk, then rename it over the target.
#include <string>
#include <string_view>

namespace tapegrad {

/// Replaces `path` with `bytes` atomically; throws IOError (naming the path and the system's
/// reason) if any step fails, leaving any previous file untouched.
void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace tapegrad
