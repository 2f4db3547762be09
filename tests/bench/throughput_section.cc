// A follower's verify throughput beside the leader's, over HTTP (wrk) and
// the verify port (verify_port_load.h), interleaved run by run
// (cluster_sections.h).
#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "tests/bench/cluster_sections.h"
#include "tests/bench/verify_port_load.h"
#include "tests/support/http_client.h"

namespace keyledger::bench {
namespace {

std::vector<std::string> create_tokens(const Keyledgerd& leader, int count) {
  testing::HttpClient admin(leader.http_port());
  if (admin.login("admin", Keyledgerd::kAdminPassword).status != 200)
    throw std::runtime_error("cannot sign in as admin");
  std::vector<std::string> tokens;
  for (int i = 0; i < count; ++i) {
    const auto created = admin.post_json("/v1/keys", {{"name", "load " + std::to_string(i)}});
    if (created.status != 201) throw std::runtime_error("creating a key: " + created.body);
    tokens.push_back(created.json()["key"]);
  }
  return tokens;
}

// What one load run measured: verifications per second over the run, and
// how many were answered in all (a ramp included).
struct Load {
  double per_second = 0;
  std::uint64_t answered = 0;
};

// One way of verifying, measured on the leader and a follower: rates, and
// each server's CPU time per verification (/proc/PID/stat), which the
// machine's other load disturbs less than the rate.
struct Mode {
  std::string what;
  std::function<Load(const Keyledgerd&, double seconds)> load;
  Figures leader;
  Figures follower;
  Figures leader_cpu_us;
  Figures follower_cpu_us;
};

// Runs `mode` on `node`; adds its rate to `rate` and its CPU µs per
// verification to `cpu_us`.
void measure(Mode& mode, const Keyledgerd& node, double seconds, Figures& rate, Figures& cpu_us) {
  const CpuTimes before = cpu_times(node.pid());
  const Load load = mode.load(node, seconds);
  const CpuTimes after = cpu_times(node.pid());
  rate.add(load.per_second);
  cpu_us.add(1e6 * (after.user + after.system - before.user - before.system) /
             static_cast<double>(std::max<std::uint64_t>(load.answered, 1)));
}

std::vector<Mode> modes(const std::vector<std::string>& tokens, const ClusterOptions& options,
                        const std::filesystem::path& scratch) {
  const std::vector<std::string> headers = {"MC-Api-Key: " + tokens.front()};
  auto http = [=](const Keyledgerd& node, double seconds) {
    const auto result =
        run_wrk(node.http_port(), "/v1/verify", options.connections, seconds, -1, headers, scratch);
    if (result.non_2xx > 0) throw std::runtime_error("verify answers that were not 2xx");
    return Load{result.requests_per_second, result.requests};
  };
  auto port = [=](int depth) {
    return [=](const Keyledgerd& node, double seconds) {
      const auto result =
          verify_port_load(node.verify_port(), tokens, options.connections, depth, seconds);
      return Load{result.per_second, result.answered};
    };
  };
  std::vector<Mode> all(3);
  all[0].what =
      "HTTP `GET /v1/verify` (wrk, " + std::to_string(options.connections) + " connections)";
  all[0].load = http;
  all[1].what = "verify port, unpipelined";
  all[1].load = port(1);
  all[2].what = "verify port, pipeline 16";
  all[2].load = port(16);
  return all;
}

}  // namespace

void throughput_benchmark(Trio& trio, const ClusterOptions& options,
                          const std::filesystem::path& scratch) {
  const auto tokens = create_tokens(trio.leader, 64);
  const std::uint64_t head = wait_published(trio.leader, std::chrono::seconds(120));
  wait_applied(trio.follower1, head, std::chrono::seconds(120));
  auto all = modes(tokens, options, scratch);
  for (auto& mode : all)
    if (options.warmup > 0) {
      mode.load(trio.leader, options.warmup);
      mode.load(trio.follower1, options.warmup);
    }
  for (int run = 0; run < options.runs; ++run)
    for (auto& mode : all) {
      measure(mode, trio.leader, options.seconds, mode.leader, mode.leader_cpu_us);
      measure(mode, trio.follower1, options.seconds, mode.follower, mode.follower_cpu_us);
      std::fprintf(stderr, "throughput run %d, %s: leader %.0f/s, follower %.0f/s\n", run + 1,
                   mode.what.c_str(), mode.leader.runs.back(), mode.follower.runs.back());
    }
  Table table({"verifications per second, median (min–max)", "leader (reference)", "follower",
               "ratio", "within the leader's spread", "CPU µs per verification: leader",
               "follower"});
  bool met = true;
  for (const auto& mode : all) {
    const bool within =
        mode.follower.median() >= mode.leader.min() || mode.follower.max() >= mode.leader.median();
    met = met && within;
    table.add_row({mode.what, format_figures(mode.leader), format_figures(mode.follower),
                   format_ratio(mode.follower.median(), mode.leader.median()),
                   within ? "yes" : "no", format_figures(mode.leader_cpu_us),
                   format_figures(mode.follower_cpu_us)});
  }
  std::printf("%s\n", table.to_markdown().c_str());
  std::printf(
      "Goal (a follower verifies as fast as the leader, within noise: its median at or above the "
      "leader's slowest run, or its fastest run at or above the leader's median): %s.\n\n",
      met ? "met" : "missed");
}

}  // namespace keyledger::bench
