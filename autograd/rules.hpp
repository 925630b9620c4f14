#pragma once
// The backward rule of every recorded op, in words, for teaching (examples/tape_tour --explain).
#include <string>
#include <vector>

namespace tapegrad {

/// The backward rule of the op recorded under `op` (Node::op()), as a short formula in the
/// op's own names, e.g. rule_text("mul") == "da = g * b, db = g * a", where g is the gradient
/// reaching the op's output. Empty for a name without a rule text. Covers every op the library
/// records (a test scans the sources for record() calls to keep it so) and the names given to
/// register_rule_text.
std::string rule_text(const std::string& op);

/// Every op name that has a rule text, sorted.
std::vector<std::string> rule_ops();

/// Adds or replaces the rule text of `op`, e.g. for an op made with custom_op. Thread-safe.
void register_rule_text(const std::string& op, const std::string& text);

}  // namespace tapegrad
