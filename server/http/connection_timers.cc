#include "server/http/connection_timers.h"

#include <algorithm>

namespace keyledger::server {

Deadline::Deadline(ConnectionTimers& timers, std::function<void()> on_expiry)
    : timers_(timers), on_expiry_(std::move(on_expiry)) {}

void Deadline::arm(std::chrono::nanoseconds timeout) {
  deadline_ = timers_.clock_.now() + timeout;
  if (!armed_) timers_.link(*this);
  timers_.on_armed();
}

void Deadline::disarm() {
  if (armed_) timers_.unlink(*this);
}

ConnectionTimers::~ConnectionTimers() {
  while (first_ != nullptr) unlink(*first_);
}

std::size_t ConnectionTimers::expire_due() {
  const MonotonicTime now = clock_.now();
  for (Deadline* deadline = first_; deadline != nullptr;) {
    // Taken first: an expired Deadline armed again goes to the front,
    // behind this walk, and is looked at next time.
    Deadline* next = deadline->next_;
    if (deadline->deadline_ <= now) {
      unlink(*deadline);
      deadline->on_expiry_();
    }
    deadline = next;
  }
  return armed_;
}

MonotonicTime ConnectionTimers::earliest() const {
  MonotonicTime earliest = MonotonicTime::max();
  for (const Deadline* deadline = first_; deadline != nullptr; deadline = deadline->next_)
    earliest = std::min(earliest, deadline->deadline_);
  return earliest;
}

void ConnectionTimers::link(Deadline& deadline) {
  deadline.armed_ = true;
  deadline.previous_ = nullptr;
  deadline.next_ = first_;
  if (first_ != nullptr) first_->previous_ = &deadline;
  first_ = &deadline;
  ++armed_;
}

void ConnectionTimers::unlink(Deadline& deadline) {
  if (deadline.previous_ != nullptr)
    deadline.previous_->next_ = deadline.next_;
  else
    first_ = deadline.next_;
  if (deadline.next_ != nullptr) deadline.next_->previous_ = deadline.previous_;
  deadline.previous_ = deadline.next_ = nullptr;
  deadline.armed_ = false;
  --armed_;
}

}  // namespace keyledger::server
