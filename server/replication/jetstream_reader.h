// StreamReader over an ephemeral JetStream pull consumer that starts at a
// given stream sequence and acknowledges nothing (AckNone): the follower
// owns its position (../shared/NATS.md trap 2). The reader remembers the
// sequence after the last message it returned, and when the consumer fails
// or disappears (its server was killed, or it was idle past the server's
// threshold) it makes a new one from there, so it never relies on any ack
// state kept by the server.
//
// Not thread-safe: one thread calls next(). Included only by this folder's
// .cc files (JetStreamEventStream::read_from makes it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/replication/event_stream.h"
#include "server/replication/nats_connection.h"

typedef struct __natsSubscription natsSubscription;

namespace keyledger::replication {

class JetStreamReader final : public StreamReader {
 public:
  // A reader of `stream` (subject `subject`) from `seq` on; kUnavailable or
  // kPermissionDenied when its consumer cannot be made. `connection`
  // outlives the reader.
  static StatusOr<std::unique_ptr<StreamReader>> open(NatsConnection& connection,
                                                      std::string stream, std::string subject,
                                                      std::uint64_t seq);
  ~JetStreamReader() override;

  // What is there now, up to `max`, at once; else waits up to `wait` for
  // the next message (then returns it with whatever followed it at once).
  StatusOr<std::vector<StreamMessage>> next(std::size_t max,
                                            std::chrono::milliseconds wait) override;

 private:
  JetStreamReader(NatsConnection& connection, std::string stream, std::string subject,
                  std::uint64_t seq);
  Status subscribe();
  void unsubscribe();
  // Fetches up to `max` into `out`; `no_wait`: only what is there now.
  Status fetch(std::size_t max, std::chrono::milliseconds wait, bool no_wait,
               std::vector<StreamMessage>& out);
  // After a wait that brought nothing: whether the consumer still exists.
  Status check_consumer();

  NatsConnection& connection_;
  std::string stream_;
  std::string subject_;
  std::uint64_t next_seq_;
  natsSubscription* subscription_ = nullptr;
  std::chrono::steady_clock::time_point last_confirmed_;
};

}  // namespace keyledger::replication
