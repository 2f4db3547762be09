// The leader's publisher: every committed event goes to the replicated
// stream (event_stream.h) after it is durable locally, in seq order, with
// exactly the bytes stored in the log. The log is the outbox: the publisher
// keeps no state of its own; it learns the stream's last seq and publishes
// from there, so a start, a crash between commit and publish, or an outage
// of NATS resumes from the stream's last seq + 1, skipping nothing and
// publishing nothing twice (issue 20, ../shared/NATS.md).
//
// It runs on a thread of its own, woken by the writer's commits
// (notify_committed: a notify, no I/O). What it finds wrong in the stream
// that no retry can mend (a message at a seq whose bytes differ from the
// log's, or a stream ahead of the local log: a second writer, or this
// node's log lost events) is a FORK: it stops publishing for good and says
// so (PublisherLog, status()). Everything else (NATS unreachable, timeouts,
// a refused fence) is retried with backoff, with the same seqs and so the
// same message ids (trap 3).
//
// It also keeps the age of the oldest committed event not yet in the
// stream, on the injected monotonic clock: admit_write() is the writer's
// gate (WriterOptions::admit) that refuses new writes past
// --max-unpublished, so that every acknowledged write reaches the stream
// within that bound.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/event_log.h"
#include "core/status.h"
#include "server/replication/event_stream.h"

namespace keyledger::replication {

struct PublisherOptions {
  // --max-unpublished: new writes are refused while the oldest committed
  // event not yet in the stream was committed longer ago than this.
  std::chrono::nanoseconds max_unpublished = std::chrono::seconds(1);
  // The most events read from the log and handed to the stream at once.
  std::size_t max_batch = 256;
  // The wait before retrying after NATS failed: from `first_retry`,
  // doubling up to `max_retry` while it keeps failing. Real time: it paces
  // retries and is never what a test asserts on.
  std::chrono::milliseconds first_retry{10};
  std::chrono::milliseconds max_retry{1000};
};

// What the publisher has to tell an operator, as it happens.
enum class PublisherEventKind {
  kUnreachable,    // a call to NATS failed, the first since one succeeded; `detail` says how
  kReachable,      // NATS answers again; publishing resumes at `seq`
  kStreamBehind,   // the stream lacks events it had acknowledged; republishing from `seq`
  kFork,           // publishing stopped for good at `seq`; `detail` says why
  kLogUnreadable,  // the local log could not be read at `seq` (retried); `detail` says why
};

struct PublisherEvent {
  PublisherEventKind kind = PublisherEventKind::kUnreachable;
  std::uint64_t seq = 0;
  std::string detail;
};

// Where the publisher reports (the daemon's JSON log). Called on the
// publisher's thread; must not call back into the publisher.
class PublisherLog {
 public:
  virtual ~PublisherLog() = default;
  virtual void report(const PublisherEvent& event) = 0;
};

// The publisher's figures at the time of the call, for /readyz and /metrics.
struct PublisherStatus {
  std::uint64_t published_seq = 0;  // the last seq known to be in the stream with the log's bytes
  std::uint64_t committed_seq = 0;  // the log's head
  // How long ago the oldest committed event not yet in the stream was
  // committed (as far as this process saw: events committed before it
  // started count from its start); nullopt while every event is published.
  std::optional<std::chrono::nanoseconds> oldest_unpublished_age;
  // Whether admit_write() refuses writes now (that age is past the bound).
  bool writes_refused = false;
  bool reachable = false;              // the latest call to NATS succeeded
  bool forked = false;                 // publishing stopped for good
  std::string fork;                    // why, once forked
  std::uint64_t events_published = 0;  // by this process
  std::uint64_t failures = 0;          // calls to NATS that failed, each retried
};

class EventPublisher {
 public:
  // Borrows `log`, `stream`, `clock` and `report`, which must outlive the
  // publisher. Starts nothing: start() does.
  EventPublisher(const EventLog& log, EventStream& stream, const MonotonicClock& clock,
                 PublisherLog& report, PublisherOptions options = {});
  // stop().
  ~EventPublisher();
  EventPublisher(const EventPublisher&) = delete;
  EventPublisher& operator=(const EventPublisher&) = delete;

  // Starts the publishing thread. Events already in the log count as
  // committed now for --max-unpublished. Once only.
  void start();
  // Stops the thread after the call to NATS it is in, if any; what is not
  // published yet is published by the next start (the log is the outbox).
  void stop();

  // The writer committed up to `head_seq`. Any thread; takes a mutex for a
  // few instructions and wakes the publishing thread, nothing more.
  void notify_committed(std::uint64_t head_seq);

  // The writer's gate: ok, or kUnavailable with Reason::kReplicationUnavailable
  // while the oldest unpublished event is older than max_unpublished.
  // Thread-safe, no I/O.
  Status admit_write() const;

  PublisherStatus status() const;

 private:
  // What one step of the publishing thread came to.
  enum class Step { kProgress, kIdle, kRetry, kStopped };

  void run();
  // Learns the stream's last seq and checks it against the log; sets next_.
  Step sync_with_stream();
  // Publishes the next events of the log, if any.
  Step publish_round();
  // Handles the ack of event `seq`: kProgress, or a fork.
  Step take_ack(std::uint64_t seq, const PublishAck& ack);
  // Handles a publish the stream did not take: a refused fence (the
  // stream's last seq is not the one expected) leads to a new sync, any
  // other failure to a retry.
  Step refused(const Status& why);
  // Whether the stream's messages in [from, to] are the log's (false after
  // a fork was declared or when a read failed; `step` says which).
  bool stream_matches_log(std::uint64_t from, std::uint64_t to, Step& step);
  // The log's events from `from` on, at most max_batch, up to the head.
  StatusOr<std::vector<std::string>> read_log(std::uint64_t from, std::uint64_t head) const;

  // The outcomes of calls to NATS, for the figures and the reports;
  // `resume_seq` is where publishing goes on.
  Step failed(const Status& why);
  void succeeded(std::uint64_t resume_seq);
  Step fork(std::uint64_t seq, std::string why);
  void mark_published(std::uint64_t seq);

  // Waits until a commit past next_ - 1, stop(), or `delay` (if given).
  void wait(std::optional<std::chrono::milliseconds> delay);
  bool stopping() const;
  // Earliest commit time among events after published_; mutex_ held.
  std::optional<MonotonicTime> oldest_unpublished_locked() const;

  const EventLog& log_;
  EventStream& stream_;
  const MonotonicClock& clock_;
  PublisherLog& report_;
  const PublisherOptions options_;

  // Publishing thread only.
  bool synced_ = false;     // next_ was learned from the stream
  std::uint64_t next_ = 0;  // the next seq to publish
  std::chrono::milliseconds retry_delay_{0};
  bool believed_reachable_ = false;  // reachable_ as last set, read without the mutex
  bool reported_unreachable_ = false;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t committed_seq_ = 0;  // the highest head notified or read
  std::uint64_t published_seq_ = 0;
  // Commits not yet published, oldest first: (the head after the commit,
  // when it was notified). Commits notified within a small fraction of
  // max_unpublished share an entry (the earliest time, the latest head),
  // so the queue stays short whatever the rate; an entry's age is then
  // overstated by at most that fraction, never understated.
  std::deque<std::pair<std::uint64_t, MonotonicTime>> unpublished_;
  // Events in the log when start() ran, and when that was: they count as
  // committed then.
  std::uint64_t started_head_ = 0;
  MonotonicTime started_at_{};
  bool reachable_ = false;
  bool forked_ = false;
  std::string fork_;
  std::uint64_t events_published_ = 0;
  std::uint64_t failures_ = 0;

  std::thread thread_;
};

}  // namespace keyledger::replication
