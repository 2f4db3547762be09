// Deletion to refusal on two followers, beside raw JetStream publish →
// delivery, one probe before each deletion (cluster_sections.h).
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "server/client/verify_client.h"
#include "server/replication/jetstream_stream.h"
#include "tests/bench/cluster_sections.h"
#include "tests/support/http_client.h"

namespace keyledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct MadeKey {
  std::string token;
  std::string id;
};

std::vector<MadeKey> create_keys(const Keyledgerd& leader, int count) {
  testing::HttpClient admin(leader.http_port());
  if (admin.login("admin", Keyledgerd::kAdminPassword).status != 200)
    throw std::runtime_error("cannot sign in as admin");
  std::vector<MadeKey> keys;
  for (int i = 0; i < count; ++i) {
    const auto created = admin.post_json("/v1/keys", {{"name", "bench " + std::to_string(i)}});
    if (created.status != 201) throw std::runtime_error("creating a key: " + created.body);
    keys.push_back({created.json()["key"], created.json()["id"]});
  }
  return keys;
}

// Verifications of one valid key on every node while the deletions run: one
// thread, one verify-port client per node, one request in flight, round
// robin.
class BackgroundVerifications {
 public:
  BackgroundVerifications(std::vector<unsigned short> ports, std::string token)
      : ports_(std::move(ports)), token_(std::move(token)), thread_([this] { run(); }) {}
  ~BackgroundVerifications() {
    stop_ = true;
    thread_.join();
  }
  double per_second() const { return static_cast<double>(done_) / seconds_since(start_); }

 private:
  void run() {
    std::vector<client::VerifyClient> clients;
    for (auto port : ports_) clients.emplace_back("127.0.0.1", port);
    while (!stop_)
      for (auto& client : clients)
        if (client.verify(token_).is_ok()) ++done_;
  }
  std::vector<unsigned short> ports_;
  std::string token_;
  Clock::time_point start_ = Clock::now();
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> done_{0};
  std::thread thread_;
};

// Polls each follower's verify port with `token` from `deleted` on until
// each refuses it; adds each one's milliseconds to `latencies`.
void time_refusals(std::vector<client::VerifyClient>& followers, const std::string& token,
                   Clock::time_point deleted, std::vector<std::vector<double>>& latencies) {
  std::vector<bool> refused(followers.size(), false);
  for (std::size_t left = followers.size(); left > 0;) {
    if (seconds_since(deleted) > 30) throw std::runtime_error("a follower never refused a key");
    for (std::size_t f = 0; f < followers.size(); ++f) {
      if (refused[f]) continue;
      auto answer = followers[f].verify(token);
      if (!answer.is_ok()) throw std::runtime_error(answer.status().to_string());
      if (answer->result != client::VerifyResult::kInvalid &&
          answer->result != client::VerifyResult::kRateLimited)
        continue;
      latencies[f].push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - deleted).count());
      refused[f] = true;
      --left;
    }
  }
}

// A synced RocksDB Put of an event's size on the disk the followers write
// to: what each follower waits for before it shows an applied batch (it
// syncs every append, like the leader).
class SyncedPutProbe {
 public:
  explicit SyncedPutProbe(const std::filesystem::path& path) {
    rocksdb::Options options;
    options.create_if_missing = true;
    if (!rocksdb::DB::Open(options, path.string(), &db_).ok())
      throw std::runtime_error("cannot open the probe's RocksDB");
  }
  ~SyncedPutProbe() { delete db_; }
  SyncedPutProbe(const SyncedPutProbe&) = delete;
  SyncedPutProbe& operator=(const SyncedPutProbe&) = delete;

  // Milliseconds one Put(sync=true) of 264 bytes took.
  double probe() {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    const auto start = Clock::now();
    if (!db_->Put(sync, std::to_string(++count_), std::string(264, 'p')).ok())
      throw std::runtime_error("the probe's Put failed");
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::uint64_t count_ = 0;
};

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::vector<std::string> latency_row(const std::string& what, const std::vector<double>& ms) {
  return {what, format_number(percentile(ms, 0.5)), format_number(percentile(ms, 0.99)),
          format_number(*std::max_element(ms.begin(), ms.end()))};
}

// What the deletion loop measured, each in milliseconds, in order.
struct DeletionFigures {
  std::vector<double> delivery;                 // raw JetStream publish → delivery
  std::vector<double> synced_put;               // raw synced RocksDB Put
  std::vector<std::vector<double>> refusal{2};  // per follower: 2xx → first refusal
  double verifications_per_second = 0;          // of the background load
};

std::size_t at_least_50_ms(const std::vector<double>& ms) {
  return static_cast<std::size_t>(
      std::count_if(ms.begin(), ms.end(), [](double value) { return value >= 50; }));
}

void print_deletions(const DeletionFigures& figures) {
  std::vector<double> slower;
  for (std::size_t i = 0; i < figures.refusal[0].size(); ++i)
    slower.push_back(std::max(figures.refusal[0][i], figures.refusal[1][i]));
  Table table({"what (" + std::to_string(slower.size()) + " deletions, verifications running)",
               "p50, ms", "p99, ms", "max, ms"});
  table.add_row(latency_row(
      "raw JetStream: publish (R3, 200 bytes) → delivery to a waiting pull consumer (reference)",
      figures.delivery));
  table.add_row(
      latency_row("raw RocksDB `Put` with sync of 264 bytes, on the followers' disk (reference)",
                  figures.synced_put));
  table.add_row(
      latency_row("follower 1: leader's 2xx for the DELETE → first refusal", figures.refusal[0]));
  table.add_row(
      latency_row("follower 2: leader's 2xx for the DELETE → first refusal", figures.refusal[1]));
  table.add_row(latency_row("the slower of the two followers, per deletion", slower));
  std::printf("%s\n", table.to_markdown().c_str());
  std::printf(
      "Verifications meanwhile: %s/s over the three nodes' verify ports (one client, one request "
      "in flight, round robin), beside each follower polled by one client.\n\n",
      format_number(figures.verifications_per_second).c_str());
  std::printf(
      "Deletions that took 50 ms or more to reach both followers: %zu of %zu; synced Puts that "
      "took 50 ms or more: %zu.\n\n",
      at_least_50_ms(slower), slower.size(), at_least_50_ms(figures.synced_put));
  const double worst_p99 =
      std::max(percentile(figures.refusal[0], 0.99), percentile(figures.refusal[1], 0.99));
  std::printf("Goal (p99 < 50 ms on each follower): %s.\n\n", worst_p99 < 50 ? "met" : "missed");
}

// Deletes every key of `keys` on the leader, one at a time, each after one
// probe of NATS and one of the disk, and times each follower's refusal.
DeletionFigures time_deletions(Trio& trio, const BenchNats& nats, const std::vector<MadeKey>& keys,
                               const MadeKey& kept) {
  const std::string probe_stream = nats.fresh_stream("probe");
  nats.make_stream(probe_stream);
  DeliveryProbe probe(nats.leader(), nats.follower(), probe_stream,
                      replication::events_subject(probe_stream), 200);
  SyncedPutProbe disk(trio.dir / "disk-probe");
  std::vector<client::VerifyClient> followers;
  followers.emplace_back("127.0.0.1", trio.follower1.verify_port());
  followers.emplace_back("127.0.0.1", trio.follower2.verify_port());
  testing::HttpClient admin(trio.leader.http_port());
  if (admin.login("admin", Keyledgerd::kAdminPassword).status != 200)
    throw std::runtime_error("cannot sign in as admin");

  DeletionFigures figures;
  BackgroundVerifications load(
      {trio.leader.verify_port(), trio.follower1.verify_port(), trio.follower2.verify_port()},
      kept.token);
  for (const auto& key : keys) {
    figures.delivery.push_back(probe.probe());
    figures.synced_put.push_back(disk.probe());
    const auto deleted = admin.del("/v1/keys/" + key.id);
    const auto answered = Clock::now();
    if (deleted.status / 100 != 2) throw std::runtime_error("DELETE failed: " + deleted.body);
    time_refusals(followers, key.token, answered, figures.refusal);
  }
  figures.verifications_per_second = load.per_second();
  return figures;
}

}  // namespace

void deletion_benchmark(Trio& trio, const BenchNats& nats, const ClusterOptions& options) {
  std::fprintf(stderr, "deletion: creating %d keys …\n", options.deletions + 1);
  auto keys = create_keys(trio.leader, options.deletions + 1);
  const MadeKey kept = keys.back();
  keys.pop_back();
  const std::uint64_t head = wait_published(trio.leader, std::chrono::seconds(120));
  wait_applied(trio.follower1, head, std::chrono::seconds(120));
  wait_applied(trio.follower2, head, std::chrono::seconds(120));
  print_deletions(time_deletions(trio, nats, keys, kept));
}

}  // namespace keyledger::bench
