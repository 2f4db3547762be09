#include <catch2/catch.hpp>

#include "core/token.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TestLedger;

TEST_CASE("a created key is visible at once and after a reopen", "[storage]") {
  TestLedger ledger;
  ledger.create_user("alice");
  auto created = ledger.execute(CreateKey{"AAAAAAAAAAAA", "alice", "  ci runner ", {}}, "alice");
  REQUIRE(created.is_ok());
  CHECK(created->seq == 2);
  REQUIRE(ledger.projection().key("AAAAAAAAAAAA"));
  CHECK(ledger.projection().key("AAAAAAAAAAAA")->name == "ci runner");
  ledger.reopen();
  CHECK(ledger.log().head().seq == 2);
  REQUIRE(ledger.projection().key("AAAAAAAAAAAA"));
  CHECK(ledger.projection().live_keys_of("alice").size() == 1);
}
