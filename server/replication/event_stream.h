// The replicated event stream, as keyledger sees it: one JetStream stream per
// ledger (named by --nats-stream) that holds every committed event, in seq
// order, with exactly the bytes stored in the log, and is never limited,
// compacted, deleted or re-created. The leader publishes message N as event
// N with the expected last sequence N - 1, so the stream's sequence IS the
// ledger's seq: a follower asks for seq N by stream sequence, and a hole is
// filled by fetching that sequence (issue 20, ../shared/NATS.md).
//
// Every call may block on the network for a bounded time, so none of them
// may run on an I/O thread. Errors are values: kUnavailable when NATS cannot
// be reached or did not answer in time (retry later), kFailedPrecondition
// when the stream refused the message because its last sequence is not the
// expected one (another writer, or a gap), kNotFound for a sequence the
// stream does not hold, kPermissionDenied when NATS refused these
// credentials.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace keyledger::replication {

// One stored message of the stream.
struct StreamMessage {
  std::uint64_t seq = 0;  // the stream sequence, which is the event's seq
  std::string bytes;      // the event as stored in the leader's log
};

// What JetStream answered to a publish.
struct PublishAck {
  std::uint64_t seq = 0;   // the stream sequence the message has
  bool duplicate = false;  // `Duplicate: true`: a message with its id was
                           // already stored. A success only when the stored
                           // bytes at `seq` equal the published ones (else a
                           // fork): the publisher must check.
};

// Reads the stream in order from a starting sequence (a consumer whose
// position the follower owns: it persists its last applied seq itself and
// never trusts the consumer's ack state, ../shared/NATS.md trap 2).
class StreamReader {
 public:
  virtual ~StreamReader() = default;
  // Up to `max` messages, in stream order, waiting at most `wait` for the
  // first one; an empty vector when none came in time. Messages may be
  // redelivered or missing: the caller checks each seq.
  virtual StatusOr<std::vector<StreamMessage>> next(std::size_t max,
                                                    std::chrono::milliseconds wait) = 0;
};

class EventStream {
 public:
  virtual ~EventStream() = default;

  // The stream's last sequence, 0 when it is empty, as the stream's leader
  // answered it just now.
  virtual StatusOr<std::uint64_t> last_seq() = 0;

  // The stored message at `seq` (a direct get), kNotFound if none.
  virtual StatusOr<StreamMessage> get(std::uint64_t seq) = 0;

  // Publishes event `seq` with `bytes`, its message id unique to this ledger
  // and seq, and the expected last sequence seq - 1; waits for the ack.
  virtual StatusOr<PublishAck> publish(std::uint64_t seq, std::string_view bytes) = 0;

  // Publishes events first_seq, first_seq + 1, … (`events` in order, each
  // as publish() would) with several in flight at once, and returns the
  // acks of the longest prefix that succeeded, in order. A failure after
  // the first event ends the prefix: the caller publishes the rest again
  // from first_seq + acks.size() with the same ids, so a message that was
  // stored after all answers Duplicate (NATS.md trap 3). The error itself
  // when even the first failed. This default publishes one at a time.
  virtual StatusOr<std::vector<PublishAck>> publish_batch(
      std::uint64_t first_seq, std::span<const std::string_view> events) {
    std::vector<PublishAck> acks;
    for (std::size_t i = 0; i < events.size(); ++i) {
      auto ack = publish(first_seq + i, events[i]);
      if (!ack.is_ok()) {
        if (acks.empty()) return ack.status();
        break;
      }
      acks.push_back(*ack);
    }
    return acks;
  }

  // A reader that delivers the stream from `seq` on.
  virtual StatusOr<std::unique_ptr<StreamReader>> read_from(std::uint64_t seq) = 0;
};

}  // namespace keyledger::replication
