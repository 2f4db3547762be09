// The replication benchmarks of issue 20, each beside a reference measured
// in the same run, over a real 3-node NATS JetStream cluster on loopback
// with keyledger's accounts (nothing pinned: three nats-servers and up to
// three keyledgerd share the machine's cores):
//   deletion    leader's 2xx for a DELETE → first refusal from each of two
//               followers, polled on their verify ports while verifications
//               run; beside raw JetStream publish → pull delivery
//   throughput  a follower's verify rate (HTTP under wrk, verify port) beside
//               the leader's
//   publishing  the leader's durable creates with --nats beside without it,
//               and beside raw R3 asynchronous publishing of the same size
//   catchup     a follower from an empty folder on a stream of --events
//               events beside a raw JetStream pull consumer reading it
// Each prints a Markdown table and whether its goal is met.
//
//   keyledger_bench_cluster [--only deletion,throughput,publishing,catchup] [--runs R]
//                           [--events N] [--deletions N] [--seconds S] [--warmup S]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tests/bench/bench_common.h"
#include "tests/bench/bench_ledger.h"
#include "tests/bench/cluster_nodes.h"
#include "tests/bench/cluster_sections.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace keyledger;

std::set<std::string> split(const std::string& text) {
  std::set<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.insert(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"keyledger's replication over NATS JetStream against raw JetStream and the leader"};
  bench::ClusterOptions options;
  std::string only = "deletion,throughput,publishing,catchup";
  app.add_option("--only", only, "Benchmarks to run, comma-separated")->capture_default_str();
  app.add_option("--runs", options.runs, "Interleaved runs; medians are reported")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--events", options.events, "Events in the catch-up stream")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--deletions", options.deletions, "Deletions timed to each follower's refusal")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seconds", options.seconds, "Length of each load run")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup, "Seconds of unmeasured load first (0: none)")
      ->capture_default_str();
  app.add_option("--connections", options.connections, "Verify connections")->capture_default_str();
  app.add_option("--clients", options.clients, "Clients creating keys")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const std::set<std::string> chosen = split(only);
  for (const auto& name : chosen)
    if (name != "deletion" && name != "throughput" && name != "publishing" && name != "catchup") {
      std::fprintf(stderr, "bench: unknown benchmark '%s' in --only\n", name.c_str());
      return 2;
    }
  if (!testing::nats_server_path()) {
    std::fprintf(stderr, "bench: nats-server is not installed (tools/setup.sh installs it)\n");
    return 77;
  }

  try {
    testing::TempDir dir;
    std::filesystem::create_directories(dir / "nats");
    bench::BenchNats nats(dir / "nats");
    if (chosen.count("deletion") || chosen.count("throughput")) {
      bench::Trio trio(nats, dir / "trio");
      if (chosen.count("deletion")) bench::deletion_benchmark(trio, nats, options);
      if (chosen.count("throughput")) bench::throughput_benchmark(trio, options, dir.path());
    }
    if (chosen.count("publishing")) bench::publishing_benchmark(nats, options, dir / "publishing");
    if (chosen.count("catchup")) bench::catchup_benchmark(nats, options, dir / "catchup");
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 1;
  }
}
