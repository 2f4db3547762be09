#include "server/daemon/uses_intake.h"

#include <algorithm>

#include "server/replication/key_uses_message.h"

namespace keyledger::server {

Status FollowerUsesIntake::take(std::string_view message) {
  auto report = replication::decode_key_uses(message);
  if (!report.is_ok()) {
    bad_messages_.fetch_add(1, std::memory_order_relaxed);
    return report.status();
  }
  followers_.heard(report->node, report->applied_seq);
  // Another node's clock may run ahead: a use is never newer than now here.
  const TimeNs now = clock_.now_ns();
  for (const RecordKeyUse& use : report->uses)
    tracker_.record_elsewhere(use.key_id, use.client_ip, std::min(use.used_at_ns, now));
  uses_taken_.fetch_add(report->uses.size(), std::memory_order_relaxed);
  return Status::ok();
}

void UsesReceiver::start() {
  thread_ = std::thread([this] { run(); });
}

void UsesReceiver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UsesReceiver::log_at_most_once(std::chrono::steady_clock::time_point& last,
                                    const std::string& what, const Status& why) {
  const auto now = std::chrono::steady_clock::now();
  if (last != std::chrono::steady_clock::time_point() && now - last < log_interval_) return;
  last = now;
  log_.warn(what, {{"reason", why.reason()},
                   {"detail", why.message()},
                   {"bad_messages", intake_.bad_messages()}});
}

void UsesReceiver::run() {
  std::chrono::steady_clock::time_point bad_logged;
  std::chrono::steady_clock::time_point failure_logged;
  auto backoff = std::chrono::milliseconds(50);
  while (!stopping_.load()) {
    auto message = source_.next(std::chrono::milliseconds(200));
    if (!message.is_ok()) {
      log_at_most_once(failure_logged,
                       "cannot read the followers' key uses; retrying (their uses wait on them)",
                       message.status());
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, backoff, [this] { return stopping_.load(); });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
      continue;
    }
    backoff = std::chrono::milliseconds(50);
    if (!message->has_value()) continue;
    if (Status taken = intake_.take(**message); !taken.is_ok())
      log_at_most_once(bad_logged, "refused a key uses message (counted; logged once per interval)",
                       taken);
  }
}

}  // namespace keyledger::server
