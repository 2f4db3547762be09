// The chain verifier reads, decodes and walks a log on three threads. However
// the walk ends — a read that fails partway, a fold that throws — it must
// return or throw promptly with both helper threads stopped, never hang or
// terminate the process.
#include <catch2/catch.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/chain_verifier.h"
#include "core/hash.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TestLedger;

namespace {

// Enough events for several read batches (512 events each).
constexpr std::uint64_t kEvents = 1800;

void add_keys(TestLedger& ledger) {
  ledger.create_user("alice");
  for (std::uint64_t seq = 2; seq <= kEvents; ++seq) {
    char id[16];
    std::snprintf(id, sizeof id, "pipekey%05d", static_cast<int>(seq));
    auto created =
        ledger.execute(CreateKey{id, "alice", "pipe " + std::to_string(seq), sha256(id)}, "alice");
    REQUIRE(created.is_ok());
  }
}

// Reads through to a real log, but fails after `fail_after` events.
class FailingReads final : public EventLog {
 public:
  FailingReads(const EventLog& inner, std::uint64_t fail_after)
      : inner_(inner), fail_after_(fail_after) {}
  LogHead head() const override { return inner_.head(); }
  Status append(std::span<const EncodedEvent>, std::span<const RecordChange>,
                const LogHead&) override {
    return unavailable(Reason::kReadOnly, "this test log only reads");
  }
  Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override {
    std::uint64_t read = 0;
    bool stopped = false;
    Status status = inner_.read_events(from_seq, [&](std::uint64_t seq, std::string_view bytes) {
      if (read++ == fail_after_) {
        stopped = true;
        return false;
      }
      return visit(seq, bytes);
    });
    if (stopped) {
      status.ignore();  // the test's own failure replaces the read's
      return unavailable(Reason::kUnreachable, "the disk went away (test)");
    }
    return status;
  }
  Status read_records(
      RecordTable table,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.read_records(table, visit);
  }
  std::uint32_t projection_version() const override { return inner_.projection_version(); }
  Status replace_projection(std::span<const RecordChange>, std::uint32_t) override {
    return unavailable(Reason::kReadOnly, "this test log only reads");
  }

 private:
  const EventLog& inner_;
  std::uint64_t fail_after_;
};

}  // namespace

TEST_CASE("a read that fails partway through the log is reported as the read's error",
          "[storage]") {
  TestLedger ledger(/*sync=*/false);
  add_keys(ledger);
  const std::uint64_t fail_after = GENERATE(as<std::uint64_t>{}, 0, 700, kEvents - 1);
  INFO("fails after " << fail_after << " events");
  FailingReads log(ledger.log(), fail_after);
  std::uint64_t folded = 0;
  auto report = verify_chain(log, [&](const Event&) { ++folded; });
  REQUIRE_FALSE(report.is_ok());
  CHECK(report.status().reason() == "unreachable");
  CHECK(folded <= fail_after);
}

TEST_CASE("a fold that throws ends the walk with its exception and stops the readers",
          "[storage]") {
  TestLedger ledger(/*sync=*/false);
  add_keys(ledger);
  std::uint64_t folded = 0;
  CHECK_THROWS_WITH(verify_chain(ledger.log(),
                                 [&](const Event& event) {
                                   if (event.seq == 900) throw std::runtime_error("fold failed");
                                   ++folded;
                                 }),
                    "fold failed");
  CHECK(folded == 899);
  // The log is still whole and readable afterwards.
  auto again = verify_chain(ledger.log());
  REQUIRE(again.is_ok());
  CHECK(again->ok());
  CHECK(again->events == kEvents);
}
