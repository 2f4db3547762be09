// The core NATS subject (uses_subject(stream), outside the stream) on which
// followers send the leader their key uses (key_uses_message.h), and the
// leader's subscription to it (issue 20, "Last use flows back"). Each side
// connects on first use and again after a failure, so neither waits for
// NATS at start. Every call blocks: call them from a thread of their own,
// never an Asio I/O thread. nats.c stays in the .cc file.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "server/replication/nats_connection.h"

typedef struct __natsSubscription natsSubscription;

namespace keyledger::replication {

// A follower's side. Not thread-safe (one reporter thread).
class UsesPublisher {
 public:
  UsesPublisher(NatsConnectionOptions options, std::string subject)
      : options_(std::move(options)), subject_(std::move(subject)) {}
  // Sends `message` and waits until the server has it (a flush, bounded by
  // the request timeout): ok, or kUnavailable / kPermissionDenied, after
  // which the next call connects again. The leader may still miss it (it
  // is core NATS): a lost message costs one interval of last-use times.
  Status publish(const std::string& message);

 private:
  NatsConnectionOptions options_;
  std::string subject_;
  std::unique_ptr<NatsConnection> connection_;
};

// The leader's side. Not thread-safe (one receiver thread).
class UsesSubscription {
 public:
  UsesSubscription(NatsConnectionOptions options, std::string subject)
      : options_(std::move(options)), subject_(std::move(subject)) {}
  ~UsesSubscription();
  UsesSubscription(const UsesSubscription&) = delete;
  UsesSubscription& operator=(const UsesSubscription&) = delete;

  // The next message, waiting at most `wait`: nullopt when none came;
  // kUnavailable (and the next call connects again) when NATS cannot be
  // reached or the subscription failed.
  StatusOr<std::optional<std::string>> next(std::chrono::milliseconds wait);

 private:
  Status subscribe();
  void drop();

  NatsConnectionOptions options_;
  std::string subject_;
  std::unique_ptr<NatsConnection> connection_;
  natsSubscription* subscription_ = nullptr;
};

}  // namespace keyledger::replication
