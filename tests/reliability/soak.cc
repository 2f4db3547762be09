#include "tests/reliability/soak.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "tests/reliability/api_calls.h"
#include "tests/reliability/http_session.h"
#include "tests/support/server_process.h"

namespace keyledger::reliability {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

double percentile_ms(std::vector<std::uint32_t>& micros, double fraction) {
  if (micros.empty()) return 0;
  const std::size_t index =
      std::min(micros.size() - 1, static_cast<std::size_t>(fraction * micros.size()));
  std::nth_element(micros.begin(), micros.begin() + index, micros.end());
  return micros[index] / 1000.0;
}

// Latencies and errors of the current interval, shared by the workers.
class IntervalSink {
 public:
  void record(std::chrono::microseconds latency, bool error, const std::string& what) {
    std::lock_guard lock(mutex_);
    latencies_.push_back(static_cast<std::uint32_t>(latency.count()));
    if (error) {
      ++errors_;
      if (samples_.size() < 20) samples_.push_back(what);
    }
  }
  // Takes the interval's figures and starts a new one.
  void take(std::vector<std::uint32_t>& latencies, std::uint64_t& errors,
            std::vector<std::string>& samples) {
    std::lock_guard lock(mutex_);
    latencies.swap(latencies_);
    latencies_.clear();
    errors = errors_;
    errors_ = 0;
    for (auto& sample : samples_)
      if (samples.size() < 20) samples.push_back(std::move(sample));
    samples_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<std::uint32_t> latencies_;
  std::uint64_t errors_ = 0;
  std::vector<std::string> samples_;
};

struct OwnKey {
  std::string id;
  std::string token;
};

// One client on one kept-alive connection: 4.5% key listings, by default
// 0.5% creates, renames and deletes of its own 5-20 keys, the rest
// verifications.
// Changes are rare, as in use: every key ever made stays in the ledger and
// (deleted) in the projection, and RocksDB's memtables grow with every
// change until they are flushed at 64 MiB, so a change-heavy mix measures
// the ledger growing, not the server leaking.
void run_client(int index, int changes_per_10k, unsigned short port,
                const std::string& driver_token, IntervalSink& sink,
                const std::atomic<bool>& stop) {
  const int create_below = changes_per_10k * 3 / 10, delete_below = changes_per_10k * 6 / 10;
  HttpSession session(port, {.keep_alive = true});
  std::mt19937_64 random(index + 1);
  std::vector<OwnKey> keys;
  std::uint64_t count = 0;
  auto timed = [&](const std::string& method, const std::string& target, const std::string& body,
                   const std::map<std::string, std::string>& headers, unsigned expected) {
    const auto started = Clock::now();
    auto reply = session.send(method, target, body, headers);
    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    const bool error = !reply || reply->status != expected;
    sink.record(latency, error,
                method + " " + target.substr(0, 9) + " -> " +
                    (reply ? std::to_string(reply->status) + " " + reply->error_code()
                           : std::string("no reply")));
    return error ? std::optional<Reply>() : reply;
  };
  while (!stop.load()) {
    const int roll = static_cast<int>(random() % 10'000);
    const bool create = keys.size() < 5 || (roll < create_below && keys.size() < 20);
    if (create) {
      const std::string name = "soak-" + std::to_string(index) + "-" + std::to_string(++count);
      auto reply = timed("POST", "/v1/keys", nlohmann::json{{"name", name}}.dump(),
                         with_key(driver_token), 201);
      if (reply)
        keys.push_back(
            {reply->json()["id"].get<std::string>(), reply->json()["key"].get<std::string>()});
    } else if (roll < delete_below) {
      const std::size_t pick = random() % keys.size();
      timed("DELETE", "/v1/keys/" + keys[pick].id, "", with_key(driver_token), 204);
      keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(pick));
    } else if (roll < changes_per_10k) {
      timed("PATCH", "/v1/keys/" + keys[random() % keys.size()].id,
            nlohmann::json{{"name", "soak-renamed-" + std::to_string(++count)}}.dump(),
            with_key(driver_token), 200);
    } else if (roll < changes_per_10k + 450) {
      timed("GET", "/v1/credentials", "", with_key(driver_token), 200);
    } else {
      timed("GET", "/v1/verify", "", with_key(keys[random() % keys.size()].token), 200);
    }
  }
}

double ratio(double later, double earlier) { return earlier > 0 ? later / earlier : 0; }

// Peak of `field` over intervals [from, to).
template <typename Field>
double peak(const std::vector<SoakInterval>& intervals, std::size_t from, std::size_t to,
            Field field) {
  double best = 0;
  for (std::size_t i = from; i < to && i < intervals.size(); ++i)
    best = std::max(best, static_cast<double>(field(intervals[i])));
  return best;
}

void summarise(const SoakOptions& options, SoakReport& report) {
  const auto& rows = report.intervals;
  if (rows.empty()) return;
  const std::size_t warm = std::min<std::size_t>(options.warmup_intervals, rows.size() - 1);
  report.baseline_rss_kib = rows[warm == 0 ? 0 : warm - 1].rss_kib;
  report.final_rss_kib = rows.back().rss_kib;
  report.peak_rss_kib = static_cast<std::uint64_t>(
      peak(rows, warm, rows.size(), [](const SoakInterval& row) { return row.rss_kib; }));
  report.rss_growth_since_baseline =
      ratio(static_cast<double>(report.final_rss_kib), report.baseline_rss_kib) - 1;
  // Thirds of what follows the warm-up.
  const std::size_t measured = rows.size() - warm;
  const std::size_t middle = warm + measured / 3, last = warm + 2 * measured / 3;
  auto rss = [](const SoakInterval& row) { return row.rss_kib; };
  auto p99 = [](const SoakInterval& row) { return row.p99_ms; };
  report.late_rss_growth =
      ratio(peak(rows, last, rows.size(), rss), peak(rows, middle, last, rss)) - 1;
  report.late_p99_ratio = ratio(peak(rows, last, rows.size(), p99), peak(rows, middle, last, p99));
}

}  // namespace

SoakReport run_soak(const SoakOptions& options) {
  SoakReport report;
  testing::ServerProcess server({"--sync", "--no-access-log"});
  auto driver = sign_in_and_create_key(server.port(), "admin", testing::kAdminPassword, "soak");
  if (!driver) {
    report.errors = 1;
    report.error_samples.push_back("could not sign in and create the soak's key");
    return report;
  }
  IntervalSink sink;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < options.workers; ++i)
    clients.emplace_back([&, i] {
      run_client(i, options.changes_per_10k, server.port(), driver->token, sink, stop);
    });

  const auto started = Clock::now();
  auto next = started;
  while (Clock::now() - started < options.duration) {
    next += options.interval;
    std::this_thread::sleep_until(next);
    SoakInterval row;
    std::vector<std::uint32_t> latencies;
    sink.take(latencies, row.errors, report.error_samples);
    row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    row.requests = latencies.size();
    row.p50_ms = percentile_ms(latencies, 0.50);
    row.p99_ms = percentile_ms(latencies, 0.99);
    row.rss_kib = resident_kib(server.pid());
    report.requests += row.requests;
    report.errors += row.errors;
    report.intervals.push_back(row);
    std::ostringstream line;
    line << "t=" << static_cast<int>(row.seconds) << "s requests " << row.requests << " errors "
         << row.errors << " p50 " << row.p50_ms << " ms p99 " << row.p99_ms << " ms rss "
         << row.rss_kib / 1024 << " MiB";
    options.log(line.str());
  }
  stop = true;
  for (auto& client : clients) client.join();
  report.server_alive = ::kill(server.pid(), 0) == 0;
  summarise(options, report);
  return report;
}

std::string describe(const SoakReport& report) {
  std::ostringstream out;
  double seconds = report.intervals.empty() ? 0 : report.intervals.back().seconds;
  out << "intervals: " << report.intervals.size() << " over " << static_cast<int>(seconds) << " s\n"
      << "requests: " << report.requests << " ("
      << (seconds > 0 ? static_cast<std::uint64_t>(report.requests / seconds) : 0) << "/s)\n"
      << "errors: " << report.errors << "\n"
      << "rss: baseline " << report.baseline_rss_kib / 1024 << " MiB after warm-up, peak "
      << report.peak_rss_kib / 1024 << " MiB, final " << report.final_rss_kib / 1024 << " MiB ("
      << static_cast<int>(report.rss_growth_since_baseline * 100) << "% since baseline)\n"
      << "late growth: rss " << static_cast<int>(report.late_rss_growth * 100)
      << "% (last third peak vs middle third), p99 x" << report.late_p99_ratio << "\n"
      << "server alive at the end: " << (report.server_alive ? "yes" : "NO") << "\n";
  for (const auto& sample : report.error_samples) out << "ERROR: " << sample << "\n";
  return out.str();
}

}  // namespace keyledger::reliability
