// A follower catching up from an empty folder beside a raw JetStream pull
// consumer reading the same stream, interleaved run by run
// (cluster_sections.h).
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "server/replication/jetstream_stream.h"
#include "tests/bench/bench_ledger.h"
#include "tests/bench/cluster_sections.h"

namespace keyledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A leader's folder holding a ledger of `events` events built fast
// (bench_ledger.h) and a pepper; the fixture's key hashes are random bytes,
// so any pepper will do.
void build_leader_folder(const std::filesystem::path& dir, std::uint64_t events) {
  std::filesystem::create_directories(dir);
  build_ledger(dir / "ledger", events);
  std::ofstream(dir / "pepper") << std::string(64, 'b');
  std::filesystem::permissions(
      dir / "pepper", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

struct CatchUp {
  double per_second = 0;   // events from exec to the last one applied
  double listening_s = 0;  // exec until it listened
};

CatchUp follower_catch_up(const BenchNats& nats, const std::string& stream,
                          const Keyledgerd& leader, const std::filesystem::path& leader_dir,
                          std::uint64_t head, const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto start = Clock::now();
  Keyledgerd follower(
      dir / "data",
      joined(node_flags(), nats.follower_flags(stream, leader_dir / "pepper", leader.http_port())),
      -1);
  const double listening = seconds_since(start);
  wait_applied(follower, head, std::chrono::seconds(3600), std::chrono::milliseconds(10));
  const double took = seconds_since(start);
  follower.stop();
  std::filesystem::remove_all(dir);
  return {static_cast<double>(head) / took, listening};
}

}  // namespace

void catchup_benchmark(const BenchNats& nats, const ClusterOptions& options,
                       const std::filesystem::path& dir) {
  std::fprintf(stderr, "catch-up: building a ledger of %llu events …\n",
               static_cast<unsigned long long>(options.events));
  build_leader_folder(dir / "leader", options.events);
  const std::string stream = nats.fresh_stream("catchup");
  const auto publish_start = Clock::now();
  Keyledgerd leader(dir / "leader", joined(node_flags(), nats.leader_flags(stream)), -1);
  const std::uint64_t head = wait_published(
      leader, std::chrono::seconds(120 + static_cast<std::int64_t>(options.events / 2000)));
  const double publish_rate = static_cast<double>(head) / seconds_since(publish_start);
  const std::string subject = replication::events_subject(stream);

  Figures raw, follower, listening;
  for (int run = 0; run < options.runs; ++run) {
    raw.add(raw_pull_rate(nats.follower(), stream, subject, head));
    const CatchUp caught =
        follower_catch_up(nats, stream, leader, dir / "leader", head, dir / "follower");
    follower.add(caught.per_second);
    listening.add(caught.listening_s);
    std::fprintf(stderr, "catch-up run %d: raw %.0f/s, follower %.0f/s\n", run + 1, raw.runs.back(),
                 follower.runs.back());
  }
  Table table({"what (" + format_number(static_cast<double>(head)) + " events)",
               "events/s, median (min–max)", "ratio"});
  table.add_row(
      {"raw JetStream pull consumer, Fetch 256, AckNone (reference)", format_figures(raw), "100%"});
  table.add_row({"follower from an empty folder: exec → last event applied",
                 format_figures(follower), format_ratio(follower.median(), raw.median())});
  std::printf("%s\n", table.to_markdown().c_str());
  std::printf(
      "The follower listened %s s after exec (median). The leader, started on the built ledger, "
      "published its %s events into the R3 stream at %s events/s (start to last PubAck, once).\n\n",
      format_number(listening.median()).c_str(), format_number(static_cast<double>(head)).c_str(),
      format_number(publish_rate).c_str());
  std::printf("Goal (>= 80%% of the raw consumer): %s.\n\n",
              follower.median() >= 0.8 * raw.median() ? "met" : "missed");
}

}  // namespace keyledger::bench
