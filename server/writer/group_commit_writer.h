// The ledger's single writer. Commands submitted from any thread are queued;
// one thread takes everything queued, decides each command against the
// state including the commands before it, appends all accepted events in
// ONE atomic, synced write (group commit), then publishes the new state and
// answers every caller. Ordering is total, so the hash chain is too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/commands.h"
#include "core/event.h"
#include "core/event_log.h"
#include "core/hash.h"
#include "core/state_machine.h"
#include "core/status.h"

namespace keyledger::writer {

struct CommittedEvent {
  std::uint64_t seq = 0;
  TimeNs time_ns = 0;
  EventPayload payload;
};

struct CommitInfo {
  std::size_t events = 0;               // events in the commit
  std::chrono::nanoseconds duration{};  // time spent in the durable append
  bool ok = false;
};

struct WriterOptions {
  // Most commands in one commit; bounds the latency of the last in a batch.
  std::size_t max_batch = 1024;
  // Called on the writer thread after every append (for metrics). Must be
  // quick and must not submit commands.
  std::function<void(const CommitInfo&)> on_commit;
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

class GroupCommitWriter {
 public:
  // `log`, `state` and `clock` must outlive the writer.
  GroupCommitWriter(EventLog& log, CommandStateMachine& state, const Clock& clock,
                    WriterOptions options = {});
  // Finishes every queued command, then stops.
  ~GroupCommitWriter();

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Thread-safe. The future yields the committed event, the decision's
  // error, or kUnavailable if the append failed (then nothing of the batch
  // was written or published).
  std::future<StatusOr<CommittedEvent>> submit(Command command, EventOrigin origin);

  using Callback = std::function<void(StatusOr<CommittedEvent>)>;
  // Thread-safe. `done` runs on the writer thread once the command is
  // decided and (if accepted) durable; it must be quick (post real work
  // elsewhere) and must not wait for another command. Like every call, it
  // must not race the writer's destruction: submit() still touches the
  // writer after queueing, when `done` may already have run.
  void submit(Command command, EventOrigin origin, Callback done);

  // Thread-safe. Commits `commands` (at least one) together or not at all:
  // each is decided against the state including those before it, and all
  // their events go into one append of their own (a commit in the stats).
  // If one is rejected, or the append fails, none is written or published
  // (each counts as rejected) and `done` gets that error; otherwise it gets
  // the last command's event. Like submit(), otherwise.
  void submit_all(std::vector<Command> commands, EventOrigin origin, Callback done);

  // submit() and wait.
  StatusOr<CommittedEvent> execute(Command command, EventOrigin origin);

  WriterStats stats() const;

 private:
  struct Pending {
    Command command;
    std::vector<Command> more;  // the rest of a submit_all group, in order
    EventOrigin origin;
    Callback done;
    bool is_group() const { return !more.empty(); }
  };

  void enqueue(Pending pending);
  void run();
  // Commits a batch in runs of single commands, each group on its own, so
  // that a rejected group can discard what it staged without touching the
  // decisions of other commands.
  void commit(std::deque<Pending>& batch);
  // Decides, appends and answers batch[begin, end): one append for the run.
  void commit_run(std::deque<Pending>& batch, std::size_t begin, std::size_t end);

  // What deciding a run produced: the events to append, the head after
  // them, each command's answer, and how many commands were refused.
  struct DecidedRun {
    LogHead head;
    std::vector<EncodedEvent> encoded;
    std::vector<std::optional<StatusOr<CommittedEvent>>> results;
    std::uint64_t rejected = 0;
  };
  // Decides and stages each command of batch[begin, end) at time `now`; a
  // refused group leaves nothing of itself staged.
  DecidedRun decide_run(std::deque<Pending>& batch, std::size_t begin, std::size_t end, TimeNs now);
  // Decides and stages `pending`'s commands in order, adding their events
  // to `run`: the last one's event, or the first refusal.
  StatusOr<CommittedEvent> decide_pending(const Pending& pending, TimeNs now, DecidedRun& run);
  // Appends the events of `run` (at least one), then publishes what was
  // staged or, if the append failed, discards it.
  Status append_run(const DecidedRun& run, TimeNs now);
  // Adds `run` and its append's outcome to the stats.
  void count_run(const DecidedRun& run, const Status& appended);

  EventLog& log_;
  CommandStateMachine& state_;
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
