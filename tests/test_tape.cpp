// Printing the tape and exporting Graphviz dot.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"

using namespace tapegrad;

TEST_CASE("the tape lists the recorded ops in order with shapes and dtypes") {
  Tensor x = ones({2, 3}, {.requires_grad = true});
  Tensor b = ones({3}, {.requires_grad = true});
  Tensor h = x * 2.0;
  Tensor y = sum(h + b);
  const auto tape = tape_of(y);
  REQUIRE(tape.size() == 3);
  CHECK(std::string(tape[0]->op()) == "mul");
  CHECK(std::string(tape[1]->op()) == "add");
  CHECK(std::string(tape[2]->op()) == "sum");
  const std::string s = tape_string(y);
  CHECK(s.find("#0") != std::string::npos);
  CHECK(s.find("mul") != std::string::npos);
  CHECK(s.find("[2, 3] leaf, [] const") != std::string::npos);
  CHECK(s.find("[2, 3] #0, [3] leaf") != std::string::npos);
  CHECK(s.find("float32") != std::string::npos);
  std::ostringstream os;
  print_tape(y, os);
  CHECK(os.str() == s);
  CHECK(tape_of(x).empty());
}

TEST_CASE("the dot export draws ops, leaves and edges, with gradient norms after backward") {
  Tensor x = tensor({3, 4}, {.requires_grad = true});
  Tensor y = sum(x * x);
  set_record_grad_norms(true);
  y.backward({}, {.retain_graph = true});
  set_record_grad_norms(false);
  const std::string dot = to_dot(y);
  CHECK(dot.rfind("digraph tape {", 0) == 0);
  CHECK(dot.find("op0 [shape=box, label=\"#0 mul\\n[2] float32\\ngrad norm 1.414") != std::string::npos);
  CHECK(dot.find("leaf0 -> op0;") != std::string::npos);
  CHECK(dot.find("op0 -> op1;") != std::string::npos);
  CHECK(dot.find("grad norm 10") != std::string::npos);  // leaf grad 2x = [6, 8]
  const std::string path = "tape_test.dot";
  write_dot(y, path);
  std::ifstream f(path);
  std::stringstream content;
  content << f.rdbuf();
  CHECK(content.str() == dot);
  std::remove(path.c_str());
}

TEST_CASE("write_dot to an unwritable place is an IOError and leaves nothing behind") {
  Tensor x = tensor({1}, {.requires_grad = true});
  CHECK_THROWS_WITH_AS(write_dot(x * 2.0, "/nonexistent-dir/t.dot"), doctest::Contains("/nonexistent-dir/t.dot"),
                       IOError);
  // a directory we can write to, but a target we cannot replace (a directory of that name):
  // the error leaves neither the target changed nor a temporary file next to it
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tapegrad_test_tape_dot";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "t.dot");
  CHECK_THROWS_AS(write_dot(x * 2.0, (dir / "t.dot").string()), IOError);
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir)) left.push_back(e.path().filename().string());
  CHECK(left == std::vector<std::string>{"t.dot"});
  CHECK(std::filesystem::is_directory(dir / "t.dot"));
  std::filesystem::remove_all(dir);
}
