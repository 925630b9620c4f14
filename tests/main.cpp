#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

// Every test case (and every re-entry for a SUBCASE) starts from the same state of the global
// generator, so what a test draws never depends on which tests ran before it or on the filter.
struct SeedEachTestCase : doctest::IReporter {
  explicit SeedEachTestCase(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { tapegrad::manual_seed(0); }
  void test_case_reenter(const doctest::TestCaseData&) override { tapegrad::manual_seed(0); }
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("seed_each_test_case", 1, SeedEachTestCase);
