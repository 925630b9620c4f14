// The rule-text table: every op name the library records has one (found by scanning the sources
// for record() calls), and user-registered texts are found.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "fixtures.hpp"

using namespace tapegrad;
namespace fs = std::filesystem;

namespace {
std::string read_all(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Op names recorded in one source file. `record(out, "name", ...)` gives the name directly; in
// `record(out, op, ...)` the op comes from the enclosing function's `const char* op` parameter,
// so the names are the last string literal of each call of that function in the same file.
// Any other identifier must be marked "user-named op" on the line before (custom_op).
void recorded_names(const std::string& src, const std::string& file, std::set<std::string>& names,
                    std::vector<std::string>& problems) {
  static const std::regex literal(R"(\brecord\(\s*\w+\s*,\s*"(\w+)\")");
  for (std::sregex_iterator it(src.begin(), src.end(), literal), end; it != end; ++it) names.insert((*it)[1]);
  static const std::regex by_name(R"(\brecord\(\s*\w+\s*,\s*([A-Za-z_]\w*(\([^)]*\))?)\s*,)");
  for (std::sregex_iterator it(src.begin(), src.end(), by_name), end; it != end; ++it) {
    const std::string arg = (*it)[1];
    const auto pos = static_cast<std::size_t>(it->position());
    if (arg != "op") {
      const std::size_t line_start = src.rfind('\n', src.rfind('\n', pos) - 1);
      if (src.substr(line_start, pos - line_start).find("user-named op") == std::string::npos)
        problems.push_back(file + ": record() with op name '" + arg + "' that the test cannot resolve");
      continue;
    }
    // the enclosing function: the last definition before pos with a `const char* op` parameter
    static const std::regex def(R"((\w+)\([^;{)]*const char\* op\)\s*\{)");
    std::string fn;
    const std::string before = src.substr(0, pos);
    for (std::sregex_iterator d(before.begin(), before.end(), def), end; d != end; ++d) fn = (*d)[1];
    if (fn.empty()) {
      problems.push_back(file + ": record(out, op, ...) outside a function taking `const char* op`");
      continue;
    }
    const std::regex call("\\b" + fn + R"(\(([^;]*)\);)");
    int calls = 0;
    for (std::sregex_iterator c(src.begin(), src.end(), call), end; c != end; ++c) {
      const std::string args = (*c)[1];
      static const std::regex str(R"xx("(\w+)")xx");
      std::string last;
      for (std::sregex_iterator s(args.begin(), args.end(), str), e2; s != e2; ++s) last = (*s)[1];
      if (!last.empty()) {
        names.insert(last);
        ++calls;
      }
    }
    if (calls == 0) problems.push_back(file + ": no call of " + fn + "(..., \"name\") found");
  }
}
}  // namespace

TEST_CASE("every op name recorded in the library's sources has a rule text") {
  const fs::path root = fs::path(TAPEGRAD_FIXTURE_DIR).parent_path().parent_path();
  std::set<std::string> names;
  std::vector<std::string> problems;
  int files = 0;
  for (const char* dir : {"autograd", "autograd/ops", "nn", "losses", "optim", "data", "train"}) {
    if (!fs::is_directory(root / dir)) continue;
    for (const auto& entry : fs::directory_iterator(root / dir)) {
      if (entry.path().extension() != ".cpp") continue;
      ++files;
      recorded_names(read_all(entry.path()), entry.path().string(), names, problems);
    }
  }
  CHECK(files > 20);
  CHECK(names.size() > 40);  // the scan found the ops (it would be vacuous otherwise)
  for (const auto& p : problems) FAIL_CHECK(p);
  for (const char* expected : {"mul", "add", "reshape", "view", "max", "min", "mm_flags", "cross_entropy"})
    CHECK_MESSAGE(names.count(expected) == 1, "the scan missed ", expected);
  for (const auto& op : names) CHECK_MESSAGE(!rule_text(op).empty(), "no rule text for recorded op '", op, "'");
}

TEST_CASE("rule_text gives the rule of an op, empty for unknown names; register_rule_text adds one") {
  CHECK(rule_text("mul") == "da = g * b, db = g * a");
  CHECK(rule_text("no_such_op").empty());
  register_rule_text("test_rules_op", "dx = 2 g");
  CHECK(rule_text("test_rules_op") == "dx = 2 g");
  const auto ops = rule_ops();
  CHECK(std::is_sorted(ops.begin(), ops.end()));
  CHECK(std::find(ops.begin(), ops.end(), "test_rules_op") != ops.end());
}

TEST_CASE("the ops a small network records at run time all have rule texts") {
  Tensor x = randn({4, 3}, {.requires_grad = true});
  Tensor w = randn({3, 2}, {.requires_grad = true});
  Tensor y = log_softmax(relu(matmul(x, w)).reshape({2, 4}), 1);
  Tensor loss = mean(pow(y - 1.0, 2.0)) + max(y) + sum(exp(tanh(sigmoid(y))));
  for (const auto& node : tape_of(loss)) CHECK_MESSAGE(!rule_text(node->op()).empty(), node->op());
}
