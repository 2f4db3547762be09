#include "server/writer/group_commit_writer.h"

#include <vector>

#include "core/decide.h"
#include "core/event_codec.h"
#include "core/event_reader.h"
#include "projections/live_projection.h"

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

GroupCommitWriter::GroupCommitWriter(EventLog& log, projections::LiveProjection& projection,
                                     const Clock& clock, WriterOptions options)
    : log_(log), projection_(projection), clock_(clock), options_(options) {
  // Continue from the last stored event's time, so event times never go
  // backwards across a restart even if the wall clock did.
  last_time_ns_ = head_event_time(log_);
  thread_ = std::thread([this] {
    while (commit_run()) {
    }
  });
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
  queue(Pending{std::move(command), {}, std::move(origin), std::move(done)});
}

void GroupCommitWriter::submit_all(std::vector<Command> commands, EventOrigin origin,
                                   Callback done) {
  if (commands.empty()) {
    done(invalid_argument(Reason::kNoCommands, "submit_all needs at least one command"));
    return;
  }
  Command first = std::move(commands.front());
  commands.erase(commands.begin());
  queue(Pending{std::move(first), std::move(commands), std::move(origin), std::move(done)});
}

void GroupCommitWriter::queue(Pending pending) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    pending.done(unavailable(Reason::kShuttingDown, "the ledger is shutting down"));
    return;
  }
  queue_.push_back(std::move(pending));
  lock.unlock();
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

bool GroupCommitWriter::commit_run() {
  // A run is a group alone, so that a refused group can discard what it
  // staged without touching other decisions, or up to max_batch single
  // commands, whose events share one append.
  std::vector<Pending> run;
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return false;  // stopping, and everything is answered
    do {
      run.push_back(std::move(queue_.front()));
      queue_.pop_front();
    } while (!run.front().is_group() && run.size() < options_.max_batch && !queue_.empty() &&
             !queue_.front().is_group());
  }
  if (refused_by_gate(run)) return true;
  // Event times never go backwards, even if the wall clock does, so that
  // "as of time T" queries agree with seq order.
  const TimeNs now = std::max(clock_.now_ns(), last_time_ns_);
  const LogHead start = log_.head();
  DecidedRun decided;
  decided.head = start;
  // Reserved so that a result already looked at is never moved (a moved
  // Status is unchecked again: the debug build aborts on destroying it).
  decided.results.reserve(run.size());
  for (const Pending& pending : run) {
    decided.results.push_back(decide_pending(pending, now, decided));
    if (decided.results.back().is_ok()) continue;
    decided.rejected += 1 + pending.more.size();  // a group is refused whole
    if (pending.is_group()) {                     // alone in its run: what is staged is its own
      projection_.discard();
      decided.encoded.clear();
      decided.head = start;
    }
  }
  Status appended = Status::ok();
  if (!decided.encoded.empty()) {
    const auto started = std::chrono::steady_clock::now();
    appended = log_.append(decided.encoded, projection_.staged_changes(), decided.head);
    if (options_.on_commit)
      options_.on_commit(CommitInfo{decided.encoded.size(),
                                    std::chrono::steady_clock::now() - started, appended.is_ok(),
                                    log_.head().seq});
    if (appended.is_ok()) {
      projection_.publish();
      if (options_.on_published) options_.on_published(decided.head.seq);
      last_time_ns_ = now;
    } else {
      projection_.discard();
    }
  }
  count_run(decided, appended);
  // A failed append fails the whole run: decisions were made against state
  // that was never published.
  for (std::size_t i = 0; i < run.size(); ++i) {
    if (appended.is_ok()) {
      run[i].done(std::move(decided.results[i]));
    } else {
      (void)decided.results[i].is_ok();  // its decision is answered with the append's error
      run[i].done(StatusOr<CommittedEvent>(appended));
    }
  }
  return true;
}

bool GroupCommitWriter::refused_by_gate(std::vector<Pending>& run) {
  if (!options_.admit) return false;
  const Status admitted = options_.admit();
  if (admitted.is_ok()) return false;
  for (Pending& pending : run) pending.done(StatusOr<CommittedEvent>(admitted));
  return true;
}

StatusOr<CommittedEvent> GroupCommitWriter::decide_pending(const Pending& pending, TimeNs now,
                                                           DecidedRun& run) {
  std::optional<CommittedEvent> last;
  for (std::size_t c = 0; c <= pending.more.size(); ++c) {
    auto payload = decide(projection_.staging(), c == 0 ? pending.command : pending.more[c - 1]);
    if (!payload.is_ok()) return payload.status();
    Event event{run.head.seq + 1, now, pending.origin, run.head.hash, std::move(payload).value()};
    std::string bytes = encode_event(event);
    run.head = LogHead{event.seq, chain_hash(run.head.hash, bytes)};
    projections::apply_event(projection_.staging(), event);
    last = CommittedEvent{event.seq, event.time_ns, std::move(event.payload)};
    run.encoded.push_back(EncodedEvent{run.head.seq, std::move(bytes)});
  }
  return std::move(*last);
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
