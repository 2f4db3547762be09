// What a leader started with --nats runs beside its writer (issue 20): the
// stream, the publisher that sends it every committed event, and the hooks
// through which the writer wakes the publisher and asks it whether to take
// writes (--max-unpublished). Without --nats none of it exists: no thread,
// no hook, nothing on any path.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/event_log.h"
#include "core/status.h"
#include "server/daemon/config.h"
#include "server/http/json_log.h"
#include "server/replication/event_publisher.h"
#include "server/replication/event_stream.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

// The writer's two hooks into the publisher, which starts after the writer
// (it needs event 1, which the writer commits on an empty ledger). Until
// attach(), every run is admitted and commits wake nobody; the publisher
// reads the log's head when it starts, so it misses nothing.
class PublisherHooks {
 public:
  // `publisher` (or nullptr to detach) must outlive its attachment.
  void attach(replication::EventPublisher* publisher) {
    publisher_.store(publisher, std::memory_order_release);
  }
  // The writer's options: on_commit wakes the publisher (after `metrics`,
  // which may be empty), admit asks it.
  void hook_into(writer::WriterOptions& options);

 private:
  std::atomic<replication::EventPublisher*> publisher_{nullptr};
};

// The publisher's reports as log lines; a fork is an error line that says
// so, with the seq, the ledger and the stream.
class JsonPublisherLog final : public replication::PublisherLog {
 public:
  // `log` outlives this.
  JsonPublisherLog(JsonLog& log, std::string ledger_id, std::string stream)
      : log_(log), ledger_id_(std::move(ledger_id)), stream_(std::move(stream)) {}
  void report(const replication::PublisherEvent& event) override;

 private:
  JsonLog& log_;
  const std::string ledger_id_;
  const std::string stream_;
};

// The ledger's id in message ids and reports: the hex of event 1's chain
// hash, which no other ledger has. kFailedPrecondition on an empty log.
StatusOr<std::string> ledger_id(const EventLog& log);

// The stream a leader with --nats publishes to, for the ledger `ledger_id`.
// It connects on first use and again while that fails
// (replication/connecting_stream.h), so the start does not wait for NATS.
std::unique_ptr<replication::EventStream> open_event_stream(const ServerConfig& config,
                                                            const std::string& ledger_id);

// `url` without any user or password in it, for the log.
std::string url_for_log(const std::string& url);

class LeaderReplication {
 public:
  // Publishes `log` to `stream` (owned) until destroyed; `hooks` are
  // attached to the publisher. What it is given outlives it.
  LeaderReplication(const ServerConfig& config, const EventLog& log,
                    std::unique_ptr<replication::EventStream> stream, std::string ledger_id,
                    std::string stream_name, const MonotonicClock& clock, PublisherHooks& hooks,
                    JsonLog& json_log);
  // Detaches the hooks and stops the publisher.
  ~LeaderReplication();
  LeaderReplication(const LeaderReplication&) = delete;
  LeaderReplication& operator=(const LeaderReplication&) = delete;

  const replication::EventPublisher& publisher() const { return publisher_; }

 private:
  std::unique_ptr<replication::EventStream> stream_;
  JsonPublisherLog report_;
  PublisherHooks& hooks_;
  replication::EventPublisher publisher_;
};

}  // namespace keyledger::server
