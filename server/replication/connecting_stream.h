// An EventStream that connects on first use: it opens the real stream
// (connect to NATS, check or create the stream) when a call needs it, and
// again on the next call while that fails. So a leader starts, and
// verifies, while NATS is unreachable, and its publisher retries the
// connection as it retries everything else.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "server/replication/event_stream.h"

namespace keyledger::replication {

class ConnectingEventStream final : public EventStream {
 public:
  // Opens the real stream; its error is what the call that needed it
  // answers (kUnavailable when NATS cannot be reached).
  using Opener = std::function<StatusOr<std::unique_ptr<EventStream>>()>;

  explicit ConnectingEventStream(Opener open) : open_(std::move(open)) {}

  StatusOr<std::uint64_t> last_seq() override;
  StatusOr<StreamMessage> get(std::uint64_t seq) override;
  StatusOr<PublishAck> publish(std::uint64_t seq, std::string_view bytes) override;
  StatusOr<std::vector<PublishAck>> publish_batch(
      std::uint64_t first_seq, std::span<const std::string_view> events) override;
  StatusOr<std::unique_ptr<StreamReader>> read_from(std::uint64_t seq) override;

 private:
  // The real stream, opened now if it was not yet. Thread-safe; once open,
  // the stream is kept for good (nats.c reconnects by itself).
  StatusOr<EventStream*> stream();

  const Opener open_;
  std::mutex mutex_;
  std::unique_ptr<EventStream> stream_;
};

}  // namespace keyledger::replication
