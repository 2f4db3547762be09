// The ledger's single writer. Commands submitted from any thread are queued;
// one thread takes what is queued, decides each command against the state
// including the commands before it, appends all accepted events in ONE
// atomic, synced write (group commit), then publishes the new state and
// answers every caller. Ordering is total, so the hash chain is too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/command_sink.h"
#include "core/commands.h"
#include "core/event.h"
#include "core/event_log.h"
#include "core/hash.h"
#include "core/status.h"

namespace keyledger::projections {
class LiveProjection;
}

namespace keyledger::writer {

struct CommitInfo {
  std::size_t events = 0;               // events in the commit
  std::chrono::nanoseconds duration{};  // time spent in the durable append
  bool ok = false;
  std::uint64_t head_seq = 0;  // the log's head after the append (unchanged when it failed)
};

// Whether the writer may take a run of commands now: ok, or the Status
// every command of the run is refused with.
using WriteGate = std::function<Status()>;

struct WriterOptions {
  // Most commands in one commit; bounds the latency of the last in a batch.
  std::size_t max_batch = 1024;
  // Called on the writer thread after every append (for metrics, and to
  // wake the replication publisher). Must be quick (no I/O) and must not
  // submit commands.
  std::function<void(const CommitInfo&)> on_commit;
  // Called on the writer thread once a commit's events are visible to
  // readers (published), with the seq of its last event, before any of its
  // commands is answered: so a client that reads a write's seq finds it
  // applied (read-your-writes). Must be quick and must not submit commands.
  std::function<void(std::uint64_t head_seq)> on_published;
  // Consulted on the writer thread once per run, before any command of it
  // is decided: a refusal answers every command of the run with its
  // Status, and nothing is decided, staged or written (the leader's
  // --max-unpublished, issue 20). Must be quick (no I/O). Empty: every run
  // is taken.
  WriteGate admit;
};

struct WriterStats {
  std::uint64_t commits = 0;            // appends attempted
  std::uint64_t events_appended = 0;    // events made durable
  std::uint64_t commands_rejected = 0;  // decided into an error
  std::uint64_t commit_failures = 0;    // appends that failed
  // Whether the latest append failed: storage is refusing writes until an
  // append succeeds again (or, after a fatal error such as a failed sync,
  // until a restart recovers from the log). Each failure is logged.
  bool failing = false;
};

class GroupCommitWriter final : public CommandSink {
 public:
  using Callback = CommitCallback;

  // `log`, `projection` and `clock` must outlive the writer. The writer
  // thread alone stages, publishes and discards `projection`'s changes.
  GroupCommitWriter(EventLog& log, projections::LiveProjection& projection, const Clock& clock,
                    WriterOptions options = {});
  // Finishes every queued command, then stops.
  ~GroupCommitWriter() override;

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Thread-safe. The future yields the committed event, the decision's
  // error, or kUnavailable if the append failed (then nothing of the batch
  // was written or published).
  std::future<StatusOr<CommittedEvent>> submit(Command command, EventOrigin origin);

  // Thread-safe. `done` runs on the writer thread once the command is
  // decided and (if accepted) durable; it must be quick (post real work
  // elsewhere) and must not wait for another command. Like every call, it
  // must not race the writer's destruction: submit() still touches the
  // writer after queueing, when `done` may already have run.
  void submit(Command command, EventOrigin origin, Callback done) override;

  // Thread-safe. Commits `commands` (at least one) together or not at all:
  // each is decided against the state including those before it, and all
  // their events go into one append of their own (a commit in the stats).
  // If one is rejected, or the append fails, none is written or published
  // (each counts as rejected) and `done` gets that error; otherwise it gets
  // the last command's event. Like submit(), otherwise.
  void submit_all(std::vector<Command> commands, EventOrigin origin, Callback done) override;

  // submit() and wait.
  StatusOr<CommittedEvent> execute(Command command, EventOrigin origin);

  WriterStats stats() const;

 private:
  // A submitted command, or a submit_all group: its first command and the
  // rest, in order.
  struct Pending {
    Command command;
    std::vector<Command> more;
    EventOrigin origin;
    Callback done;
    bool is_group() const { return !more.empty(); }
  };
  // What deciding a run produced so far: the events to append, the head
  // after them, each command's answer, and how many commands were refused.
  struct DecidedRun {
    LogHead head;
    std::vector<EncodedEvent> encoded;
    std::vector<StatusOr<CommittedEvent>> results;
    std::uint64_t rejected = 0;
  };

  // Queues `pending` and wakes the writer thread, or answers at once that
  // the writer is stopping.
  void queue(Pending pending);
  // The writer thread's work, once per run: takes the next run of queued
  // commands (waiting for one), decides each, appends their events in one
  // synced write, publishes, answers. False once stopping with nothing
  // queued.
  bool commit_run();
  // Whether the gate (WriterOptions::admit) refuses `run`; if so, every
  // command of it has been answered with the gate's Status.
  bool refused_by_gate(std::vector<Pending>& run);
  // Decides `pending`'s commands in order at time `now`, each against the
  // state staged so far, and stages each event (the fold), adding it to
  // `run`: the last one's event, or the first refusal.
  StatusOr<CommittedEvent> decide_pending(const Pending& pending, TimeNs now, DecidedRun& run);
  // Adds `run` and its append's outcome to the stats.
  void count_run(const DecidedRun& run, const Status& appended);

  EventLog& log_;
  projections::LiveProjection& projection_;
  const Clock& clock_;
  WriterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  WriterStats stats_;
  TimeNs last_time_ns_ = 0;  // writer thread only
  std::thread thread_;
};

}  // namespace keyledger::writer
