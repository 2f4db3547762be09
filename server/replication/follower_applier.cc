#include "server/replication/follower_applier.h"

#include "core/event_codec.h"
#include "core/hash.h"
#include "projections/live_projection.h"

namespace keyledger::replication {

Status ApplyRefusal::why() const { return corruption(reason, message); }

FollowerApplier::FollowerApplier(EventLog& log, projections::LiveProjection& projection,
                                 EventStream& stream)
    : log_(log), projection_(projection), stream_(stream) {}

StatusOr<ApplyOutcome> FollowerApplier::apply(std::span<const StreamMessage> messages) {
  if (refusal_) return refusal_->why();
  staged_.clear();
  staged_head_ = log_.head();
  staged_filled_ = 0;
  ApplyOutcome outcome;
  for (const StreamMessage& message : messages) {
    Status taken = take(message, outcome);
    if (!taken.is_ok()) {
      // What came before the refused or missing message is good: keep it.
      Status committed = commit(outcome);
      if (refusal_) {
        committed.ignore();  // the refusal says more; a restart re-reads the rest
        return refusal_->why();
      }
      if (!committed.is_ok()) return committed;
      return taken;
    }
    if (staged_.size() >= kMaxStagedEvents) KEYLEDGER_RETURN_IF_ERROR(commit(outcome));
  }
  KEYLEDGER_RETURN_IF_ERROR(commit(outcome));
  return outcome;
}

Status FollowerApplier::take(const StreamMessage& message, ApplyOutcome& outcome) {
  if (message.seq == 0)
    return refuse(Reason::kEventSeqMismatch, 0, "the stream delivered a message with sequence 0");
  if (message.seq <= staged_head_.seq) {
    auto same = same_as_applied(message.seq, message.bytes);
    if (!same.is_ok()) return same.status();
    if (!*same)
      return refuse(Reason::kStreamFork, message.seq,
                    "the stream holds other bytes at seq " + std::to_string(message.seq) +
                        " than the event this follower applied there: the stream's history "
                        "is not this ledger's (a fork, or a second writer)");
    ++outcome.redelivered;
    return Status::ok();
  }
  if (message.seq > staged_head_.seq + 1) KEYLEDGER_RETURN_IF_ERROR(fill_gap(message.seq, outcome));
  return stage(message);
}

Status FollowerApplier::fill_gap(std::uint64_t before, ApplyOutcome& outcome) {
  for (std::uint64_t seq = staged_head_.seq + 1; seq < before; ++seq) {
    auto fetched = stream_.get(seq);
    if (!fetched.is_ok()) {
      if (fetched.status().code() != StatusCode::kNotFound) return fetched.status();
      return unavailable(Reason::kEventMissing, "the stream delivered seq " +
                                                    std::to_string(before) + " but holds no seq " +
                                                    std::to_string(seq) + " to fill the gap");
    }
    // Staged as the seq asked for: a message the stream answered for
    // another seq fails stage()'s check of the event's own seq.
    KEYLEDGER_RETURN_IF_ERROR(stage(StreamMessage{seq, std::move(fetched->bytes)}));
    ++staged_filled_;
    if (staged_.size() >= kMaxStagedEvents) KEYLEDGER_RETURN_IF_ERROR(commit(outcome));
  }
  return Status::ok();
}

Status FollowerApplier::stage(const StreamMessage& message) {
  const std::string seq_text = std::to_string(message.seq);
  auto event = decode_event(message.bytes);
  if (!event.is_ok())
    return refuse(Reason::kUndecodableEvent, message.seq,
                  "stream message " + seq_text + " is no event: " + event.status().message());
  if (event->seq != message.seq)
    return refuse(
        Reason::kEventSeqMismatch, message.seq,
        "stream message " + seq_text + " carries event seq " + std::to_string(event->seq));
  if (event->prev_hash != staged_head_.hash)
    return refuse(Reason::kChainBroken, message.seq,
                  "event " + seq_text +
                      " does not extend this follower's chain: its previous hash is not the "
                      "hash of the event before it");
  // The leader's fold, into the same staging its writer uses.
  projections::apply_event(projection_.staging(), *event);
  staged_head_ = LogHead{message.seq, chain_hash(staged_head_.hash, message.bytes)};
  staged_.push_back(EncodedEvent{message.seq, message.bytes});
  return Status::ok();
}

StatusOr<bool> FollowerApplier::same_as_applied(std::uint64_t seq, std::string_view bytes) const {
  const std::uint64_t stored_head = log_.head().seq;
  if (seq > stored_head) return staged_[seq - stored_head - 1].bytes == bytes;
  bool same = false;
  Status read = log_.read_events(seq, [&](std::uint64_t stored_seq, std::string_view stored) {
    same = stored_seq == seq && stored == bytes;
    return false;
  });
  if (!read.is_ok()) return read;
  return same;
}

Status FollowerApplier::commit(ApplyOutcome& outcome) {
  if (staged_.empty()) return Status::ok();
  Status appended = log_.append(staged_, projection_.staged_changes(), staged_head_);
  storage_failing_ = !appended.is_ok();
  if (storage_failing_) {
    projection_.discard();
    staged_.clear();
    staged_head_ = log_.head();
    staged_filled_ = 0;
    return appended;
  }
  projection_.publish();
  outcome.applied += staged_.size();
  outcome.filled += staged_filled_;
  staged_.clear();
  staged_filled_ = 0;
  return Status::ok();
}

Status FollowerApplier::refuse(Reason reason, std::uint64_t seq, std::string message) {
  refusal_ = ApplyRefusal{reason, seq, std::move(message)};
  return refusal_->why();
}

}  // namespace keyledger::replication
