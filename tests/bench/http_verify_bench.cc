// HTTP verification under load: `wrk` with keep-alive against keyledgerd's
// GET /v1/verify, and against nginx answering a fixed 200 with the same
// body, the same worker count and the same connections. Both servers are
// pinned to one CPU and wrk to the other; runs alternate between them.
// Prints one Markdown table.
//
//   keyledger_bench_http_verify [--connections C] [--workers W] [--runs R] [--seconds S]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>

#include "tests/bench/bench_common.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace keyledger;

std::string p99_cell(const bench::Figures& p99) { return bench::format_figures(p99) + " ms"; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTTP verification under wrk against nginx returning a fixed 200"};
  int connections = 50;
  int workers = 1;
  int runs = 5;
  double seconds = 3;
  double warmup = 1;
  app.add_option("--connections", connections, "wrk connections")->capture_default_str();
  app.add_option("--workers", workers, "Server worker threads / processes")->capture_default_str();
  app.add_option("--runs", runs, "Interleaved runs; medians are reported")->capture_default_str();
  app.add_option("--seconds", seconds, "Length of each wrk run")->capture_default_str();
  app.add_option("--warmup", warmup, "Seconds of unmeasured load first (0: none)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const bench::CpuPlan cpus = bench::cpu_plan();
    testing::TempDir dir;
    bench::Keyledgerd keyledgerd(
        dir / "data", {"--threads", std::to_string(workers), "--no-sync", "--no-access-log"},
        cpus.server);
    const std::string token = keyledgerd.create_key("http bench");
    // nginx answers with the very body keyledgerd sends for this key.
    testing::HttpClient probe(keyledgerd.http_port());
    const auto sample = probe.get("/v1/verify", {{"MC-Api-Key", token}});
    if (sample.status != 200) throw std::runtime_error("verify failed: " + sample.body);
    const unsigned short nginx_port = bench::free_loopback_port();
    auto nginx = bench::start_nginx(dir.path(), nginx_port, workers, cpus.server, sample.body);

    const std::vector<std::string> headers = {"MC-Api-Key: " + token};
    auto measure = [&](unsigned short port, const std::string& path, double length) {
      auto result = bench::run_wrk(port, path, connections, length, cpus.load, headers, dir.path());
      if (result.non_2xx > 0)
        throw std::runtime_error(std::to_string(result.non_2xx) + " answers were not 2xx");
      return result;
    };
    // One short warm-up each (connections, caches, CPU frequency).
    if (warmup > 0) {
      measure(nginx_port, "/", warmup);
      measure(keyledgerd.http_port(), "/v1/verify", warmup);
    }

    bench::Figures nginx_rate, nginx_p99, keyledger_rate, keyledger_p99;
    for (int run = 0; run < runs; ++run) {
      const auto reference = measure(nginx_port, "/", seconds);
      nginx_rate.add(reference.requests_per_second);
      nginx_p99.add(reference.p99_ms);
      const auto subject = measure(keyledgerd.http_port(), "/v1/verify", seconds);
      keyledger_rate.add(subject.requests_per_second);
      keyledger_p99.add(subject.p99_ms);
      std::fprintf(stderr, "run %d: nginx %.0f/s, keyledgerd %.0f/s\n", run + 1,
                   reference.requests_per_second, subject.requests_per_second);
    }

    bench::Table table({"what (" + std::to_string(workers) + " worker, " +
                            std::to_string(connections) + " connections)",
                        "requests/s, median (min–max)", "p99 latency", "ratio"});
    table.add_row({"nginx, fixed 200 with the same body (reference)",
                   bench::format_figures(nginx_rate), p99_cell(nginx_p99), "100%"});
    table.add_row({"keyledgerd `GET /v1/verify` (MC-Api-Key)",
                   bench::format_figures(keyledger_rate), p99_cell(keyledger_p99),
                   bench::format_ratio(keyledger_rate.median(), nginx_rate.median())});
    std::printf("%s\n", table.to_markdown().c_str());
    std::printf("Target (>= 80%% of nginx's requests/s): %s.\n",
                keyledger_rate.median() >= 0.8 * nginx_rate.median() ? "met" : "missed");
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 1;
  }
}
