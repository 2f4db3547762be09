#include "tests/cluster/chaos_traffic.h"

#include <chrono>
#include <optional>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace keyledger::testing {

using namespace std::chrono_literals;

void ChaosKeys::add_live(ChaosKey key) {
  live_tokens_.insert(key.token);
  live_.push_back(std::move(key));
}

void ChaosKeys::add_deleted(ChaosKey key) { deleted_.push_back(std::move(key)); }

void ChaosKeys::created(ChaosKey key) {
  std::lock_guard lock(mutex_);
  add_live(std::move(key));
}

bool ChaosKeys::take_for_delete(std::mt19937_64& random, ChaosKey& key) {
  std::lock_guard lock(mutex_);
  if (live_.empty()) return false;
  const std::size_t at = random() % live_.size();
  std::swap(live_[at], live_.back());
  key = std::move(live_.back());
  live_.pop_back();
  live_tokens_.erase(key.token);
  return true;
}

void ChaosKeys::delete_acknowledged(ChaosKey key) {
  std::lock_guard lock(mutex_);
  add_deleted(std::move(key));
}

void ChaosKeys::delete_refused(ChaosKey key) {
  std::lock_guard lock(mutex_);
  add_live(std::move(key));
}

void ChaosKeys::delete_unanswered(ChaosKey key) {
  std::lock_guard lock(mutex_);
  uncertain_.push_back(std::move(key));
}

bool ChaosKeys::pick(std::mt19937_64& random, ChaosKey& key, bool& deleted) const {
  std::lock_guard lock(mutex_);
  deleted = !deleted_.empty() && (live_.empty() || random() % 2 == 0);
  const auto& from = deleted ? deleted_ : live_;
  if (from.empty()) return false;
  key = from[random() % from.size()];
  return true;
}

bool ChaosKeys::is_live(const std::string& token) const {
  std::lock_guard lock(mutex_);
  return live_tokens_.count(token) > 0;
}

std::vector<ChaosKey> ChaosKeys::live() const {
  std::lock_guard lock(mutex_);
  return live_;
}

std::vector<ChaosKey> ChaosKeys::deleted() const {
  std::lock_guard lock(mutex_);
  return deleted_;
}

std::size_t ChaosKeys::uncertain() const {
  std::lock_guard lock(mutex_);
  return uncertain_.size();
}

std::string TrafficCounts::writes_text() const {
  return std::to_string(creates) + " creates and " + std::to_string(deletes) +
         " deletes acknowledged, " + std::to_string(write_refused) + " refused (503), " +
         std::to_string(write_failed) + " unanswered";
}

std::string TrafficCounts::verifications_text() const {
  return "leader " + std::to_string(leader_verifications) + " (" + std::to_string(leader_wrong) +
         " wrong), followers 200/401/503/other " + std::to_string(follower_200) + "/" +
         std::to_string(follower_401) + "/" + std::to_string(follower_503) + "/" +
         std::to_string(follower_failed);
}

ChaosTraffic::ChaosTraffic(const NodePorts& ports, ChaosKeys& keys, TrafficCounts& counts,
                           std::uint64_t seed)
    : ports_(ports), keys_(keys), counts_(counts), seed_(seed) {
  writer_ = std::thread([this] { write(); });
  verifier_ = std::thread([this] { verify(); });
}

void ChaosTraffic::stop() {
  stopping_ = true;
  if (writer_.joinable()) writer_.join();
  if (verifier_.joinable()) verifier_.join();
}

namespace {

// An admin session on the leader's current port, signed in again after the
// leader restarted (new port) or forgot the session; nullopt while it
// cannot sign in.
class LeaderSession {
 public:
  explicit LeaderSession(const NodePorts& ports) : ports_(ports) {}
  HttpClient* get() {
    const unsigned short port = ports_[0];
    if (!client_ || port != port_) {
      client_.emplace(port);
      port_ = port;
      signed_in_ = false;
    }
    if (!signed_in_)
      signed_in_ = answer_of([&] { return client_->login("admin", kAdminPassword); }).status == 200;
    return signed_in_ ? &*client_ : nullptr;
  }
  void forget() { signed_in_ = false; }

 private:
  const NodePorts& ports_;
  std::optional<HttpClient> client_;
  unsigned short port_ = 0;
  bool signed_in_ = false;
};

}  // namespace

// Creates keys and deletes one in four (a random live one). A write the
// leader refused (503, 401 of a lost session) changed nothing; one without
// an answer may or may not have happened: a create is then unknown (no
// token to check), a delete uncertain until the checks ask the leader.
void ChaosTraffic::write() {
  std::mt19937_64 random(seed_);
  LeaderSession session(ports_);
  for (std::uint64_t n = 0; !stopping_; ++n) {
    // Paced: writes in flight, not a flood starving the NATS nodes and
    // followers of the 2 cores they share with it.
    std::this_thread::sleep_for(5ms);
    HttpClient* admin = session.get();
    if (admin == nullptr) continue;
    ChaosKey key;
    if (n % 4 == 3 && keys_.take_for_delete(random, key)) {
      const unsigned status = answer_of([&] { return admin->del("/v1/keys/" + key.id); }).status;
      if (status == 204) {
        ++counts_.deletes;
        keys_.delete_acknowledged(std::move(key));
      } else if (status == 0) {
        ++counts_.write_failed;
        keys_.delete_unanswered(std::move(key));
      } else {
        status == 503 ? ++counts_.write_refused : ++counts_.write_failed;
        if (status == 401) session.forget();
        keys_.delete_refused(std::move(key));
      }
      continue;
    }
    const HttpResult created = answer_of([&] {
      return admin->post_json("/v1/keys", {{"name", "chaos " + std::to_string(n)}});
    });
    if (created.status == 201) {
      ++counts_.creates;
      keys_.created({created.json()["key"], created.json()["id"]});
    } else {
      created.status == 503 ? ++counts_.write_refused : ++counts_.write_failed;
      if (created.status == 401) session.forget();
    }
  }
}

// Verifies a random acknowledged key (live or deleted) on a random node.
void ChaosTraffic::verify() {
  std::mt19937_64 random(seed_ ^ 0x9e3779b97f4a7c15ULL);
  while (!stopping_) {
    ChaosKey key;
    bool deleted = false;
    if (!keys_.pick(random, key, deleted)) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    const std::size_t node = random() % ports_.size();
    const unsigned status =
        answer_of([&] {
          return HttpClient(ports_[node]).get("/v1/verify", {{"MC-Api-Key", key.token}});
        }).status;
    if (node == 0) {
      ++counts_.leader_verifications;
      // A live key picked may have been deleted since: only one still live
      // after the answer came must have verified.
      if ((deleted && status == 200) || (!deleted && status == 401 && keys_.is_live(key.token)))
        ++counts_.leader_wrong;
      continue;
    }
    if (status == 200)
      ++counts_.follower_200;
    else if (status == 401)
      ++counts_.follower_401;
    else if (status == 503)
      ++counts_.follower_503;
    else
      ++counts_.follower_failed;
  }
}

}  // namespace keyledger::testing
