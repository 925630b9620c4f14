// Every recorded op states its backward rule in words where it records itself (OpInfo::rule),
// for tape printing and examples/tape_tour --explain.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "fixtures.hpp"

using namespace tapegrad;

TEST_CASE("every op a network records carries its rule text and its PyTorch grad_fn name") {
  manual_seed(0);
  Tensor x = randn({4, 3}, {.requires_grad = true});
  Tensor w = randn({3, 2}, {.requires_grad = true});
  Tensor y = log_softmax(relu(matmul(x, w)).reshape({2, 4}), 1);
  Tensor loss = mean(pow(y - 1.0, 2.0)) + max(y) + sum(exp(tanh(sigmoid(y))));
  std::set<std::string> seen;
  for (const auto& node : tape_of(loss)) {
    CHECK_MESSAGE(std::string(node->rule()).size() > 3, node->name());
    seen.insert(node->name());
  }
  for (const char* name : {"MmBackward0", "ReluBackward0", "ViewBackward0", "LogSoftmaxBackward0", "SubBackward0",
                           "PowBackward0", "MeanBackward0", "MaxBackward1", "SigmoidBackward0", "TanhBackward0",
                           "ExpBackward0", "SumBackward0", "AddBackward0"})
    CHECK_MESSAGE(seen.count(name) == 1, "no ", name, " on the tape");
  CHECK(std::string(matmul(x, w).grad_fn()->rule()).find("da = g @ b") != std::string::npos);
}
