#include "server/replication/follow_loop.h"

#include <algorithm>

namespace keyledger::replication {

namespace {

// Asks not yet confirmed that are kept; under a steady stream of writes the
// applied head trails each ask by a little, and the newest ask it reached
// is the one confirmed.
constexpr std::size_t kMaxPendingAsks = 64;

}  // namespace

FollowLoop::FollowLoop(FollowerApplier& applier, EventStream& stream, const MonotonicClock& clock,
                       FollowObserver& observer, FollowOptions options)
    : applier_(applier), stream_(stream), clock_(clock), observer_(observer), options_(options) {
  status_.applied_seq = applier_.head().seq;
  status_.refusal = applier_.refusal();
}

FollowLoop::~FollowLoop() { stop(); }

void FollowLoop::start() {
  thread_ = std::thread([this] {
    for (;;) {
      const std::chrono::milliseconds pause = step();
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, pause, [this] { return stopping_; })) return;
    }
  });
}

void FollowLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::chrono::milliseconds FollowLoop::step() {
  if (applier_.refusal()) {
    // Applies nothing more; keeps the stream's last seq current for /readyz.
    if (!next_ask_ || clock_.now() >= *next_ask_) ask_last_seq().ignore();
    return options_.confirm_interval;
  }
  if (!reader_) {
    auto reader = stream_.read_from(applier_.head().seq + 1);
    if (!reader.is_ok()) return fail(reader.status());
    reader_ = std::move(*reader);
  }
  if (!next_ask_ || clock_.now() >= *next_ask_) {
    if (Status asked = ask_last_seq(); !asked.is_ok()) return fail(asked);
  }
  auto batch = reader_->next(options_.batch, options_.wait);
  if (!batch.is_ok()) return fail(batch.status());
  return after_apply(applier_.apply(*batch));
}

std::chrono::milliseconds FollowLoop::after_apply(const StatusOr<ApplyOutcome>& outcome) {
  const std::uint64_t head = applier_.head().seq;
  std::uint64_t before = 0;
  {
    std::lock_guard lock(mutex_);
    before = status_.applied_seq;
    status_.applied_seq = head;
    status_.storage_failing = applier_.storage_failing();
    if (outcome.is_ok()) {
      status_.applied_events += outcome->applied;
      status_.redeliveries += outcome->redelivered;
      status_.gap_events_filled += outcome->filled;
    }
  }
  if (head != before) observer_.applied(head);
  if (const auto& refusal = applier_.refusal()) {
    {
      std::lock_guard lock(mutex_);
      status_.refusal = refusal;
    }
    pending_asks_.clear();
    observer_.refused(*refusal);
    return options_.confirm_interval;
  }
  if (!outcome.is_ok()) return fail(outcome.status());
  succeeded();
  confirm_if_caught_up();
  return std::chrono::milliseconds(0);
}

Status FollowLoop::ask_last_seq() {
  const MonotonicTime asked_at = clock_.now();
  next_ask_ = asked_at + options_.confirm_interval;
  auto last = stream_.last_seq();
  if (!last.is_ok()) return last.status();
  {
    std::lock_guard lock(mutex_);
    status_.stream_last_seq = *last;
    status_.stream_last_known = true;
  }
  observer_.stream_last(*last);
  if (applier_.refusal()) return Status::ok();
  const std::uint64_t head = applier_.head().seq;
  if (*last < head) {
    // The stream holds fewer events than this follower applied: it lost
    // some, or is not this ledger's stream. Nothing it says confirms.
    if (!stream_behind_)
      observer_.unavailable(failed_precondition(
          Reason::kStreamFork, "the stream's last seq " + std::to_string(*last) +
                                   " is below this follower's applied seq " + std::to_string(head) +
                                   "; not confirming until it is not"));
    stream_behind_ = true;
    return Status::ok();
  }
  stream_behind_ = false;
  if (pending_asks_.size() == kMaxPendingAsks) pending_asks_.pop_back();
  pending_asks_.push_back(PendingAsk{asked_at, *last});
  confirm_if_caught_up();
  return Status::ok();
}

void FollowLoop::confirm_if_caught_up() {
  const std::uint64_t head = applier_.head().seq;
  std::optional<MonotonicTime> confirmed;
  while (!pending_asks_.empty() && pending_asks_.front().last_seq <= head) {
    confirmed = pending_asks_.front().asked_at;
    pending_asks_.pop_front();
  }
  if (!confirmed) return;
  {
    std::lock_guard lock(mutex_);
    status_.confirmed_at = confirmed;
  }
  observer_.confirmed(*confirmed);
}

void FollowLoop::succeeded() {
  backoff_ = std::chrono::milliseconds(0);
  bool was_connected = true;
  {
    std::lock_guard lock(mutex_);
    was_connected = status_.connected;
    status_.connected = true;
  }
  if (!was_connected) observer_.connected();
}

std::chrono::milliseconds FollowLoop::fail(const Status& why) {
  reader_.reset();  // read again from the applied head + 1
  bool outage_starts = false;
  {
    std::lock_guard lock(mutex_);
    // The first failure after a success, or the very first call.
    outage_starts = status_.connected || status_.failures == 0;
    status_.connected = false;
    ++status_.failures;
  }
  if (outage_starts) observer_.unavailable(why);
  backoff_ =
      backoff_.count() == 0 ? options_.min_backoff : std::min(backoff_ * 2, options_.max_backoff);
  return backoff_;
}

FollowStatus FollowLoop::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace keyledger::replication
