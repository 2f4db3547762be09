// The binary verify port under load, against Redis GET with the same number
// of connections, unpipelined and pipelined. Each side gets a single-threaded
// load generator (redis-benchmark, and here one Asio thread speaking the
// client library's wire format) that keeps `depth` requests in flight per
// connection: it writes `depth` requests, reads `depth` answers, repeats.
// Servers are pinned to one CPU, load generators to the other; keyledgerd
// runs one worker thread, as Redis serves from one. Prints one Markdown table.
//
//   keyledger_bench_verify_port [--connections C] [--pipeline P] [--runs R] [--seconds S]
#include <sched.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/bench/bench_common.h"
#include "tests/bench/verification_fixture.h"
#include "tests/bench/verify_port_load.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace keyledger;
double redis_rate(unsigned short port, int connections, int depth, std::uint64_t requests, int cpu,
                  const std::filesystem::path& scratch) {
  const std::string text =
      bench::run_and_capture({"redis-benchmark", "-h", "127.0.0.1", "-p", std::to_string(port),
                              "-t", "get", "-c", std::to_string(connections), "-n",
                              std::to_string(requests), "-P", std::to_string(depth), "-q", "--csv"},
                             cpu, scratch);
  std::smatch match;
  // --csv: "test","rps",...  then  "GET","123456.78",...
  if (!std::regex_search(text, match, std::regex("\"GET\",\"([0-9.]+)\"")))
    throw std::runtime_error("redis-benchmark printed no GET rate:\n" + text);
  return std::stod(match[1]);
}

// Verifications per second in this process, on a thread pinned to `cpu`
// (the servers' CPU, idle meanwhile): what a verification alone costs there.
double in_process_verify_rate(bench::VerificationFixture& fixture, int cpu, double seconds) {
  double rate = 0;
  std::thread measure([&] {
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    rate = fixture.rate(seconds);
  });
  measure.join();
  return rate;
}

// CPU time per request, in µs, that a server used between two readings.
bench::CpuTimes per_request(const bench::CpuTimes& before, const bench::CpuTimes& after,
                            std::uint64_t requests) {
  const double scale = 1e6 / static_cast<double>(std::max<std::uint64_t>(requests, 1));
  return {(after.user - before.user) * scale, (after.system - before.system) * scale};
}

std::string microseconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The binary verify port against redis-benchmark GET"};
  int connections = 50;
  int pipeline = 16;
  int runs = 5;
  double seconds = 3;
  double warmup = 1;
  app.add_option("--connections", connections, "Connections on each side")->capture_default_str();
  app.add_option("--pipeline", pipeline, "Requests in flight per connection when pipelined")
      ->capture_default_str();
  app.add_option("--runs", runs, "Interleaved runs; medians are reported")->capture_default_str();
  app.add_option("--seconds", seconds, "Length of each measurement")->capture_default_str();
  app.add_option("--warmup", warmup, "Seconds of unmeasured load first (0: none)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const bench::CpuPlan cpus = bench::cpu_plan();
    testing::TempDir dir;
    bench::Keyledgerd keyledgerd(
        dir / "data",
        {"--threads", "1", "--no-sync", "--no-access-log", "--verify-listen", "127.0.0.1:0"},
        cpus.server);
    std::vector<std::string> tokens;
    for (int i = 0; i < 8; ++i)
      tokens.push_back(keyledgerd.create_key("port bench " + std::to_string(i)));

    const unsigned short redis_port = bench::free_loopback_port();
    bench::ChildProcess redis_server(
        {"redis-server", "--bind", "127.0.0.1", "--port", std::to_string(redis_port), "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--logfile", ""},
        cpus.server, dir / "redis.out");
    bench::wait_for_port(redis_port, std::chrono::seconds(10));
    // GET finds a value about the size of a verify answer.
    bench::run_and_capture({"redis-benchmark", "-h", "127.0.0.1", "-p", std::to_string(redis_port),
                            "-t", "set", "-n", "1000", "-d", "64", "-q"},
                           cpus.load, dir.path());

    // The load generator runs in this process: pin it beside redis-benchmark.
    if (cpus.load >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpus.load, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    // The same verification in this process, over as many keys, so the
    // page can split keyledgerd's time per request into the verification
    // and everything around it.
    bench::VerificationFixture fixture(tokens.size(), "127.0.0.1");
    bench::Table table({"what (" + std::to_string(connections) + " connections)",
                        "per second, median (min–max)", "ratio"});
    bench::Table split({"mode", "Redis, CPU µs per GET", "of it in the kernel",
                        "keyledgerd, CPU µs per verification", "of it in the kernel",
                        "a verification alone (in-process)", "keyledgerd's rest in user space",
                        "ceiling: Redis's CPU per GET plus a verification"});
    bool met = true;
    for (int depth : {1, pipeline}) {
      // redis-benchmark counts requests, not time: size its runs from a probe
      // (which is also its warm-up).
      const double probe = redis_rate(redis_port, connections, depth, warmup > 0 ? 20000 : 2000,
                                      cpus.load, dir.path());
      const auto requests = static_cast<std::uint64_t>(std::max(1000.0, probe * seconds));
      if (warmup > 0)
        bench::verify_port_load(keyledgerd.verify_port(), tokens, connections, depth, warmup);
      bench::Figures redis, keyledger, verification;
      bench::Figures redis_user, redis_kernel, keyledger_user, keyledger_kernel;  // µs per request
      for (int run = 0; run < runs; ++run) {
        const auto redis_before = bench::cpu_times(redis_server.pid());
        redis.add(redis_rate(redis_port, connections, depth, requests, cpus.load, dir.path()));
        const auto redis_cpu =
            per_request(redis_before, bench::cpu_times(redis_server.pid()), requests);
        redis_user.add(redis_cpu.user);
        redis_kernel.add(redis_cpu.system);
        const auto keyledger_before = bench::cpu_times(keyledgerd.pid());
        const auto load =
            bench::verify_port_load(keyledgerd.verify_port(), tokens, connections, depth, seconds);
        keyledger.add(load.per_second);
        const auto keyledger_cpu =
            per_request(keyledger_before, bench::cpu_times(keyledgerd.pid()), load.answered);
        keyledger_user.add(keyledger_cpu.user);
        keyledger_kernel.add(keyledger_cpu.system);
        verification.add(in_process_verify_rate(fixture, cpus.server, std::min(seconds, 1.0)));
        std::fprintf(
            stderr, "depth %d run %d: redis %.0f/s, verify port %.0f/s, in-process %.0f/s\n", depth,
            run + 1, redis.runs.back(), keyledger.runs.back(), verification.runs.back());
      }
      const std::string mode = depth == 1 ? "unpipelined" : "pipeline " + std::to_string(depth);
      table.add_row({"Redis GET, " + mode + " (reference)", bench::format_figures(redis), "100%"});
      table.add_row({"keyledgerd verify port, " + mode, bench::format_figures(keyledger),
                     bench::format_ratio(keyledger.median(), redis.median())});
      met = met && keyledger.median() >= redis.median();
      // If keyledgerd spent on framing, decoding, answering and system calls
      // the time Redis spends on its whole GET, it would reach Redis's
      // rate times this ratio.
      const double redis_us = redis_user.median() + redis_kernel.median();
      const double verify_us = 1e6 / verification.median();
      split.add_row({mode, microseconds(redis_us), microseconds(redis_kernel.median()),
                     microseconds(keyledger_user.median() + keyledger_kernel.median()),
                     microseconds(keyledger_kernel.median()), microseconds(verify_us),
                     microseconds(keyledger_user.median() - verify_us),
                     bench::format_ratio(redis_us, redis_us + verify_us)});
    }
    std::printf("%s\n", table.to_markdown().c_str());
    std::printf("Target (at or above Redis, unpipelined and pipelined): %s.\n",
                met ? "met" : "missed");
    std::printf(
        "\nCPU time per request of each server in the same runs (user and kernel time from "
        "/proc/PID/stat over the requests it served; medians), beside a verification of as many "
        "keys timed in-process on the servers' core. The last column is the ratio a server would "
        "reach, when bound by its CPU, that spent on everything but the verification the CPU "
        "time Redis spends on its whole GET:\n\n%s",
        split.to_markdown().c_str());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 1;
  }
}
