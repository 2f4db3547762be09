#include "tests/cluster/chaos.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "tests/cluster/chaos_traffic.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace keyledger::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

enum ChaosFault { kNatsNode = 0, kStreamLeader, kKeyledgerLeader, kFollower };

unsigned verify_status(unsigned short port, const std::string& token) {
  return answer_of([&] {
           return HttpClient(port).get("/v1/verify", {{"MC-Api-Key", token}});
         })
      .status;
}

std::uint64_t json_seq(const nlohmann::json& ready, const char* name) {
  return ready.is_object() && ready.contains(name) ? ready[name].get<std::uint64_t>() : 0;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A random pause of `low`..`high`: how long traffic runs around a kill.
// Chaos pacing, never a bound a test waits on.
void pause_between(std::mt19937_64& random, int low_ms, int high_ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(low_ms + random() % (high_ms - low_ms)));
}

class ChaosRun {
 public:
  explicit ChaosRun(const ChaosOptions& options)
      : options_(options), cluster_(shared_nats_cluster()), random_(options.seed) {
    auto flags =
        keyledgerd_nats_flags(cluster_, cluster_.leader_credentials(), stream_, scratch_.path());
    // Verifications of deleted keys fail by design here: never 429 them.
    flags.insert(flags.end(), {"--max-unpublished", "2s", "--max-failed-verifications", "1000000"});
    leader_ = std::make_unique<ServerProcess>(flags);
    REQUIRE(eventually([&] { return published_all(leader_->port()); }, 60s));
    auto follower_flags =
        keyledgerd_nats_flags(cluster_, cluster_.follower_credentials(), stream_, scratch_.path());
    follower_flags.insert(follower_flags.end(),
                          {"--follower", "--pepper-file", (leader_->data_dir() / "pepper").string(),
                           "--max-staleness", "2s", "--max-failed-verifications", "1000000"});
    for (auto& follower : followers_) follower = std::make_unique<ServerProcess>(follower_flags);
    update_ports();
  }

  ChaosSummary run() {
    RestartKilledNodes restart_killed(cluster_);
    ChaosSummary summary;
    for (int cycle = 1; cycle <= options_.cycles; ++cycle) run_cycle(cycle, summary);
    return summary;
  }

 private:
  void update_ports() {
    ports_[0] = leader_->port();
    ports_[1] = followers_[0]->port();
    ports_[2] = followers_[1]->port();
  }

  void run_cycle(int cycle, ChaosSummary& summary) {
    const auto started = Clock::now();
    const auto fault = static_cast<ChaosFault>(random_() % 4);
    TrafficCounts counts;
    std::string what;
    bool resumed = false;
    {
      ChaosTraffic traffic(ports_, keys_, counts, random_());
      what = inject(fault);
      // Writes go on after the restart (a NATS election may refuse them
      // with 503 for a while first).
      const auto before = counts.creates.load();
      resumed = eventually([&] { return counts.creates > before + 3; }, 60s);
    }
    std::vector<std::string> failures = check(cycle == options_.cycles, summary);
    if (!resumed) failures.push_back("no write was acknowledged within 60 s of the restart");
    if (counts.leader_wrong > 0)
      failures.push_back(std::to_string(counts.leader_wrong.load()) + " wrong leader answers");
    add(summary, counts, fault);
    summary.failed_cycles += failures.empty() ? 0 : 1;
    std::printf(
        "cycle %d/%d: %s | writes: %s | verifications in flight: %s | head %llu | %s (%.1f s)\n",
        cycle, options_.cycles, what.c_str(), counts.writes_text().c_str(),
        counts.verifications_text().c_str(), static_cast<unsigned long long>(checked_seq_),
        failures.empty() ? "ok" : "FAILED", seconds_since(started));
    for (const auto& failure : failures) std::printf("  FAILED: %s\n", failure.c_str());
    std::fflush(stdout);
    INFO("cycle " << cycle << ": " << what);
    CHECK(failures.empty());
  }

  static void add(ChaosSummary& summary, const TrafficCounts& counts, ChaosFault fault) {
    ++summary.cycles;
    ++summary.kills[fault];
    summary.creates += counts.creates;
    summary.deletes += counts.deletes;
    summary.write_refused += counts.write_refused;
    summary.write_failed += counts.write_failed;
    summary.leader_verifications += counts.leader_verifications;
    summary.leader_wrong += counts.leader_wrong;
    summary.follower_verifications +=
        counts.follower_200 + counts.follower_401 + counts.follower_503 + counts.follower_failed;
  }

  // Kills the fault's victim with traffic running, waits, restarts it.
  std::string inject(ChaosFault fault) {
    pause_between(random_, 300, 1000);
    std::string what;
    switch (fault) {
      case kNatsNode:
      case kStreamLeader: {
        int node = static_cast<int>(random_() % cluster_.size());
        what = "kill -9 NATS node ";
        if (fault == kStreamLeader) {
          const int leading = cluster_.node_named(cluster_.stream_leader(stream_));
          what = leading >= 0 ? "kill -9 the stream leader, NATS node "
                              : "kill -9 (no stream leader found) NATS node ";
          if (leading >= 0) node = leading;
        }
        what += "n" + std::to_string(node + 1);
        cluster_.kill_node(node);
        pause_between(random_, 300, 2000);
        cluster_.restart_node(node);
        break;
      }
      case kKeyledgerLeader:
        what = "kill -9 the keyledger leader";
        leader_->kill_hard();
        pause_between(random_, 300, 2000);
        leader_->restart();
        break;
      case kFollower: {
        const std::size_t which = random_() % 2;
        what = "kill -9 follower " + std::to_string(which + 1);
        followers_[which]->kill_hard();
        pause_between(random_, 300, 2000);
        followers_[which]->restart();
        break;
      }
    }
    update_ports();
    return what;
  }

  // The invariants, with the traffic stopped; each failure as a sentence.
  std::vector<std::string> check(bool every_key, ChaosSummary& summary) {
    std::vector<std::string> failures;
    keys_.settle([&](const ChaosKey& key) { return verify_status(ports_[0], key.token) == 401; });
    const std::uint64_t head = settled_head(failures);
    check_stream(head, failures);
    for (std::size_t i = 0; i < 2; ++i) {
      // Equal once caught up; a new event (a last use) may be on its way.
      if (!eventually(
              [&] { return head_of(followers_[i]->data_dir()) == head_of(leader_->data_dir()); },
              30s))
        failures.push_back("follower " + std::to_string(i + 1) +
                           "'s head hash differs from the leader's");
    }
    check_keys(every_key, summary, failures);
    summary.head_seq = head;
    return failures;
  }

  // The leader's head once it has published it and both followers applied
  // it. The leader still writes events after the traffic stopped (the last
  // uses the followers send back), so it waits for a moment where all agree.
  std::uint64_t settled_head(std::vector<std::string>& failures) {
    std::uint64_t head = 0;
    std::string last;
    const bool settled = eventually(
        [&] {
          head = json_seq(readiness(ports_[0]), "head_seq");
          const std::uint64_t first = json_seq(readiness(ports_[1]), "applied_seq");
          const std::uint64_t second = json_seq(readiness(ports_[2]), "applied_seq");
          last = "leader head " + std::to_string(head) + ", followers applied " +
                 std::to_string(first) + " and " + std::to_string(second);
          return published_all(ports_[0]) && first == head && second == head &&
                 json_seq(readiness(ports_[0]), "head_seq") == head;
        },
        60s);
    if (!settled)
      failures.push_back("the leader's log was not published and applied within 60 s (" + last +
                         ")");
    return head;
  }

  // The stream and the leader's log hold the same events past what the
  // last cycle checked, up to `head`: each seq once, the log's bytes.
  void check_stream(std::uint64_t head, std::vector<std::string>& failures) {
    auto log = log_events(leader_->data_dir(), checked_seq_ + 1);
    auto stream = stream_messages(cluster_, stream_, checked_seq_ + 1);
    const std::size_t count = head - checked_seq_;
    if (log.size() < count || stream.size() < count) {
      failures.push_back("seqs " + std::to_string(checked_seq_ + 1) + " to " +
                         std::to_string(head) + ": " + std::to_string(log.size()) +
                         " events in the log, " + std::to_string(stream.size()) +
                         " messages in the stream");
    } else {
      log.resize(count);
      stream.resize(count);
      if (log != stream)
        failures.push_back("seqs " + std::to_string(checked_seq_ + 1) + " to " +
                           std::to_string(head) + ": the stream differs from the log");
    }
    checked_seq_ = head;
  }

  // Live keys verify and deleted ones answer 401 on the leader and on each
  // follower: every key deleted since the last check, a sample of the
  // others (all of them when `every_key`).
  void check_keys(bool every_key, ChaosSummary& summary, std::vector<std::string>& failures) {
    const auto deleted = keys_.deleted();
    std::vector<ChaosKey> asked_deleted(deleted.begin() + deleted_checked_, deleted.end());
    deleted_checked_ = deleted.size();
    auto live = keys_.live();
    auto sampled = [&](std::vector<ChaosKey> keys) {
      if (every_key || keys.size() <= options_.sample) return keys;
      std::shuffle(keys.begin(), keys.end(), random_);
      keys.resize(options_.sample);
      return keys;
    };
    for (const auto& key : sampled(deleted)) asked_deleted.push_back(key);
    live = sampled(live);
    for (std::size_t node = 0; node < ports_.size(); ++node) {
      const std::string name = node == 0 ? "the leader" : "follower " + std::to_string(node);
      int wrong = 0;
      for (const auto& key : asked_deleted) wrong += verify_status(ports_[node], key.token) != 401;
      if (wrong > 0)
        failures.push_back(name + ": " + std::to_string(wrong) +
                           " deleted keys did not answer 401");
      wrong = 0;
      for (const auto& key : live) wrong += verify_status(ports_[node], key.token) != 200;
      if (wrong > 0)
        failures.push_back(name + ": " + std::to_string(wrong) + " live keys did not verify");
      summary.keys_checked += asked_deleted.size() + live.size();
    }
  }

  ChaosOptions options_;
  NatsCluster& cluster_;
  std::mt19937_64 random_;
  std::string stream_ = fresh_stream_name();
  TempDir scratch_;
  std::unique_ptr<ServerProcess> leader_;
  std::unique_ptr<ServerProcess> followers_[2];
  NodePorts ports_;
  ChaosKeys keys_;
  std::uint64_t checked_seq_ = 0;    // the stream equals the log up to here
  std::size_t deleted_checked_ = 0;  // deleted keys checked on every node so far
};

}  // namespace

std::string ChaosSummary::text() const {
  char line[1024];
  std::snprintf(
      line, sizeof line,
      "%d cycles, %d failed; kills: NATS node %d, stream leader %d, keyledger leader %d, "
      "follower %d; writes: %llu creates and %llu deletes acknowledged, %llu refused (503), "
      "%llu unanswered; verifications in flight: leader %llu (%llu wrong), followers %llu; "
      "after the cycles: head seq %llu, %llu key answers checked",
      cycles, failed_cycles, kills[kNatsNode], kills[kStreamLeader], kills[kKeyledgerLeader],
      kills[kFollower], static_cast<unsigned long long>(creates),
      static_cast<unsigned long long>(deletes), static_cast<unsigned long long>(write_refused),
      static_cast<unsigned long long>(write_failed),
      static_cast<unsigned long long>(leader_verifications),
      static_cast<unsigned long long>(leader_wrong),
      static_cast<unsigned long long>(follower_verifications),
      static_cast<unsigned long long>(head_seq), static_cast<unsigned long long>(keys_checked));
  return line;
}

ChaosSummary run_chaos(const ChaosOptions& options) {
  ChaosRun run(options);
  return run.run();
}

}  // namespace keyledger::testing
