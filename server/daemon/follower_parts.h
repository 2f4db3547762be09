// What only a follower (issue 20) has: the stream it follows, the applier
// and the follow loop that store the leader's events in its own ledger
// (server/replication), the freshness its verifier checks, /readyz's and
// /metrics' view of it, and the sink its last-use tracker persists into.
//
// A follower has no writer, no first admin and no management API: it
// applies the leader's events rather than deciding commands.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "server/daemon/config.h"
#include "server/daemon/open_ledger.h"
#include "server/daemon/system_pages.h"
#include "server/http/json_log.h"
#include "server/replication/event_stream.h"
#include "server/replication/follow_loop.h"
#include "server/replication/follower_applier.h"
#include "server/verify/applied_seq.h"
#include "server/verify/key_use_sink.h"
#include "server/verify/replica_freshness.h"

namespace keyledger::server {

// The tracker's sink on a follower: keeps the newest use of each key in
// memory (coalesced per key) until the UsesReporter (uses_reporting.h)
// sends them to the leader, which folds them into KeyUsed events (issue
// 20, "Last use flows back"). Nothing is dropped silently: a use of a new key
// when `max_keys` are held already is answered kUnavailable
// (too_many_pending), so the tracker keeps it and offers it again, and is
// counted. Thread-safe.
class HeldKeyUses final : public KeyUseSink {
 public:
  explicit HeldKeyUses(std::size_t max_keys = 100'000) : max_keys_(max_keys) {}
  // Keeps `use` (the newer of it and the use held for its key) and answers
  // ok at once; or kUnavailable when full.
  void submit(RecordKeyUse use, Done done) override;
  std::size_t held() const;
  std::uint64_t refused() const;
  // Takes every use held, emptying the holder.
  std::vector<RecordKeyUse> take_all();
  // Holds again uses taken but not sent (each unless a newer one of its key
  // is held meanwhile), whatever the bound: they were held before.
  void hold_again(std::vector<RecordKeyUse> uses);

 private:
  const std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, RecordKeyUse> uses_;
  std::uint64_t refused_ = 0;
};

// /readyz's view of a follower's ledger: its log's head; storage failing
// while its last append failed. What it is given outlives it.
class FollowerLedgerHealth final : public LedgerHealth {
 public:
  FollowerLedgerHealth(const EventLog& log, const replication::FollowLoop& loop)
      : log_(log), loop_(loop) {}
  std::uint64_t head_seq() const override { return log_.head().seq; }
  bool storage_failing() const override { return loop_.status().storage_failing; }

 private:
  const EventLog& log_;
  const replication::FollowLoop& loop_;
};

// The stream a follower reads: --nats-stream on the --nats servers. An
// error for refused credentials or a stream keyledger cannot use; while
// NATS cannot be reached, a stream that connects on first use (the
// follower starts stale and catches up once it can).
StatusOr<std::unique_ptr<replication::EventStream>> open_follower_stream(const ServerConfig& config,
                                                                         JsonLog& log);

// The follower's own options for its loop: batches, and a confirm interval
// of a quarter of --max-staleness, between 5 ms and one second.
replication::FollowOptions follow_options(const ServerConfig& config);

class FollowerLedger {
 public:
  // Builds the applier and the loop over `ledger` (open) and `stream`;
  // reads nothing yet. What it is given outlives it.
  // The loop advances `applied_seq` (read-your-writes) as it applies.
  FollowerLedger(const ServerConfig& config, OpenLedger& ledger,
                 std::unique_ptr<replication::EventStream> stream, const MonotonicClock& clock,
                 AppliedSeq& applied_seq, JsonLog& log);
  // Stops the loop.
  ~FollowerLedger();
  FollowerLedger(const FollowerLedger&) = delete;
  FollowerLedger& operator=(const FollowerLedger&) = delete;

  // Starts following the stream on the loop's own thread.
  void start() { loop_.start(); }
  // Stops the loop (nothing more is applied), before the ledger closes.
  void stop() { loop_.stop(); }

  const ReplicaFreshness& freshness() const { return freshness_; }
  KeyUseSink& key_uses() { return key_uses_; }
  HeldKeyUses& held_uses() { return key_uses_; }
  const LedgerHealth& health() const { return health_; }
  // The figures of /readyz and /metrics, as of the call.
  FollowerFigures figures() const;

 private:
  // Tells the freshness what the loop confirmed, read-your-writes how far
  // it applied and what the stream holds, and the log what it met.
  class Observer final : public replication::FollowObserver {
   public:
    Observer(ReplicaFreshness& freshness, AppliedSeq& applied_seq, JsonLog& log)
        : freshness_(freshness), applied_seq_(applied_seq), log_(log) {}
    void confirmed(MonotonicTime asked_at) override { freshness_.confirmed(asked_at); }
    void applied(std::uint64_t seq) override { applied_seq_.advanced(seq); }
    void stream_last(std::uint64_t seq) override { applied_seq_.learned_last(seq); }
    void unavailable(const Status& why) override;
    void connected() override;
    void refused(const replication::ApplyRefusal& refusal) override;

   private:
    ReplicaFreshness& freshness_;
    AppliedSeq& applied_seq_;
    JsonLog& log_;
  };

  std::unique_ptr<replication::EventStream> stream_;
  ReplicaFreshness freshness_;
  HeldKeyUses key_uses_;
  Observer observer_;
  replication::FollowerApplier applier_;
  replication::FollowLoop loop_;
  FollowerLedgerHealth health_;
};

}  // namespace keyledger::server
