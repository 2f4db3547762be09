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
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <regex>
#include <stdexcept>
#include <thread>

#include "core/stream_framing.h"
#include "server/client/verify_wire.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/verification_fixture.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace keyledger;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One connection of the load generator. The request bytes are built once
// (redis-benchmark also reuses its command buffer); every answer is decoded
// and must say the key is valid.
class LoadConnection {
 public:
  LoadConnection(asio::io_context& io, std::string batch, int depth, std::uint64_t& answered,
                 std::uint64_t& errors, const bool& stopping)
      : socket_(io),
        batch_(std::move(batch)),
        depth_(depth),
        answered_(answered),
        errors_(errors),
        stopping_(stopping) {}

  void start(unsigned short port) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(tcp::no_delay(true));
    send();
  }

 private:
  void send() {
    if (stopping_) return;
    outstanding_ = depth_;
    asio::async_write(socket_, asio::buffer(batch_),
                      [this](boost::system::error_code error, std::size_t) {
                        if (error) return fail();
                        receive();
                      });
  }

  void receive() {
    socket_.async_read_some(asio::buffer(chunk_), [this](boost::system::error_code error,
                                                         std::size_t n) {
      if (error) return fail();
      buffer_.append(chunk_.data(), n);
      std::size_t used = 0;
      for (;;) {
        auto size =
            complete_frame_size(std::string_view(buffer_).substr(used), client::kMaxAnswerBytes);
        if (!size.is_ok()) return fail();
        if (*size == 0) break;
        client::VerifyAnswer answer;
        std::uint64_t id = 0;
        if (!client::decode_verify_answer(std::string_view(buffer_).substr(used, *size), answer, id)
                 .is_ok() ||
            !answer.valid())
          ++errors_;
        used += *size;
        --outstanding_;
        ++answered_;
      }
      buffer_.erase(0, used);
      if (outstanding_ > 0) return receive();
      send();
    });
  }

  void fail() {
    ++errors_;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  std::string batch_;
  int depth_;
  int outstanding_ = 0;
  std::string buffer_;
  std::array<char, 16384> chunk_;
  std::uint64_t& answered_;
  std::uint64_t& errors_;
  const bool& stopping_;
};

struct LoadResult {
  double per_second = 0;       // over `seconds`, after a short ramp that is not counted
  std::uint64_t answered = 0;  // all answers, the ramp's too
};

LoadResult verify_port_load(unsigned short port, const std::vector<std::string>& tokens,
                            int connections, int depth, double seconds) {
  asio::io_context io;
  std::uint64_t answered = 0, errors = 0;
  bool stopping = false;
  std::vector<std::unique_ptr<LoadConnection>> load;
  for (int c = 0; c < connections; ++c) {
    std::string batch;
    for (int i = 0; i < depth; ++i)
      batch +=
          client::encode_verify_request(static_cast<std::uint64_t>(i + 1),
                                        tokens[static_cast<std::size_t>(c) % tokens.size()], "");
    load.push_back(
        std::make_unique<LoadConnection>(io, std::move(batch), depth, answered, errors, stopping));
    load.back()->start(port);
  }
  std::uint64_t answered_at_start = 0;
  std::chrono::steady_clock::time_point started;
  asio::steady_timer timer(io);
  timer.expires_after(std::chrono::milliseconds(200));
  timer.async_wait([&](boost::system::error_code) {
    answered_at_start = answered;
    started = std::chrono::steady_clock::now();
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds)));
    timer.async_wait([&](boost::system::error_code) { stopping = true; });
  });
  io.run();  // ends when every connection finished its last batch
  const double elapsed = bench::seconds_since(started);
  if (errors > 0) throw std::runtime_error(std::to_string(errors) + " verify answers failed");
  return {static_cast<double>(answered - answered_at_start) / elapsed, answered};
}

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
        verify_port_load(keyledgerd.verify_port(), tokens, connections, depth, warmup);
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
            verify_port_load(keyledgerd.verify_port(), tokens, connections, depth, seconds);
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
