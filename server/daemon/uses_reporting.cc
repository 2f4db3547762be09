#include "server/daemon/uses_reporting.h"

#include <unistd.h>

#include "server/replication/key_uses_message.h"

namespace keyledger::server {

std::string node_name(const ServerConfig& config, std::uint16_t http_port) {
  if (!config.node_name.empty()) return config.node_name;
  char host[256] = {};
  std::string name = ::gethostname(host, sizeof host - 1) == 0 ? host : "";
  name += ":" + std::to_string(http_port);
  if (!replication::check_node_name(name).is_ok()) name = "node:" + std::to_string(http_port);
  return name;
}

Status UsesReporter::report_once() {
  replication::KeyUsesReport report;
  report.node = node_name_;
  report.applied_seq = applied_seq_();
  report.uses = held_.take_all();
  const std::vector<std::string> messages = replication::encode_key_uses(report);
  for (const std::string& message : messages) {
    Status sent = sender_.send(message);
    if (!sent.is_ok()) {
      // All of them, also those of the messages that went: the leader keeps
      // the newest use of each key, so one it has twice changes nothing.
      held_.hold_again(std::move(report.uses));
      if (!failing_)
        log_.warn("cannot send key uses to the leader; they are kept and sent again",
                  {{"reason", sent.reason()}, {"detail", sent.message()}});
      failing_ = true;
      return sent;
    }
  }
  if (failing_) log_.info("key uses reach the leader again");
  failing_ = false;
  return Status::ok();
}

void UsesReporter::start() {
  thread_ = std::thread([this] { run(); });
}

void UsesReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    (void)report_once();
  }
}

void UsesReporter::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    (void)report_once();
    lock.lock();
  }
}

}  // namespace keyledger::server
