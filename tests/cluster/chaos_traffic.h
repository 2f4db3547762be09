// The traffic of the cluster chaos run (chaos.h): a writer that creates
// keys on the leader and deletes some, and a verifier that asks every node
// about them, each on its own thread, while nodes are killed and restarted.
// What was acknowledged is kept (ChaosKeys) for the checks after each cycle;
// what the answers were is counted (TrafficCounts).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace keyledger::testing {

// The nodes' HTTP ports, which change when a node restarts: written by the
// run's thread, read by the traffic threads. Index 0 is the leader.
using NodePorts = std::array<std::atomic<unsigned short>, 3>;

struct ChaosKey {
  std::string token;
  std::string id;
};

// Every key the leader acknowledged: live (created, no delete sent),
// deleted (the delete acknowledged), and uncertain (a delete sent whose
// answer never came: the leader may or may not have applied it).
class ChaosKeys {
 public:
  void created(ChaosKey key);
  // Takes a random live key for deletion (false if none).
  bool take_for_delete(std::mt19937_64& random, ChaosKey& key);
  void delete_acknowledged(ChaosKey key);
  void delete_refused(ChaosKey key);  // not applied: live again
  void delete_unanswered(ChaosKey key);
  // A random live or deleted key (false if none); `deleted` says which.
  bool pick(std::mt19937_64& random, ChaosKey& key, bool& deleted) const;
  bool is_live(const std::string& token) const;
  // Settles the uncertain keys with `is_deleted` (the leader's answer).
  template <typename IsDeleted>
  void settle(IsDeleted is_deleted) {
    std::lock_guard lock(mutex_);
    for (auto& key : uncertain_) is_deleted(key) ? add_deleted(key) : add_live(key);
    uncertain_.clear();
  }
  std::vector<ChaosKey> live() const;
  std::vector<ChaosKey> deleted() const;
  std::size_t uncertain() const;

 private:
  void add_live(ChaosKey key);
  void add_deleted(ChaosKey key);
  mutable std::mutex mutex_;
  std::vector<ChaosKey> live_;
  std::unordered_set<std::string> live_tokens_;
  std::vector<ChaosKey> deleted_;
  std::vector<ChaosKey> uncertain_;
};

// What the traffic saw. "wrong" is an answer the leader must never give:
// 200 for a key whose delete it had acknowledged, 401 for a live one.
// Followers may lag, so their answers are only counted; they are checked
// once caught up.
struct TrafficCounts {
  std::atomic<std::uint64_t> creates{0}, deletes{0}, write_refused{0}, write_failed{0};
  std::atomic<std::uint64_t> leader_verifications{0}, leader_wrong{0};
  std::atomic<std::uint64_t> follower_200{0}, follower_401{0}, follower_503{0},
      follower_failed{0};  // failed: no answer or another status
  std::string writes_text() const;
  std::string verifications_text() const;
};

// `request()`'s result, or status 0 when it has no answer: HttpClient
// throws when the connection fails, as it does while a node is down.
template <typename Request>
auto answer_of(Request request) -> decltype(request()) {
  try {
    return request();
  } catch (const std::exception&) {
    return {};
  }
}

// The writer and the verifier, running until stop().
class ChaosTraffic {
 public:
  ChaosTraffic(const NodePorts& ports, ChaosKeys& keys, TrafficCounts& counts, std::uint64_t seed);
  ~ChaosTraffic() { stop(); }
  ChaosTraffic(const ChaosTraffic&) = delete;
  ChaosTraffic& operator=(const ChaosTraffic&) = delete;
  void stop();

 private:
  void write();
  void verify();
  const NodePorts& ports_;
  ChaosKeys& keys_;
  TrafficCounts& counts_;
  std::uint64_t seed_;
  std::atomic<bool> stopping_{false};
  std::thread writer_;
  std::thread verifier_;
};

}  // namespace keyledger::testing
