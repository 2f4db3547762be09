// What every benchmark shares: figures over several runs (median and
// spread), Markdown rows that put a figure beside its reference as a ratio,
// child processes (servers, load generators) that are pinned to a CPU and
// never outlive the benchmark, and a keyledgerd started on loopback.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace keyledger::bench {

// The figures of one quantity over several runs.
struct Figures {
  std::vector<double> runs;
  void add(double value) { runs.push_back(value); }
  double median() const;
  double min() const;
  double max() const;
};

double median(std::vector<double> values);
double seconds_since(std::chrono::steady_clock::time_point start);

// "1,234,567" (or "1.23" for values below 10).
std::string format_number(double value);
// "1,234,567 (1,100,000–1,300,000)": median, then min–max over the runs.
std::string format_figures(const Figures& figures);
// "87%": subject / reference.
std::string format_ratio(double subject, double reference);

// A Markdown table printed row by row.
class Table {
 public:
  explicit Table(std::vector<std::string> columns);
  void add_row(std::vector<std::string> cells);
  std::string to_markdown() const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// A loopback TCP port that was free a moment ago (bound to port 0, then
// released). Used for servers that cannot report the port they picked.
unsigned short free_loopback_port();

// A valid encoded password hash (cheap scrypt cost) for fixture users.
std::string fixture_password_hash();

// Waits until something accepts connections on 127.0.0.1:`port`; throws
// after `timeout`.
void wait_for_port(unsigned short port, std::chrono::milliseconds timeout);

// The CPUs to pin the server and the load generator to, so the two never
// compete for one core: {0, 1} on a machine with two or more CPUs, no
// pinning (-1) on one CPU or when KEYLEDGER_BENCH_NO_PIN is set.
struct CpuPlan {
  int server = -1;
  int load = -1;
};
CpuPlan cpu_plan();

// A child process started with execv. It is pinned to `cpu` (unless -1),
// writes stdout and stderr to `output_path` (unless empty: inherited), and
// receives SIGTERM if the benchmark dies, so nothing is left running.
// The destructor stops it with SIGTERM (then SIGKILL after 5 s).
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, int cpu, std::filesystem::path output_path = {},
               std::map<std::string, std::string> environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for exit; returns the exit status (128 + signal if killed).
  int wait();
  // True if it has exited (then wait() returns at once).
  bool exited();
  // Sends `signal` and waits (escalating to SIGKILL after 5 s).
  int stop(int signal);
  std::string output() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::filesystem::path output_path_;
};

// nginx in the foreground on 127.0.0.1:`port`, pinned to `cpu`, with a
// minimal configuration written to `dir`: `workers` worker processes, no
// access log, keep-alive without a request limit, and `body` as a fixed
// JSON 200 for every path. Returns once it accepts connections.
std::unique_ptr<ChildProcess> start_nginx(const std::filesystem::path& dir, unsigned short port,
                                          int workers, int cpu, const std::string& body);

// Runs `argv` to completion pinned to `cpu`; returns its stdout. Throws if
// it cannot start or exits non-zero.
std::string run_and_capture(const std::vector<std::string>& argv, int cpu,
                            const std::filesystem::path& scratch);

// keyledgerd on a loopback port with `data_dir`, pinned to `cpu`. The
// constructor returns once it listens (throws if it exits or takes > 120 s).
class Keyledgerd {
 public:
  static constexpr const char* kAdminPassword = "bench-admin-password";
  Keyledgerd(const std::filesystem::path& data_dir, std::vector<std::string> extra_args, int cpu);
  unsigned short http_port() const { return http_port_; }
  unsigned short verify_port() const { return verify_port_; }
  pid_t pid() const { return process_.pid(); }
  int stop() { return process_.stop(15); }
  // Signs in as admin and creates a key; returns its token.
  std::string create_key(const std::string& name) const;

 private:
  ChildProcess process_;
  unsigned short http_port_ = 0;
  unsigned short verify_port_ = 0;
};

// wrk's summary: requests per second and the 99th percentile latency.
struct WrkResult {
  std::uint64_t requests = 0;  // answered in the whole run
  double requests_per_second = 0;
  double p99_ms = 0;
  std::uint64_t non_2xx = 0;
};
// Runs `wrk --latency -t1 -c<connections> -d<seconds>s` against
// http://127.0.0.1:<port><path>, pinned to `cpu`. `script` (optional) is a
// Lua file for wrk's -s.
WrkResult run_wrk(unsigned short port, const std::string& path, int connections, double seconds,
                  int cpu, const std::vector<std::string>& headers,
                  const std::filesystem::path& scratch, const std::filesystem::path& script = {});

// CPU time `pid` has used so far, over all its threads, in seconds
// (utime and stime of /proc/PID/stat): user space and the kernel on its
// behalf.
struct CpuTimes {
  double user = 0;
  double system = 0;
};
CpuTimes cpu_times(pid_t pid);

// Resident set size of `pid` in bytes (VmRSS from /proc/PID/status).
std::uint64_t resident_bytes(pid_t pid);

}  // namespace keyledger::bench
