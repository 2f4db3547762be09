// Many threads commit through the one writer at the same time, with real
// fsync: every acknowledged command is on disk exactly once after a
// restart, in a gapless sequence, and commits were grouped.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <future>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/event_codec.h"
#include "projections/stored_projection.h"
#include "tests/support/state_diff.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;

namespace {

constexpr int kThreads = 8;
constexpr int kCommandsPerThread = 250;

struct Ack {
  std::uint64_t seq = 0;
  EventPayload payload;    // as the writer answered
  EventPayload expected;   // as the command asked
  std::string request_id;  // unique per command
};

struct WorkerResult {
  std::vector<Ack> acks;
  std::vector<std::string> errors;  // Catch2 assertions are not thread-safe
};

std::string worker_user(int worker) { return "worker-" + std::to_string(worker); }

std::string worker_key_id(int worker, int n) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "w%dk%09d", worker, n);
  return buffer;
}

// Creates keys for the worker's own user, renames and deletes them; sends
// commands in small bursts (submit) or one at a time (execute). Every
// command is valid given the ones before it from this thread.
WorkerResult run_worker(writer::GroupCommitWriter& writer, int worker) {
  WorkerResult result;
  std::mt19937 rng(static_cast<unsigned>(worker) + 1);
  const std::string user = worker_user(worker);
  std::vector<std::string> live;
  int created = 0;
  int issued = 0;
  while (issued < kCommandsPerThread) {
    const int burst = std::min(kCommandsPerThread - issued, 1 + static_cast<int>(rng() % 4));
    std::vector<std::pair<std::future<StatusOr<CommittedEvent>>, Ack>> pending;
    for (int i = 0; i < burst; ++i, ++issued) {
      Ack ack;
      ack.request_id = user + "/" + std::to_string(issued);
      Command command;
      const unsigned roll = rng() % 10;
      if (live.empty() || roll < 4) {
        const std::string id = worker_key_id(worker, created++);
        const std::string name = user + " key " + std::to_string(created);
        command = CreateKey{id, user, name, sha256(id)};
        ack.expected = KeyCreated{id, user, name, sha256(id)};
        live.push_back(id);
      } else if (roll < 8) {
        const std::string& id = live[rng() % live.size()];
        const std::string name = user + " rename " + std::to_string(issued);
        command = RenameKey{id, user, name};
        ack.expected = KeyRenamed{id, name};
      } else {
        const std::size_t index = rng() % live.size();
        const std::string id = live[index];
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(index));
        command = DeleteKey{id, user, "rotated"};
        ack.expected = KeyDeleted{id, "rotated"};
      }
      pending.emplace_back(
          writer.submit(std::move(command), EventOrigin{user, "10.0.0.1", ack.request_id}),
          std::move(ack));
    }
    for (auto& [future, ack] : pending) {
      auto answer = future.get();
      if (!answer.is_ok()) {
        result.errors.push_back(ack.request_id + ": " + answer.status().to_string());
        continue;
      }
      ack.seq = answer->seq;
      ack.payload = answer->payload;
      result.acks.push_back(std::move(ack));
    }
  }
  return result;
}

}  // namespace

TEST_CASE("eight threads committing at once lose nothing, duplicate nothing and share commits",
          "[storage]") {
  TempDir dir;
  const auto path = dir / "ledger";
  std::vector<WorkerResult> results(kThreads);
  writer::WriterStats stats;
  std::uint64_t users_created = 0;
  {
    TestLedger ledger(path, /*sync=*/true);
    for (int worker = 0; worker < kThreads; ++worker, ++users_created)
      ledger.create_user(worker_user(worker));
    std::vector<std::thread> threads;
    for (int worker = 0; worker < kThreads; ++worker)
      threads.emplace_back([&, worker] { results[worker] = run_worker(ledger.writer(), worker); });
    for (auto& thread : threads) thread.join();
    stats = ledger.writer().stats();
  }

  std::size_t acknowledged = 0;
  for (int worker = 0; worker < kThreads; ++worker) {
    INFO("worker " << worker);
    for (const auto& error : results[worker].errors) FAIL_CHECK(error);
    CHECK(results[worker].acks.size() == static_cast<std::size_t>(kCommandsPerThread));
    for (const auto& ack : results[worker].acks) {
      INFO(ack.request_id);
      CHECK(ack.payload == ack.expected);
    }
    acknowledged += results[worker].acks.size();
  }
  const std::uint64_t total = users_created + acknowledged;
  INFO(stats.commits << " commits for " << stats.events_appended << " events");
  CHECK(stats.events_appended == total);
  CHECK(stats.commit_failures == 0);
  CHECK(stats.commands_rejected == 0);
  CHECK(stats.commits < stats.events_appended);  // group commit happened

  // After a restart, read the log back raw.
  TestLedger ledger(path, /*sync=*/true);
  CHECK(ledger.log().head().seq == total);
  std::vector<Event> events;
  std::vector<std::string> problems;
  Status read = ledger.log().read_events(1, [&](std::uint64_t seq, std::string_view bytes) {
    auto event = decode_event(bytes);
    if (!event.is_ok()) {
      problems.push_back("seq " + std::to_string(seq) + ": " + event.status().to_string());
    } else if (event->seq != seq || seq != events.size() + 1) {
      problems.push_back("stored as seq " + std::to_string(seq) + ", carries " +
                         std::to_string(event->seq) + ", expected " +
                         std::to_string(events.size() + 1));
    }
    if (event.is_ok()) events.push_back(std::move(event).value());
    return true;
  });
  REQUIRE(read.is_ok());
  for (const auto& problem : problems) FAIL_CHECK(problem);
  REQUIRE(events.size() == total);

  // Every acknowledged command is there exactly once, at its seq.
  std::map<std::string, std::vector<std::uint64_t>> seqs_by_request;
  for (const auto& event : events) seqs_by_request[event.origin.request_id].push_back(event.seq);
  for (const auto& result : results) {
    for (const auto& ack : result.acks) {
      INFO(ack.request_id << " acknowledged at seq " << ack.seq);
      const auto& seqs = seqs_by_request[ack.request_id];
      REQUIRE(seqs.size() == 1);
      CHECK(seqs.front() == ack.seq);
      const Event& event = events[ack.seq - 1];
      CHECK(event.payload == ack.expected);
      std::size_t same_payload = 0;
      for (const auto& other : events) same_payload += other.payload == ack.expected ? 1 : 0;
      CHECK(same_payload == 1);
    }
  }
  // Each worker's commands are in the log in the order it sent them.
  for (int worker = 0; worker < kThreads; ++worker) {
    std::uint64_t previous = 0;
    for (const auto& ack : results[worker].acks) {
      CHECK(ack.seq > previous);
      previous = ack.seq;
    }
  }

  auto rebuilt = projections::rebuild_from_log(ledger.log());
  REQUIRE(rebuilt.is_ok());
  CHECK(rebuilt->chain.ok());
  CHECK(rebuilt->chain.head == ledger.log().head());
  CHECK(keyledger::testing::state_difference(ledger.projection().snapshot(), rebuilt->state,
                                             "loaded", "replay")
            .empty());
}
