// Reads the event log as decoded, checked events, and reports damage to a
// reporter instead of stopping silently or passing it on unnoticed. The one
// read-and-decode loop of keyledger: the audit scan, the export, stats and
// replay tools and the writer's start read through it; the chain verifier,
// which reads on three threads for speed, shares its check of each event
// (check_stored_event). Shaped after LevelDB's log::Reader and Reporter.
//
// Every stored event is decoded (core/event_codec.h) and checked: its
// decoded seq equals the seq of its storage key, and seqs run on from the
// first seq asked for with no gap. A good event goes to the caller's
// visitor; damage goes to the reporter, which chooses whether the reader
// skips it and goes on or stops. The hash chain is not checked here (that
// is core/chain_verifier.h's business).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/event_log.h"
#include "core/status.h"

namespace keyledger {

// What is wrong with the log at a seq. A closed set, so that callers choose
// their own wording without comparing reason strings.
enum class DamageKind {
  kUndecodable,  // the stored bytes are not an event of this schema
  kSeqMismatch,  // the event decodes but carries another seq than its key
  kMissing,      // a gap: the next stored event has a higher seq
  kOutOfOrder,   // the next stored event has a lower seq than expected
};

struct EventDamage {
  DamageKind kind = DamageKind::kUndecodable;
  // The seq of the damaged event's storage key; for kMissing and
  // kOutOfOrder, the seq that was expected there (the first one missing).
  std::uint64_t seq = 0;
  // What is wrong, without naming the seq: kUndecodableEvent,
  // kEventSeqMismatch, kEventMissing or kEventOutOfOrder, and the words
  // `keyledger verify` prints after "event N: " ("event is missing
  // (sequence gap)", "event carries seq 9 but is stored as seq 7", or the
  // decoder's own message). Kept as plain values, not as a Status: a report
  // is read, copied and dropped at will, and a Status left unchecked would
  // abort a debug build.
  Reason reason = Reason::kUndecodableEvent;
  std::string message;

  // reason and message as a kCorruption Status.
  Status why() const;

  // The damage as one Status that names the event, for callers that pass
  // it on whole: "event N does not decode" (reason "undecodable_event", the
  // words audit and export have always used) for an undecodable event,
  // else "event N: " followed by why's message, with why's reason.
  Status named() const;
};

// The damage of the event stored under `key_seq` when `expected_seq` is the
// next seq the log should hold, given what decoding its bytes gave (in this
// order: a gap or disorder, then undecodable bytes, then a seq mismatch);
// nullopt when the event is good. For readers that decode elsewhere, as the
// chain verifier does on a thread of its own.
std::optional<EventDamage> check_stored_event(std::uint64_t expected_seq, std::uint64_t key_seq,
                                              const StatusOr<Event>& decoded);

// What the reader does after reporting damage.
enum class OnDamage {
  kStop,  // read() returns at once (with an ok Status: the damage went to the reporter)
  kSkip,  // leave the damaged event out and go on with the next one
};

// Receives the damage an EventReader finds. Called on the thread that
// called read(), in seq order, interleaved with the visitor.
class EventReporter {
 public:
  virtual ~EventReporter() = default;

  // After kSkip: an undecodable or mismatched event is left out and the
  // next seq is expected after it; an event out of order is left out and
  // the same seq is still expected; after a gap, reading goes on from the
  // event that follows the gap (checked like any other), so the missing
  // seqs are reported once, as one gap.
  virtual OnDamage report(const EventDamage& damage) = 0;
};

// The reporter most callers want: keeps the first damage and stops there.
class FirstDamage final : public EventReporter {
 public:
  OnDamage report(const EventDamage& damage) override;
  // The first damage reported, or nullopt while there was none.
  const std::optional<EventDamage>& damage() const { return damage_; }
  // damage()->named(), or ok when there was none.
  Status status() const;

 private:
  std::optional<EventDamage> damage_;
};

class EventReader {
 public:
  // Sees each good event and the stored bytes it was decoded from (both
  // valid only during the call); returns false to stop reading.
  using Visitor = std::function<bool(const Event& event, std::string_view bytes)>;

  // Borrows `log` and `reporter`, which must outlive the reader. The reader
  // holds no other state: each read() starts afresh.
  EventReader(const EventLog& log, EventReporter& reporter) : log_(log), reporter_(reporter) {}

  // Reads the events with seq >= `from_seq` in order, calling `visit` for
  // each good one and the reporter for each damage, until the log ends, the
  // visitor returns false or the reporter asks to stop. The first event
  // read must be `from_seq` itself, or the seqs before it are reported as
  // missing; a `from_seq` past the last event reads nothing and reports
  // nothing (the reader does not look at the head). `from_seq` 0 reads from
  // the start, like 1: no event has seq 0.
  //
  // Returns the log's own read error (kUnavailable, kCorruption from
  // storage), else ok, whether or not damage was reported. Thread-safe as
  // far as the log's reads are (EventLog's are) and as the reporter is:
  // FirstDamage is not, so give concurrent reads a reporter each.
  Status read(std::uint64_t from_seq, const Visitor& visit) const;

 private:
  // Decodes and checks one stored event, then visits or reports it;
  // advances `expected`. Returns whether to read on.
  bool take(std::uint64_t& expected, std::uint64_t key_seq, std::string_view bytes,
            const Visitor& visit) const;

  const EventLog& log_;
  EventReporter& reporter_;
};

}  // namespace keyledger
