#include "server/replication/event_publisher.h"

#include <algorithm>
#include <utility>

namespace keyledger::replication {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string seq_text(std::uint64_t seq) { return std::to_string(seq); }

}  // namespace

EventPublisher::EventPublisher(const EventLog& log, EventStream& stream,
                               const MonotonicClock& clock, PublisherLog& report,
                               PublisherOptions options)
    : log_(log), stream_(stream), clock_(clock), report_(report), options_(options) {}

EventPublisher::~EventPublisher() { stop(); }

void EventPublisher::start() {
  {
    std::lock_guard lock(mutex_);
    started_head_ = log_.head().seq;
    started_at_ = clock_.now();
    committed_seq_ = std::max(committed_seq_, started_head_);
  }
  thread_ = std::thread([this] { run(); });
}

void EventPublisher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventPublisher::notify_committed(std::uint64_t head_seq) {
  {
    std::lock_guard lock(mutex_);
    if (head_seq <= committed_seq_) return;
    committed_seq_ = head_seq;
    const MonotonicTime now = clock_.now();
    // Commits close together share an entry (the header says why).
    const auto granularity = options_.max_unpublished / 64;
    if (!unpublished_.empty() && now - unpublished_.back().second < granularity)
      unpublished_.back().first = head_seq;
    else
      unpublished_.emplace_back(head_seq, now);
  }
  wake_.notify_one();
}

Status EventPublisher::admit_write() const {
  std::lock_guard lock(mutex_);
  // After a fork nothing is published again: a write taken now could never
  // reach a follower, so none is taken, even within the bound.
  if (forked_)
    return unavailable(Reason::kReplicationUnavailable,
                       "publishing to the stream stopped (" + fork_ +
                           "): new writes are refused, since they could never reach the "
                           "followers");
  const std::optional<MonotonicTime> oldest = oldest_unpublished_locked();
  if (!oldest) return Status::ok();
  const auto age = clock_.now() - *oldest;
  if (age <= options_.max_unpublished) return Status::ok();
  const std::string first = seq_text(published_seq_ + 1);
  return unavailable(Reason::kReplicationUnavailable,
                     "event " + first + " was committed " +
                         std::to_string(duration_cast<milliseconds>(age).count()) +
                         " ms ago and is not in the stream yet (longer than --max-unpublished): "
                         "new writes are refused until it is");
}

PublisherStatus EventPublisher::status() const {
  std::lock_guard lock(mutex_);
  PublisherStatus status;
  status.published_seq = published_seq_;
  status.committed_seq = std::max(committed_seq_, log_.head().seq);
  if (const auto oldest = oldest_unpublished_locked()) {
    status.oldest_unpublished_age = clock_.now() - *oldest;
    status.writes_refused = *status.oldest_unpublished_age > options_.max_unpublished;
  }
  status.reachable = reachable_;
  status.forked = forked_;
  status.fork = fork_;
  status.events_published = events_published_;
  status.failures = failures_;
  return status;
}

std::optional<MonotonicTime> EventPublisher::oldest_unpublished_locked() const {
  if (published_seq_ < started_head_) return started_at_;
  for (const auto& [head, committed_at] : unpublished_)
    if (head > published_seq_) return committed_at;
  return std::nullopt;
}

void EventPublisher::run() {
  while (!stopping()) {
    bool forked = false;
    {
      std::lock_guard lock(mutex_);
      forked = forked_;
    }
    const Step step = forked ? Step::kStopped : synced_ ? publish_round() : sync_with_stream();
    switch (step) {
      case Step::kProgress:
        retry_delay_ = milliseconds(0);
        break;
      case Step::kIdle:
        retry_delay_ = milliseconds(0);
        wait(std::nullopt);
        break;
      case Step::kRetry:
        retry_delay_ = retry_delay_.count() == 0 ? options_.first_retry
                                                 : std::min(2 * retry_delay_, options_.max_retry);
        wait(retry_delay_);
        break;
      case Step::kStopped:
        wait(std::nullopt);
        break;
    }
  }
}

// The stream's last seq is where publishing resumes. A stream that holds
// more than the log is a fork. Otherwise the stream's messages beyond what
// this publisher knows it published (at a start: the last one alone) must
// be the log's own: each event's bytes hold the hash of the one before, so
// the same bytes at a seq mean the same history up to it.
EventPublisher::Step EventPublisher::sync_with_stream() {
  auto last = stream_.last_seq();
  if (!last.is_ok()) return failed(last.status());
  succeeded(*last + 1);
  const std::uint64_t head = log_.head().seq;
  if (*last > head)
    return fork(head + 1, "the stream holds " + seq_text(*last) + " events but the log only " +
                              seq_text(head) +
                              ": another writer publishes on it, or this node's log lost events");
  std::uint64_t published = 0;
  {
    std::lock_guard lock(mutex_);
    published = published_seq_;
  }
  const bool resumed = next_ != 0;  // synced before: `published` is known to be in the stream
  const std::uint64_t check_from = resumed && *last > published ? published + 1 : *last;
  Step step = Step::kProgress;
  if (*last > 0 && !stream_matches_log(std::max<std::uint64_t>(check_from, 1), *last, step))
    return step;
  if (resumed && *last < published)
    report_.report({PublisherEventKind::kStreamBehind, *last + 1,
                    "the stream's last seq is " + seq_text(*last) + " but it acknowledged up to " +
                        seq_text(published) + "; publishing those events again"});
  {
    std::lock_guard lock(mutex_);
    if (*last < published_seq_) {
      // Those events are unpublished again; they count from now.
      const MonotonicTime now = clock_.now();
      const MonotonicTime since =
          unpublished_.empty() ? now : std::min(now, unpublished_.front().second);
      unpublished_.emplace_front(published_seq_, since);
    }
    published_seq_ = *last;
  }
  next_ = *last + 1;
  synced_ = true;
  return Step::kProgress;
}

EventPublisher::Step EventPublisher::publish_round() {
  const std::uint64_t head = log_.head().seq;
  notify_committed(head);  // a commit not notified yet counts from now
  if (next_ > head) return Step::kIdle;
  auto events = read_log(next_, std::min(head, next_ + options_.max_batch - 1));
  if (!events.is_ok()) {
    report_.report({PublisherEventKind::kLogUnreadable, next_, events.status().to_string()});
    return Step::kRetry;
  }
  const std::vector<std::string_view> views(events->begin(), events->end());
  auto acks = stream_.publish_batch(next_, views);
  if (!acks.is_ok()) return refused(acks.status());
  succeeded(next_);
  const std::uint64_t first = next_;
  // Fewer acks than events: the rest failed, and go again in the next round.
  for (std::size_t i = 0; i < acks->size() && i < events->size(); ++i) {
    const Step step = take_ack(first + i, (*acks)[i]);
    if (step != Step::kProgress) return step;
  }
  return Step::kProgress;
}

EventPublisher::Step EventPublisher::refused(const Status& why) {
  if (why.code() != StatusCode::kFailedPrecondition) return failed(why);
  // The stream's last seq is not next_ - 1: NATS answered, so learn the
  // last seq again and check what the stream holds beyond what we know
  // against the log. Paced like a failure, in case it repeats.
  succeeded(next_);
  synced_ = false;
  return Step::kRetry;
}

EventPublisher::Step EventPublisher::take_ack(std::uint64_t seq, const PublishAck& ack) {
  if (ack.seq != seq)
    return fork(seq, "the stream stored event " + seq_text(seq) + " as its message " +
                         seq_text(ack.seq) + (ack.duplicate ? " (a duplicate id)" : ""));
  if (ack.duplicate) {
    // JetStream checks the duplicate window before the expected last seq:
    // a duplicate is ours only when the stored bytes are.
    Step step = Step::kProgress;
    if (!stream_matches_log(seq, seq, step)) return step;
  }
  mark_published(seq);
  next_ = seq + 1;
  return Step::kProgress;
}

bool EventPublisher::stream_matches_log(std::uint64_t from, std::uint64_t to, Step& step) {
  for (std::uint64_t seq = from; seq <= to;) {
    auto ours = read_log(seq, to);
    if (!ours.is_ok()) {
      report_.report({PublisherEventKind::kLogUnreadable, seq, ours.status().to_string()});
      step = Step::kRetry;
      return false;
    }
    for (const std::string& bytes : *ours) {
      auto theirs = stream_.get(seq);
      if (!theirs.is_ok() && theirs.status().code() == StatusCode::kNotFound) {
        step = fork(seq, "the stream has no message " + seq_text(seq) + " below its last one");
        return false;
      }
      if (!theirs.is_ok()) {
        step = failed(theirs.status());
        return false;
      }
      if (theirs->bytes != bytes) {
        step = fork(seq, "the stream's message " + seq_text(seq) +
                             " differs from the log's event " + seq_text(seq));
        return false;
      }
      ++seq;
    }
  }
  return true;
}

StatusOr<std::vector<std::string>> EventPublisher::read_log(std::uint64_t from,
                                                            std::uint64_t to) const {
  std::vector<std::string> events;
  bool gap = false;
  const Status read = log_.read_events(from, [&](std::uint64_t seq, std::string_view bytes) {
    if (seq != from + events.size()) {
      gap = true;
      return false;
    }
    events.emplace_back(bytes);
    return seq < to && events.size() < options_.max_batch;
  });
  if (!read.is_ok()) return read;
  const std::size_t expected = std::min<std::uint64_t>(to - from + 1, options_.max_batch);
  if (gap || events.size() < expected)
    return corruption(Reason::kEventMissing,
                      "the log lacks event " + seq_text(from + events.size()) + " below its head");
  return events;
}

EventPublisher::Step EventPublisher::failed(const Status& why) {
  const bool report = believed_reachable_ || !reported_unreachable_;
  believed_reachable_ = false;
  reported_unreachable_ = true;
  {
    std::lock_guard lock(mutex_);
    ++failures_;
    reachable_ = false;
  }
  if (report) report_.report({PublisherEventKind::kUnreachable, next_, why.to_string()});
  return Step::kRetry;
}

void EventPublisher::succeeded(std::uint64_t resume_seq) {
  if (believed_reachable_) return;  // the common case: no lock
  believed_reachable_ = true;
  {
    std::lock_guard lock(mutex_);
    reachable_ = true;
  }
  if (reported_unreachable_) report_.report({PublisherEventKind::kReachable, resume_seq, ""});
}

EventPublisher::Step EventPublisher::fork(std::uint64_t seq, std::string why) {
  {
    std::lock_guard lock(mutex_);
    forked_ = true;
    fork_ = why;
  }
  report_.report({PublisherEventKind::kFork, seq, std::move(why)});
  return Step::kStopped;
}

void EventPublisher::mark_published(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  published_seq_ = seq;
  ++events_published_;
  while (!unpublished_.empty() && unpublished_.front().first <= seq) unpublished_.pop_front();
}

void EventPublisher::wait(std::optional<milliseconds> delay) {
  std::unique_lock lock(mutex_);
  if (delay) {
    wake_.wait_for(lock, *delay, [this] { return stopping_; });
    return;
  }
  wake_.wait(lock, [this] { return stopping_ || (!forked_ && committed_seq_ >= next_); });
}

bool EventPublisher::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace keyledger::replication
