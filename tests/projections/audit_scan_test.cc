#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <vector>

#include "projections/audit.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using namespace keyledger::testing;

namespace {

std::vector<std::uint64_t> seqs_after(TestLedger& ledger, std::uint64_t after_seq) {
  std::vector<std::uint64_t> seqs;
  const Status scanned = projections::scan_audit(
      ledger.log(), after_seq, projections::AuditFilter{},
      [](const std::string&) { return std::string(); },
      [&](const projections::AuditRow& row) {
        seqs.push_back(row.seq);
        return true;
      });
  REQUIRE(scanned.is_ok());
  return seqs;
}

}  // namespace

TEST_CASE("an audit scan reads only the events after the seq it is given", "[audit]") {
  TestLedger ledger;
  ledger.create_user("alice");
  ledger.create_user("bob");
  ledger.create_user("carol");
  CHECK(seqs_after(ledger, 0) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(seqs_after(ledger, 2) == std::vector<std::uint64_t>{3});
  CHECK(seqs_after(ledger, 3).empty());
  CHECK(seqs_after(ledger, 1'000).empty());
}

TEST_CASE("an audit scan after the largest seq finds nothing rather than starting over",
          "[audit]") {
  TestLedger ledger;
  ledger.create_user("alice");
  // after_seq + 1 wrapped to 0, and the scan answered the whole log.
  CHECK(seqs_after(ledger, std::numeric_limits<std::uint64_t>::max()).empty());
  CHECK(seqs_after(ledger, std::numeric_limits<std::uint64_t>::max() - 1).empty());
}
