#include "server/replication/follower_table.h"

#include <algorithm>

namespace keyledger::replication {

void FollowerTable::forget_silent(MonotonicTime now) {
  std::erase_if(heard_, [&](const auto& entry) { return now - entry.second.at >= forget_after_; });
}

void FollowerTable::heard(const std::string& node, std::uint64_t applied_seq) {
  const MonotonicTime now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = heard_.find(node);
  if (it == heard_.end()) {
    forget_silent(now);
    if (heard_.size() >= max_followers_) {
      ++unlisted_;
      return;
    }
    heard_.emplace(node, Heard{applied_seq, now});
    return;
  }
  it->second.applied_seq = applied_seq;
  it->second.at = now;
}

std::vector<ClusterFollower> FollowerTable::followers(std::uint64_t head_seq) {
  const MonotonicTime now = clock_.now();
  std::lock_guard lock(mutex_);
  forget_silent(now);
  std::vector<ClusterFollower> rows;
  rows.reserve(heard_.size());
  for (const auto& [node, heard] : heard_)
    rows.push_back(ClusterFollower{node, heard.applied_seq,
                                   head_seq > heard.applied_seq ? head_seq - heard.applied_seq : 0,
                                   std::chrono::duration<double>(now - heard.at).count()});
  return rows;
}

std::uint64_t FollowerTable::unlisted() const {
  std::lock_guard lock(mutex_);
  return unlisted_;
}

}  // namespace keyledger::replication
