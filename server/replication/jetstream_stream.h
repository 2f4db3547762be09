// EventStream over a NATS JetStream stream (nats.c), as ../shared/NATS.md
// measured it: the stream `<name>` holds the subject
// `keyledger.<name>.events` only, in file storage, with no limit on age,
// bytes or count, deletes and purges denied; message N is event N.
//
// Thread safety: last_seq, get and publish may be called from several
// threads; publish_batch from one thread at a time. Every call blocks for at
// most about the connection's request_timeout (publish_batch: that per
// batch), so none may run on an I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/replication/event_stream.h"
#include "server/replication/nats_connection.h"

namespace keyledger::replication {

struct JetStreamOptions {
  // The stream's name (keyledgerd's --nats-stream): letters, digits, '-'
  // and '_' only (valid_stream_name).
  std::string stream = "KEYLEDGER";
  // Replicas when the stream is created: 3, or 1 on a one-server NATS.
  int replicas = 3;
  // JetStream's duplicate window: a re-publish of an id inside it answers
  // Duplicate (NATS.md trap 4). Longer than any publish retry.
  std::chrono::seconds duplicate_window{120};
  // The most messages one asynchronous batch keeps in flight.
  int max_pending = 4096;
};

// Whether `name` may name a stream: 1..64 characters of [A-Za-z0-9_-], so
// that it is one token of a NATS subject.
bool valid_stream_name(std::string_view name);

// `keyledger.<stream>.events`, the subject of the stream's messages.
std::string events_subject(const std::string& stream);
// `keyledger.<stream>.uses`, where followers publish their key uses
// (outside the stream: they are not events).
std::string uses_subject(const std::string& stream);

class JetStreamEventStream final : public EventStream {
 public:
  // Over `connection`, for the ledger named `ledger_id` (e.g. the hex of
  // event 1's chain hash): each message's Nats-Msg-Id is
  // "<ledger_id>:<seq>". Does not touch the stream: call ensure_stream or
  // check_stream first.
  JetStreamEventStream(std::unique_ptr<NatsConnection> connection, JetStreamOptions options,
                       std::string ledger_id);
  ~JetStreamEventStream() override;

  // The leader's start: creates the stream when it does not exist; when it
  // does, refuses (kFailedPrecondition, kStreamConfigIncompatible) a config
  // that could lose, limit or mix in events. Never updates, purges or
  // deletes a stream.
  Status ensure_stream();
  // A follower's start: the stream must exist (kNotFound) with a usable
  // config, as above; creates nothing.
  Status check_stream();

  StatusOr<std::uint64_t> last_seq() override;
  StatusOr<StreamMessage> get(std::uint64_t seq) override;
  StatusOr<PublishAck> publish(std::uint64_t seq, std::string_view bytes) override;
  StatusOr<std::vector<PublishAck>> publish_batch(
      std::uint64_t first_seq, std::span<const std::string_view> events) override;
  StatusOr<std::unique_ptr<StreamReader>> read_from(std::uint64_t seq) override;

  const std::string& stream_name() const { return options_.stream; }

  struct AsyncAcks;  // the asynchronous publishes' answers (the .cc)

 private:
  // The stream's config, checked; creates it when `create` and missing.
  Status open_stream(bool create);
  // nats_failure() for `what`, a refusal when the servers reported a
  // permission violation since `violations_before`.
  Status failure(int status, int code, const std::string& what,
                 std::uint64_t violations_before) const;

  std::unique_ptr<NatsConnection> connection_;
  JetStreamOptions options_;
  std::string ledger_id_;
  std::string subject_;
  std::unique_ptr<AsyncAcks> acks_;
  jsCtx* async_jetstream_ = nullptr;  // with acks_'s handler
};

}  // namespace keyledger::replication
