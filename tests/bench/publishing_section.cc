// The leader's durable creates with --nats beside without it, and beside
// raw R3 asynchronous publishing of messages of a creation's size,
// interleaved run by run (cluster_sections.h).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "server/replication/jetstream_stream.h"
#include "tests/bench/cluster_sections.h"

namespace keyledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A wrk script creating keys on `node`, with an API key of its admin.
std::filesystem::path create_script(const Keyledgerd& node, const std::filesystem::path& path) {
  const std::string token = node.create_key("publishing bench");
  std::ofstream(path) << "wrk.method = \"POST\"\n"
                      << "wrk.body = '{\"name\":\"created by wrk\"}'\n"
                      << "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                      << "wrk.headers[\"MC-Api-Key\"] = \"" << token << "\"\n";
  return path;
}

double create_rate(const Keyledgerd& node, const std::filesystem::path& script, int clients,
                   double seconds, const std::filesystem::path& scratch) {
  const auto result =
      run_wrk(node.http_port(), "/v1/keys", clients, seconds, -1, {}, scratch, script);
  if (result.non_2xx > 0)
    throw std::runtime_error(std::to_string(result.non_2xx) + " creations were not 2xx");
  return result.requests_per_second;
}

}  // namespace

void publishing_benchmark(const BenchNats& nats, const ClusterOptions& options,
                          const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string stream = nats.fresh_stream("publishing");
  const std::vector<std::string> flags = {"--no-access-log"};  // sync on, as users run it
  Keyledgerd off(dir / "off", flags, -1);
  Keyledgerd on(dir / "on", joined(flags, nats.leader_flags(stream)), -1);
  const auto off_script = create_script(off, dir / "off.lua");
  const auto on_script = create_script(on, dir / "on.lua");
  const double warmup = std::max(0.3, options.warmup);
  create_rate(off, off_script, options.clients, warmup, dir);
  create_rate(on, on_script, options.clients, warmup, dir);
  const std::uint64_t head = wait_published(on, std::chrono::seconds(120));
  const std::size_t bytes = nats.message_bytes(stream, head);
  const std::string raw_stream = nats.fresh_stream("rawpublish");
  nats.make_stream(raw_stream);
  const std::string raw_subject = replication::events_subject(raw_stream);

  Figures off_rate, on_rate, raw_rate, backlog, drain_ms;
  for (int run = 0; run < options.runs; ++run) {
    off_rate.add(create_rate(off, off_script, options.clients, options.seconds, dir));
    on_rate.add(create_rate(on, on_script, options.clients, options.seconds, dir));
    const auto ready = readiness(on.http_port());
    backlog.add(ready["replication"]["unpublished_events"].get<double>());
    const auto drained_from = Clock::now();
    wait_published(on, std::chrono::seconds(120));
    drain_ms.add(1000 * seconds_since(drained_from));
    raw_rate.add(raw_async_publish_rate(nats.leader(), raw_subject, bytes, options.seconds));
    std::fprintf(stderr, "publishing run %d: off %.0f/s, on %.0f/s, raw %.0f/s\n", run + 1,
                 off_rate.runs.back(), on_rate.runs.back(), raw_rate.runs.back());
  }
  const double lower = std::min(off_rate.median(), raw_rate.median());
  Table table({"what (" + std::to_string(options.clients) + " clients, sync on)",
               "per second, median (min–max)", "ratio to the lower reference"});
  table.add_row({"keyledgerd `POST /v1/keys`, no `--nats` (reference)", format_figures(off_rate),
                 format_ratio(off_rate.median(), lower)});
  table.add_row({"raw R3 `js_PublishAsync` of " + std::to_string(bytes) +
                     "-byte messages, 4,096 in flight (reference)",
                 format_figures(raw_rate), format_ratio(raw_rate.median(), lower)});
  table.add_row({"keyledgerd `POST /v1/keys`, `--nats` (publishing each creation)",
                 format_figures(on_rate), format_ratio(on_rate.median(), lower)});
  std::printf("%s\n", table.to_markdown().c_str());
  std::printf(
      "With `--nats`, the publisher's backlog when wrk stopped: %s events (median; min–max "
      "%s–%s); it had published all of them %s ms later (median).\n\n",
      format_number(backlog.median()).c_str(), format_number(backlog.min()).c_str(),
      format_number(backlog.max()).c_str(), format_number(drain_ms.median()).c_str());
  std::printf("Goal (>= 90%% of the lower reference): %s.\n\n",
              on_rate.median() >= 0.9 * lower ? "met" : "missed");
}

}  // namespace keyledger::bench
