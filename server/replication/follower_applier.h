// A follower's applier: takes the stream's messages (event_stream.h) and
// stores each event that extends its own chain in its own log, with the
// projection folded by the very fold the leader's writer uses
// (projections::apply_event into LiveProjection::staging(), then one
// atomic append of the events, the staged record changes and the new head,
// then publish). The follower's own log is its position in the stream: a
// restart resumes from its head, never from NATS's ack state
// (../shared/NATS.md trap 2).
//
// Each message is checked against the head before it is applied:
//   - seq <= head: a redelivery when the stored event has the same bytes
//     (skipped); other bytes are a fork (refused, see below);
//   - seq > head + 1: a gap, filled first by fetching each missing seq
//     from the stream (EventStream::get), each checked like a message;
//   - seq == head + 1: the bytes must decode as one event
//     (core/event_codec.h's decode_event, the one decoder of untrusted
//     bytes), carry that seq, and name the head's hash as their previous
//     hash (the event extends this chain).
// A message that fails these checks is refused for good: the applier
// stores what came before it, remembers the refusal (refusal()) and
// applies nothing more, since the stream's history is not the one it
// holds. Nothing is ever applied twice.
//
// Not thread-safe: one thread (the follow loop's) calls apply(); the
// projection's readers may run meanwhile, as beside the leader's writer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/status.h"
#include "server/replication/event_stream.h"

namespace keyledger::projections {
class LiveProjection;
}

namespace keyledger::replication {

// Why the applier stopped for good. Plain values, not a Status, so that it
// can be copied and reported at will.
struct ApplyRefusal {
  // kStreamFork (the stream holds other bytes at a seq already applied),
  // kChainBroken (the event's previous hash is not the head's),
  // kUndecodableEvent, or kEventSeqMismatch (the event carries another seq
  // than its stream sequence).
  Reason reason = Reason::kStreamFork;
  std::uint64_t seq = 0;  // the stream sequence of the refused message
  std::string message;

  // reason and message as a kCorruption Status.
  Status why() const;
};

// What one apply() call did.
struct ApplyOutcome {
  std::uint64_t applied = 0;      // events stored and published
  std::uint64_t redelivered = 0;  // messages at or below the head, with the stored bytes
  std::uint64_t filled = 0;       // of `applied`, events fetched to fill a gap
};

class FollowerApplier {
 public:
  // Most events staged before they are appended (and the projection
  // published) in one write: bounds the staging overlay when a gap of many
  // events is filled. The loop's batches are smaller.
  static constexpr std::size_t kMaxStagedEvents = 4096;

  // `log`, `projection` and `stream` outlive the applier, which is their
  // single writer.
  FollowerApplier(EventLog& log, projections::LiveProjection& projection, EventStream& stream);

  // Checks and applies `messages` in order, appending the events that
  // extend the chain in one write (kMaxStagedEvents at most per write).
  // Returns what was done; or
  //   - the refusal's Status (kCorruption) once a message is refused, now
  //     or by an earlier call; what came before it in this call is stored;
  //   - kUnavailable when the log could not append (nothing of the failed
  //     write is stored or published) or the stream could not fill a gap
  //     (what came before the gap is stored). The caller reads the stream
  //     again from head() + 1.
  StatusOr<ApplyOutcome> apply(std::span<const StreamMessage> messages);

  // The last event applied: the log's head.
  LogHead head() const { return log_.head(); }
  // The refusal that stopped the applier, or nullopt while it applies.
  const std::optional<ApplyRefusal>& refusal() const { return refusal_; }
  // Whether the last append to the log failed.
  bool storage_failing() const { return storage_failing_; }

 private:
  // Checks one message against the staged head and stages it, fills the
  // gap before it, or skips it as a redelivery. kCorruption after a
  // refusal (recorded), kUnavailable when the stream or the log failed.
  Status take(const StreamMessage& message, ApplyOutcome& outcome);
  // Fetches and stages every seq from the staged head + 1 up to `before`.
  Status fill_gap(std::uint64_t before, ApplyOutcome& outcome);
  // Decodes and checks the next event and folds it into the staging.
  Status stage(const StreamMessage& message);
  // Whether the event stored (or staged) at `seq` has exactly `bytes`.
  StatusOr<bool> same_as_applied(std::uint64_t seq, std::string_view bytes) const;
  // Appends what is staged in one write and publishes it; on failure
  // discards it (kUnavailable).
  Status commit(ApplyOutcome& outcome);
  // Records the refusal and returns its Status.
  Status refuse(Reason reason, std::uint64_t seq, std::string message);

  EventLog& log_;
  projections::LiveProjection& projection_;
  EventStream& stream_;
  std::optional<ApplyRefusal> refusal_;
  bool storage_failing_ = false;
  // What this call staged and not yet appended, and the head after it.
  std::vector<EncodedEvent> staged_;
  LogHead staged_head_;
  std::uint64_t staged_filled_ = 0;
};

}  // namespace keyledger::replication
