#include "server/verify/applied_seq.h"

#include <boost/asio/post.hpp>
#include <string>
#include <vector>

namespace keyledger::server {

// One waiting request, on its connection's I/O thread. Held by the waiters'
// list while listed and by the posted answer after; its Deadline's
// callback borrows it (the list holds it while the Deadline is armed).
class AppliedSeq::Waiter : public std::enable_shared_from_this<Waiter> {
 public:
  Waiter(AppliedSeq& owner, ConnectionTimers& timers, boost::asio::any_io_executor executor,
         std::function<void(bool)> done)
      : owner_(owner),
        executor_(std::move(executor)),
        done_(std::move(done)),
        deadline_(timers, [this] { expired(); }) {}

  void arm(std::uint64_t ticket) {
    ticket_ = ticket;
    deadline_.arm(owner_.max_wait_);
  }

  // From any thread: answers on the I/O thread.
  void post_finish(bool reached) {
    boost::asio::post(executor_, [self = shared_from_this(), reached] { self->finish(reached); });
  }

 private:
  // On the I/O thread, inside ConnectionTimers::expire_due, which must not
  // see other timers change under it: the answer is posted.
  void expired() {
    const auto self = shared_from_this();  // forget() may drop the list's reference
    owner_.forget(ticket_);
    post_finish(false);
  }

  void finish(bool reached) {
    if (finished_) return;  // timed out and reached at nearly the same time
    finished_ = true;
    deadline_.disarm();
    auto done = std::move(done_);
    done(reached);
  }

  AppliedSeq& owner_;
  boost::asio::any_io_executor executor_;
  std::function<void(bool)> done_;
  Deadline deadline_;
  std::uint64_t ticket_ = 0;
  bool finished_ = false;
};

AppliedSeq::AppliedSeq(std::chrono::nanoseconds max_wait, std::uint64_t applied)
    : max_wait_(max_wait), applied_(applied), last_known_(applied) {}

AppliedSeq::~AppliedSeq() = default;

AppliedSeq::Check AppliedSeq::check(std::uint64_t min_seq) const {
  if (min_seq <= applied()) return Check::kReached;
  if (min_seq > last_known()) return Check::kBeyondLast;
  return Check::kWait;
}

void AppliedSeq::advanced(std::uint64_t seq) {
  learned_last(seq);
  // Store, then look for waiters; wait_for() counts itself, then looks at
  // the seq: with both sequentially consistent, one of the two sees the
  // other, so no waiter is missed.
  std::uint64_t current = applied_.load(std::memory_order_relaxed);
  while (current < seq && !applied_.compare_exchange_weak(current, seq)) {
  }
  if (waiter_count_.load() == 0) return;
  std::vector<std::shared_ptr<Waiter>> reached;
  {
    std::lock_guard lock(mutex_);
    const auto end = waiters_.upper_bound(applied_.load());
    for (auto it = waiters_.begin(); it != end; ++it)
      reached.push_back(std::move(it->second.second));
    waiters_.erase(waiters_.begin(), end);
    waiter_count_.store(waiters_.size());
  }
  for (auto& waiter : reached) waiter->post_finish(true);
}

void AppliedSeq::learned_last(std::uint64_t seq) {
  std::uint64_t current = last_known_.load(std::memory_order_relaxed);
  while (current < seq && !last_known_.compare_exchange_weak(current, seq)) {
  }
}

void AppliedSeq::wait_for(std::uint64_t min_seq, ConnectionTimers& timers,
                          boost::asio::any_io_executor executor, std::function<void(bool)> done) {
  auto waiter = std::make_shared<Waiter>(*this, timers, std::move(executor), std::move(done));
  if (check(min_seq) != Check::kWait || max_wait_.count() <= 0)
    return waiter->post_finish(check(min_seq) == Check::kReached);
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(mutex_);
    ticket = next_ticket_++;
    waiters_.emplace(min_seq, std::make_pair(ticket, waiter));
    waiter_count_.store(waiters_.size());
  }
  waiter->arm(ticket);
  // Reached between the check and the count: advanced() may have looked
  // before this waiter was counted (hence sequentially consistent loads).
  if (applied_.load() >= min_seq) {
    forget(ticket);
    waiter->post_finish(true);
  }
}

void AppliedSeq::forget(std::uint64_t ticket) {
  std::lock_guard lock(mutex_);
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (it->second.first != ticket) continue;
    waiters_.erase(it);
    break;
  }
  waiter_count_.store(waiters_.size());
}

std::size_t AppliedSeq::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

Status seq_not_reached(std::uint64_t min_seq, std::uint64_t applied) {
  return unavailable(Reason::kSeqNotReached, "this node has applied the ledger up to seq " +
                                                 std::to_string(applied) +
                                                 ", not yet up to the minimum seq " +
                                                 std::to_string(min_seq) + " the request asks for");
}

}  // namespace keyledger::server
