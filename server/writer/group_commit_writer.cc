#include "server/writer/group_commit_writer.h"

#include <vector>

#include "core/event_codec.h"
#include "core/event_reader.h"

namespace keyledger::writer {

namespace {

// The time of the head event, or 0 for an empty log or one whose head
// event cannot be read (opening the log refuses such a log already, so
// nothing is lost by starting from the clock then).
TimeNs head_event_time(const EventLog& log) {
  const LogHead head = log.head();
  if (head.seq == 0) return 0;
  TimeNs time_ns = 0;
  FirstDamage damage;
  EventReader(log, damage)
      .read(head.seq,
            [&](const Event& last, std::string_view) {
              time_ns = last.time_ns;
              return false;
            })
      .ignore();
  return time_ns;
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(EventLog& log, CommandStateMachine& state, const Clock& clock,
                                     WriterOptions options)
    : log_(log), state_(state), clock_(clock), options_(options) {
  // Continue from the last stored event's time, so event times never go
  // backwards across a restart even if the wall clock did.
  last_time_ns_ = head_event_time(log_);
  thread_ = std::thread([this] { run(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::future<StatusOr<CommittedEvent>> GroupCommitWriter::submit(Command command,
                                                                EventOrigin origin) {
  auto promise = std::make_shared<std::promise<StatusOr<CommittedEvent>>>();
  auto future = promise->get_future();
  submit(std::move(command), std::move(origin),
         [promise](StatusOr<CommittedEvent> result) { promise->set_value(std::move(result)); });
  return future;
}

void GroupCommitWriter::submit(Command command, EventOrigin origin, Callback done) {
  enqueue(Pending{std::move(command), {}, std::move(origin), std::move(done)});
}

void GroupCommitWriter::submit_all(std::vector<Command> commands, EventOrigin origin,
                                   Callback done) {
  if (commands.empty()) {
    done(invalid_argument(Reason::kNoCommands, "submit_all needs at least one command"));
    return;
  }
  Command first = std::move(commands.front());
  commands.erase(commands.begin());
  enqueue(Pending{std::move(first), std::move(commands), std::move(origin), std::move(done)});
}

void GroupCommitWriter::enqueue(Pending pending) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
      queued = true;
    }
  }
  if (!queued) {
    pending.done(unavailable(Reason::kShuttingDown, "the ledger is shutting down"));
    return;
  }
  // Notified after unlocking: a writer woken while the mutex is still held
  // blocks on it at once and needs a second wake-up (two more context
  // switches per durable command, seen in strace with a single client).
  wake_.notify_one();
}

StatusOr<CommittedEvent> GroupCommitWriter::execute(Command command, EventOrigin origin) {
  return submit(std::move(command), std::move(origin)).get();
}

WriterStats GroupCommitWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitWriter::run() {
  std::deque<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is answered
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit(batch);
    batch.clear();
  }
}

void GroupCommitWriter::commit(std::deque<Pending>& batch) {
  for (std::size_t begin = 0; begin < batch.size();) {
    std::size_t end = begin + 1;
    if (!batch[begin].is_group())
      while (end < batch.size() && !batch[end].is_group()) ++end;
    commit_run(batch, begin, end);
    begin = end;
  }
}

void GroupCommitWriter::commit_run(std::deque<Pending>& batch, std::size_t begin, std::size_t end) {
  // Event times never go backwards, even if the wall clock does, so that
  // "as of time T" queries agree with seq order.
  const TimeNs now = std::max(clock_.now_ns(), last_time_ns_);
  DecidedRun run = decide_run(batch, begin, end, now);
  const Status appended = run.encoded.empty() ? Status::ok() : append_run(run, now);
  count_run(run, appended);
  for (std::size_t i = begin; i < end; ++i) {
    // A failed append fails the whole run: decisions were made against
    // state that was never published.
    if (!appended.is_ok())
      batch[i].done(appended);
    else
      batch[i].done(std::move(*run.results[i - begin]));
  }
}

GroupCommitWriter::DecidedRun GroupCommitWriter::decide_run(std::deque<Pending>& batch,
                                                            std::size_t begin, std::size_t end,
                                                            TimeNs now) {
  const LogHead start = log_.head();
  DecidedRun run;
  run.head = start;
  run.results.resize(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const Pending& pending = batch[i];
    std::optional<StatusOr<CommittedEvent>>& result = run.results[i - begin];
    result = decide_pending(pending, now, run);
    if (result->is_ok()) continue;
    run.rejected += 1 + pending.more.size();  // a group is refused whole
    if (pending.is_group()) {
      // A group runs alone, so what is staged is its own: none of it stays.
      state_.discard();
      run.encoded.clear();
      run.head = start;
    }
  }
  return run;
}

StatusOr<CommittedEvent> GroupCommitWriter::decide_pending(const Pending& pending, TimeNs now,
                                                           DecidedRun& run) {
  std::optional<CommittedEvent> last;
  for (std::size_t c = 0; c <= pending.more.size(); ++c) {
    auto payload = state_.decide(c == 0 ? pending.command : pending.more[c - 1]);
    if (!payload.is_ok()) return payload.status();
    Event event{run.head.seq + 1, now, pending.origin, run.head.hash, std::move(payload).value()};
    std::string bytes = encode_event(event);
    run.head = LogHead{event.seq, chain_hash(run.head.hash, bytes)};
    state_.stage(event);
    last = CommittedEvent{event.seq, event.time_ns, std::move(event.payload)};
    run.encoded.push_back(EncodedEvent{run.head.seq, std::move(bytes)});
  }
  return std::move(*last);
}

Status GroupCommitWriter::append_run(const DecidedRun& run, TimeNs now) {
  const auto started = std::chrono::steady_clock::now();
  Status appended = log_.append(run.encoded, state_.staged_changes(), run.head);
  if (options_.on_commit)
    options_.on_commit(CommitInfo{run.encoded.size(), std::chrono::steady_clock::now() - started,
                                  appended.is_ok()});
  if (appended.is_ok()) {
    state_.publish();
    last_time_ns_ = now;
  } else {
    state_.discard();
  }
  return appended;
}

void GroupCommitWriter::count_run(const DecidedRun& run, const Status& appended) {
  std::lock_guard lock(mutex_);
  stats_.commands_rejected += run.rejected;
  if (run.encoded.empty()) return;
  ++stats_.commits;
  stats_.failing = !appended.is_ok();
  if (appended.is_ok())
    stats_.events_appended += run.encoded.size();
  else
    ++stats_.commit_failures;
}

}  // namespace keyledger::writer
