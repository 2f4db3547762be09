#include "server/api/ledger_adapters.h"

#include <boost/asio/post.hpp>

namespace keyledger::server {

std::optional<UserRecord> ProjectionDirectory::user(std::string_view user_id) const {
  return projection_.user(user_id);
}

std::vector<UserRecord> ProjectionDirectory::users() const { return projection_.users(); }

std::optional<KeyRecord> ProjectionDirectory::key(std::string_view key_id) const {
  return projection_.key(key_id);
}

std::vector<KeyRecord> ProjectionDirectory::live_keys_of(std::string_view owner) const {
  return projection_.live_keys_of(owner);
}

std::optional<LastUse> ProjectionDirectory::latest_use(const std::string& key_id) const {
  return uses_.latest(key_id);
}

Status LogAuditSource::scan(std::uint64_t after_seq, const projections::AuditFilter& filter,
                            const OwnerOf& owner_of, const Visit& visit) const {
  return projections::scan_audit(log_, after_seq, filter, owner_of, visit);
}

void ThreadPoolWork::post(std::function<void()> job) { boost::asio::post(pool_, std::move(job)); }

}  // namespace keyledger::server
