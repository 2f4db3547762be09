#include "tests/bench/bench_common.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/password_hasher.h"
#include "core/random.h"
#include "tests/support/binaries.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace keyledger::bench {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

double Figures::median() const { return bench::median(runs); }
double Figures::min() const {
  return runs.empty() ? 0 : *std::min_element(runs.begin(), runs.end());
}
double Figures::max() const {
  return runs.empty() ? 0 : *std::max_element(runs.begin(), runs.end());
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string format_number(double value) {
  if (std::fabs(value) < 10) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
  }
  std::string digits = std::to_string(static_cast<long long>(std::llround(value)));
  std::string out;
  const std::size_t first = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_figures(const Figures& figures) {
  if (figures.runs.size() < 2) return format_number(figures.median());
  return format_number(figures.median()) + " (" + format_number(figures.min()) + "–" +
         format_number(figures.max()) + ")";
}

std::string format_ratio(double subject, double reference) {
  if (reference <= 0) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.0f%%", 100.0 * subject / reference);
  return text;
}

Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

std::string Table::to_markdown() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& cell : cells) out += " " + cell + " |";
    return out + "\n";
  };
  std::string out = line(columns_);
  out += line(std::vector<std::string>(columns_.size(), "---"));
  for (const auto& row : rows_) out += line(row);
  return out;
}

unsigned short free_loopback_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(0)});
  return acceptor.local_endpoint().port();
}

std::string fixture_password_hash() {
  SeededRandom random(1);
  return PasswordHasher(random, ScryptCost{10, 8, 1}).hash("bench-password").value();
}

void wait_for_port(unsigned short port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::asio::io_context io;
  for (;;) {
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code error;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, error);
    if (!error) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("nothing listens on port " + std::to_string(port));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

CpuPlan cpu_plan() {
  if (std::getenv("KEYLEDGER_BENCH_NO_PIN") != nullptr) return {};
  if (std::thread::hardware_concurrency() < 2) return {};
  return {0, 1};
}

ChildProcess::ChildProcess(std::vector<std::string> argv, int cpu,
                           std::filesystem::path output_path,
                           std::map<std::string, std::string> environment)
    : output_path_(std::move(output_path)) {
  // Removed before the fork: whoever reads the output must never see what an
  // earlier process wrote there.
  std::error_code ignored;
  if (!output_path_.empty()) std::filesystem::remove(output_path_, ignored);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // The benchmark may die without running destructors; take the child
    // down with it (SIGTERM lets nginx and redis stop their workers).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    if (!output_path_.empty()) {
      int fd = ::open(output_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
    }
    for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited()) stop(SIGTERM);
}

int ChildProcess::wait() {
  if (status_ >= 0 || pid_ <= 0) return status_;
  int status = 0;
  waitpid(pid_, &status, 0);
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

bool ChildProcess::exited() {
  if (status_ >= 0) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

int ChildProcess::stop(int signal) {
  if (exited()) return status_;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!exited()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      return wait();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

std::string ChildProcess::output() const {
  std::ifstream in(output_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<ChildProcess> start_nginx(const std::filesystem::path& dir, unsigned short port,
                                          int workers, int cpu, const std::string& body) {
  const std::string d = dir.string();
  std::ofstream config(dir / "nginx.conf");
  config << "daemon off;\nmaster_process on;\nworker_processes " << workers << ";\n"
         << "pid " << d << "/nginx.pid;\nerror_log " << d << "/error.log warn;\n"
         << "events { worker_connections 4096; }\n"
         << "http {\n  access_log off;\n  keepalive_requests 100000000;\n"
         << "  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d << "/proxy;\n"
         << "  fastcgi_temp_path " << d << "/fastcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n"
         << "  scgi_temp_path " << d << "/scgi;\n"
         << "  server {\n    listen 127.0.0.1:" << port << ";\n"
         << "    location / { default_type application/json; return 200 '" << body << "'; }\n"
         << "  }\n}\n";
  config.close();
  auto nginx = std::make_unique<ChildProcess>(
      std::vector<std::string>{"nginx", "-p", d, "-e", d + "/error.log", "-c", d + "/nginx.conf"},
      cpu, dir / "nginx.out");
  wait_for_port(port, std::chrono::seconds(10));
  return nginx;
}

std::string run_and_capture(const std::vector<std::string>& argv, int cpu,
                            const std::filesystem::path& scratch) {
  static int serial = 0;  // unique output names within this process
  const auto output = scratch / (std::filesystem::path(argv[0]).filename().string() + "-" +
                                 std::to_string(++serial) + ".out");
  ChildProcess child(argv, cpu, output);
  const int status = child.wait();
  std::string text = child.output();
  if (status != 0)
    throw std::runtime_error(argv[0] + " exited with " + std::to_string(status) + ":\n" + text);
  return text;
}

Keyledgerd::Keyledgerd(const std::filesystem::path& data_dir, std::vector<std::string> extra_args,
                       int cpu)
    : process_(
          [&] {
            std::vector<std::string> argv = {testing::keyledgerd_path(),
                                             "--data",
                                             data_dir.string(),
                                             "--listen",
                                             "127.0.0.1:0",
                                             "--scrypt-cost",
                                             "10",
                                             "--log-level",
                                             "warn"};
            argv.insert(argv.end(), extra_args.begin(), extra_args.end());
            return argv;
          }(),
          cpu, data_dir.string() + ".log", {{"KEYLEDGER_ADMIN_PASSWORD", kAdminPassword}}) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = process_.output();
    if (const auto ports = testing::listening_ports(text); ports.http != 0) {
      http_port_ = ports.http;
      verify_port_ = ports.verify;
      return;
    }
    if (process_.exited()) throw std::runtime_error("keyledgerd exited at start:\n" + text);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("keyledgerd did not start listening:\n" + process_.output());
}

std::string Keyledgerd::create_key(const std::string& name) const {
  testing::HttpClient client(http_port_);
  if (client.login("admin", kAdminPassword).status != 200)
    throw std::runtime_error("bench: could not sign in as admin");
  auto created = client.post_json("/v1/keys", {{"name", name}});
  if (created.status / 100 != 2)
    throw std::runtime_error("bench: creating a key failed: " + created.body);
  return created.json()["key"].get<std::string>();
}

namespace {

double milliseconds_of(const std::string& number, const std::string& unit) {
  const double value = std::stod(number);
  if (unit == "us") return value / 1000;
  if (unit == "s") return value * 1000;
  return value;  // ms
}

}  // namespace

WrkResult run_wrk(unsigned short port, const std::string& path, int connections, double seconds,
                  int cpu, const std::vector<std::string>& headers,
                  const std::filesystem::path& scratch, const std::filesystem::path& script) {
  std::vector<std::string> argv = {
      "wrk", "--latency", "-t1", "-c" + std::to_string(connections),
      "-d" + std::to_string(std::max(1, int(std::lround(seconds)))) + "s"};
  for (const auto& header : headers) {
    argv.push_back("-H");
    argv.push_back(header);
  }
  if (!script.empty()) {
    argv.push_back("-s");
    argv.push_back(script.string());
  }
  argv.push_back("http://127.0.0.1:" + std::to_string(port) + path);
  const std::string text = run_and_capture(argv, cpu, scratch);
  WrkResult result;
  std::smatch match;
  if (std::regex_search(text, match, std::regex("Requests/sec:\\s+([0-9.]+)")))
    result.requests_per_second = std::stod(match[1]);
  else
    throw std::runtime_error("wrk printed no Requests/sec:\n" + text);
  if (std::regex_search(text, match, std::regex("99%\\s+([0-9.]+)(us|ms|s)")))
    result.p99_ms = milliseconds_of(match[1], match[2]);
  if (std::regex_search(text, match, std::regex("Non-2xx or 3xx responses:\\s+([0-9]+)")))
    result.non_2xx = std::stoull(match[1]);
  if (std::regex_search(text, match, std::regex("([0-9]+) requests in")))
    result.requests = std::stoull(match[1]);
  return result;
}

CpuTimes cpu_times(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces; fields after its closing
  // parenthesis are plain numbers. utime and stime are fields 14 and 15.
  const auto name_end = text.rfind(')');
  if (name_end == std::string::npos) throw std::runtime_error("cannot read /proc/PID/stat");
  std::istringstream fields(text.substr(name_end + 2));
  std::string field;
  for (int number = 3; number < 14; ++number) fields >> field;
  double user_ticks = 0, system_ticks = 0;
  fields >> user_ticks >> system_ticks;
  if (!fields) throw std::runtime_error("cannot parse /proc/PID/stat");
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {user_ticks / ticks_per_second, system_ticks / ticks_per_second};
}

std::uint64_t resident_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // kB
  return 0;
}

}  // namespace keyledger::bench
