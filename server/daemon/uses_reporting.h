// A follower's half of "Last use flows back" (issue 20): every flush
// interval (--flush-interval, the leader's knob too) the UsesReporter takes
// the uses HeldKeyUses keeps (the newest of each key) and sends them, with
// the follower's --node-name and applied seq, to the leader on the uses
// subject (key_uses_message.h), split into bounded messages. It sends even
// with no use: the leader lists the followers it hears from. Uses it could
// not send are held again and go with the next flush; at shutdown it sends
// once more. Its own thread, never an I/O thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "server/daemon/config.h"
#include "server/daemon/follower_parts.h"
#include "server/http/json_log.h"
#include "server/replication/uses_channel.h"

namespace keyledger::server {

// Where a report's messages go: the uses subject (UsesPublisher), or a
// test's fake. Called from the reporter's thread only.
class UsesSender {
 public:
  virtual ~UsesSender() = default;
  virtual Status send(const std::string& message) = 0;
};

// UsesSender on the uses subject.
class PublishedUses final : public UsesSender {
 public:
  PublishedUses(replication::NatsConnectionOptions options, std::string subject)
      : publisher_(std::move(options), std::move(subject)) {}
  Status send(const std::string& message) override { return publisher_.publish(message); }

 private:
  replication::UsesPublisher publisher_;
};

// hostname:port, or the --node-name given; "node:port" when the host's
// name is no valid node name (key_uses_message.h's check_node_name).
std::string node_name(const ServerConfig& config, std::uint16_t http_port);

class UsesReporter {
 public:
  // What it is given outlives it; `applied_seq` says the follower's head.
  UsesReporter(HeldKeyUses& held, UsesSender& sender, std::string node_name,
               std::function<std::uint64_t()> applied_seq, std::chrono::nanoseconds interval,
               JsonLog& log)
      : held_(held),
        sender_(sender),
        node_name_(std::move(node_name)),
        applied_seq_(std::move(applied_seq)),
        interval_(interval),
        log_(log) {}
  ~UsesReporter() { stop(); }
  UsesReporter(const UsesReporter&) = delete;
  UsesReporter& operator=(const UsesReporter&) = delete;

  // Sends what is held now: ok once every message went; the first failure
  // otherwise, with the uses taken held again (also those already sent:
  // the leader keeps the newest use of each key, so a repeat is harmless).
  Status report_once();
  // Reports every interval on a thread of its own.
  void start();
  // Stops the thread, then reports once more (bounded by the sender's
  // timeout); idempotent.
  void stop();

 private:
  void run();

  HeldKeyUses& held_;
  UsesSender& sender_;
  const std::string node_name_;
  const std::function<std::uint64_t()> applied_seq_;
  const std::chrono::nanoseconds interval_;
  JsonLog& log_;
  bool failing_ = false;  // the last report failed (logged once until one succeeds)
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keyledger::server
