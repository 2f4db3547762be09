// The thin adapters that give the /v1 handlers their narrow views
// (ledger_ports.h, password_work.h) of keyledgerd's real parts: the
// projection with the last-use tracker, the event log and the blocking
// thread pool. (The writer is the CommandSink itself.) Each only forwards; what
// they wrap outlives them.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "core/event_log.h"
#include "projections/live_projection.h"
#include "server/api/bounded_work.h"
#include "server/api/ledger_ports.h"
#include "server/verify/last_use_tracker.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

class ProjectionDirectory final : public UserDirectory, public KeyDirectory {
 public:
  ProjectionDirectory(const projections::LiveProjection& projection, const LastUseTracker& uses)
      : projection_(projection), uses_(uses) {}
  std::optional<UserRecord> user(std::string_view user_id) const override;
  std::vector<UserRecord> users() const override;
  std::optional<KeyRecord> key(std::string_view key_id) const override;
  std::vector<KeyRecord> live_keys_of(std::string_view owner) const override;
  std::optional<LastUse> latest_use(const std::string& key_id) const override;

 private:
  const projections::LiveProjection& projection_;
  const LastUseTracker& uses_;
};

class LogAuditSource final : public AuditSource {
 public:
  explicit LogAuditSource(const EventLog& log) : log_(log) {}
  Status scan(std::uint64_t after_seq, const projections::AuditFilter& filter,
              const OwnerOf& owner_of, const Visit& visit) const override;

 private:
  const EventLog& log_;
};

class ThreadPoolWork final : public BlockingWork {
 public:
  explicit ThreadPoolWork(boost::asio::thread_pool& pool) : pool_(pool) {}
  void post(std::function<void()> job) override;

 private:
  boost::asio::thread_pool& pool_;
};

}  // namespace keyledger::server
