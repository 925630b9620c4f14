// The instruction-set choice (autograd/isa.cpp): the CPU's best by default, forced by set_isa,
// refused when the CPU cannot run it.
#include <doctest/doctest.h>

#include <string>

#include "fixtures.hpp"

using namespace tapegrad;

TEST_CASE("supported_isas lists baseline first, and the active one is among them") {
  const auto isas = supported_isas();
  REQUIRE(!isas.empty());
  CHECK(isas.front() == Isa::baseline);
  bool found = false;
  for (Isa i : isas) found = found || i == active_isa();
  CHECK(found);
  std::string names;
  for (Isa i : isas) names += std::string(isa_name(i)) + " ";
  MESSAGE("this CPU runs: ", names, "(active: ", std::string(isa_name(active_isa())), ")");
  for (Isa i : {Isa::avx2, Isa::avx512})
    if (!cpu_supports(i))
      MESSAGE("this CPU cannot run the ", std::string(isa_name(i)), " kernels: their tests are skipped");
}

TEST_CASE("set_isa forces a path the CPU supports and refuses one it does not") {
  const Isa before = active_isa();
  for (Isa i : supported_isas()) {
    set_isa(i);
    CHECK(active_isa() == i);
  }
  for (Isa i : {Isa::avx2, Isa::avx512})
    if (!cpu_supports(i)) CHECK_THROWS_WITH_AS(set_isa(i), doctest::Contains("cannot run"), ValueError);
  set_isa(before);
}
