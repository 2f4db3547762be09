#include "tests/reliability/crash_loop.h"

#include <atomic>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "tests/reliability/api_calls.h"
#include "tests/reliability/http_session.h"
#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/server_process.h"

namespace keyledger::reliability {
namespace {

using Clock = std::chrono::steady_clock;
using testing::ServerProcess;

// What the workers of one cycle saw, besides what went into the model.
struct CycleCounters {
  std::mutex mutex;
  std::uint64_t verifies = 0;
  std::uint64_t verify_mismatches = 0;
  std::map<unsigned, std::uint64_t> refusals_by_status;
  std::vector<std::string> problems;
};

class Worker {
 public:
  Worker(int index, int cycle, unsigned short port, const std::string& driver_token,
         LedgerModel& model, CycleCounters& counters, std::uint64_t seed)
      : index_(index),
        cycle_(cycle),
        session_(port),
        auth_(with_key(driver_token)),
        model_(model),
        counters_(counters),
        random_(seed) {}

  // Sends requests one after another until one gets no reply (the server
  // was killed) or `stop` is set.
  void run(const std::atomic<bool>& stop) {
    while (!stop.load() && step()) {
    }
  }

 private:
  bool step() {
    const int roll = static_cast<int>(random_() % 100);
    if (model_.live_count(index_) < 3 || roll < 35) return create();
    auto key = model_.pick_live(index_, random_());
    if (!key) return create();
    if (roll < 60) return rename(*key);
    if (roll < 80) return remove(*key);
    return verify(*key);
  }

  std::string next_name() {
    return "w" + std::to_string(index_) + "-c" + std::to_string(cycle_) + "-" +
           std::to_string(++requests_);
  }

  // Sends a change and records its outcome; false when no reply came.
  bool change(Change change, const std::string& method, const std::string& target,
              const std::string& body, unsigned ok_status) {
    change.worker = index_;
    const auto ticket = model_.begin(change);
    auto reply = session_.send(method, target, body, auth_);
    if (!reply) {
      if (session_.never_connected())
        model_.withdrawn(ticket);
      else
        model_.unanswered(ticket);
      return false;
    }
    if (reply->status != ok_status) {
      model_.refused(ticket);
      std::lock_guard lock(counters_.mutex);
      ++counters_.refusals_by_status[reply->status];
      return true;
    }
    if (change.kind == ChangeKind::kCreate) {
      auto json = reply->json();
      model_.acknowledged(ticket, json["id"].get<std::string>(), json["key"].get<std::string>());
    } else {
      model_.acknowledged(ticket);
    }
    return true;
  }

  bool create() {
    const std::string name = next_name();
    return change({ChangeKind::kCreate, "", name, 0}, "POST", "/v1/keys",
                  nlohmann::json{{"name", name}}.dump(), 201);
  }
  bool rename(const ModelKey& key) {
    const std::string name = next_name() + "-renamed";
    return change({ChangeKind::kRename, key.id, name, 0}, "PATCH", "/v1/keys/" + key.id,
                  nlohmann::json{{"name", name}}.dump(), 200);
  }
  bool remove(const ModelKey& key) {
    return change({ChangeKind::kDelete, key.id, "", 0}, "DELETE", "/v1/keys/" + key.id, "", 204);
  }

  // A live key must verify, and half of the time a deleted one is tried:
  // it must answer 401 from the very next request.
  bool verify(const ModelKey& live_key) {
    ModelKey key = live_key;
    if (random_() % 2 == 0) {
      if (auto deleted = model_.pick_deleted(index_, random_())) key = *deleted;
    }
    if (key.token.empty()) return true;
    auto reply = session_.send("GET", "/v1/verify", "", with_key(key.token));
    if (!reply) return false;
    const unsigned expected = key.deleted ? 401 : 200;
    std::lock_guard lock(counters_.mutex);
    ++counters_.verifies;
    if (reply->status != expected) {
      ++counters_.verify_mismatches;
      counters_.problems.push_back("cycle " + std::to_string(cycle_) + ": key " + key.id +
                                   " answered " + std::to_string(reply->status) + " instead of " +
                                   std::to_string(expected));
    }
    return true;
  }

  int index_;
  int cycle_;
  HttpSession session_;
  std::map<std::string, std::string> auth_;
  LedgerModel& model_;
  CycleCounters& counters_;
  std::mt19937_64 random_;
  std::uint64_t requests_ = 0;
};

// `keyledger verify` on the folder of the dead server: the chain and the
// stored projection must be intact exactly as the crash left them.
bool verify_on_disk(const std::filesystem::path& data_dir, std::string& output) {
  auto result =
      testing::run_command(testing::keyledger_tool_path(), {"verify", "--data", data_dir.string()});
  output = result.out + result.err;
  return result.exit_code == 0;
}

}  // namespace

CrashLoopReport run_crash_loop(const CrashLoopOptions& options) {
  CrashLoopReport report;
  report.seed = options.seed ? options.seed : std::random_device{}();
  std::mt19937_64 random(report.seed);
  // Sync as in production; verification failures are part of the traffic,
  // so the per-client failure limit must not turn them into 429s.
  const std::vector<std::string> args = {"--sync", "--max-failed-verifications", "1000000",
                                         "--no-access-log"};
  std::unique_ptr<ServerProcess> server =
      options.data_dir.empty() ? std::make_unique<ServerProcess>(args)
                               : std::make_unique<ServerProcess>(options.data_dir, args);
  auto driver =
      sign_in_and_create_key(server->port(), "admin", testing::kAdminPassword, "crash loop driver");
  if (!driver) {
    report.problems.push_back("could not sign in and create the driver key");
    return report;
  }
  LedgerModel model;
  model.ignore_key(driver->id);

  for (int cycle = 1; cycle <= options.cycles; ++cycle) {
    CycleCounters counters;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < options.workers; ++w) {
      threads.emplace_back([&, w, seed = random()] {
        Worker(w, cycle, server->port(), driver->token, model, counters, seed).run(stop);
      });
    }
    const auto spread = (options.max_run - options.min_run).count();
    const auto run_for =
        options.min_run + std::chrono::milliseconds(spread > 0 ? random() % (spread + 1) : 0);
    std::this_thread::sleep_for(run_for);
    server->kill_hard();  // mid-traffic: workers are still sending
    stop = true;
    for (auto& thread : threads) thread.join();

    std::string verify_output;
    if (!verify_on_disk(server->data_dir(), verify_output)) {
      ++report.ledger_verify_failures;
      report.problems.push_back("cycle " + std::to_string(cycle) + ": keyledger verify failed:\n" +
                                verify_output);
    }
    const auto restart_started = Clock::now();
    try {
      server->restart();
    } catch (const std::exception& error) {
      report.problems.push_back("cycle " + std::to_string(cycle) +
                                ": keyledgerd did not restart: " + error.what());
      return report;
    }
    const auto restart =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restart_started);
    report.total_restart += restart;
    report.max_restart = std::max(report.max_restart, restart);

    HttpSession checker(server->port(), {.keep_alive = true});
    auto observed = list_keys(checker, driver->token);
    if (!observed) {
      report.problems.push_back("cycle " + std::to_string(cycle) + ": listing keys failed");
      return report;
    }
    CheckReport check = model.reconcile(*observed, [&](const std::string& token) {
      auto reply = checker.send("GET", "/v1/verify", "", with_key(token));
      return reply ? std::optional<unsigned>(reply->status) : std::nullopt;
    });
    report.cycles = cycle;
    report.lost += check.lost;
    report.violations += check.violations;
    report.in_flight_applied += check.in_flight_applied;
    report.in_flight_not_applied += check.in_flight_not_applied;
    report.verifies += counters.verifies;
    report.verify_mismatches += counters.verify_mismatches;
    for (const auto& [status, count] : counters.refusals_by_status)
      report.refusals_by_status[status] += count;
    for (auto& problem : check.problems)
      report.problems.push_back("cycle " + std::to_string(cycle) + ": " + problem);
    for (auto& problem : counters.problems) report.problems.push_back(problem);

    const ModelTotals totals = model.totals();
    std::ostringstream line;
    line << "cycle " << cycle << ": killed after " << run_for.count() << " ms; restart "
         << restart.count() << " ms; acked so far " << totals.acked() << "; keys checked "
         << check.keys_checked << " (tokens " << check.tokens_checked << "); in flight applied "
         << check.in_flight_applied << " / not applied " << check.in_flight_not_applied << "; lost "
         << check.lost << "; violations " << check.violations;
    options.log(line.str());
  }
  report.totals = model.totals();
  return report;
}

std::string describe(const CrashLoopReport& report) {
  std::ostringstream out;
  const auto& t = report.totals;
  out << "seed " << report.seed << "\n"
      << "cycles run: " << report.cycles << "\n"
      << "acknowledged changes: " << t.acked() << " (creates " << t.acked_creates << ", renames "
      << t.acked_renames << ", deletes " << t.acked_deletes << ")\n"
      << "verifications during traffic: " << report.verifies << " (wrong answers "
      << report.verify_mismatches << ")\n"
      << "in flight at a kill: " << t.unanswered << " unanswered -> applied whole "
      << report.in_flight_applied << ", not applied " << report.in_flight_not_applied
      << "; never sent " << t.withdrawn << "\n"
      << "refused changes (non-2xx):";
  if (report.refusals_by_status.empty()) out << " none";
  for (const auto& [status, count] : report.refusals_by_status)
    out << " " << status << "x" << count;
  out << "\n"
      << "keyledger verify failures after a kill: " << report.ledger_verify_failures << "\n"
      << "restart time: max " << report.max_restart.count() << " ms, mean "
      << (report.cycles ? report.total_restart.count() / report.cycles : 0) << " ms\n"
      << "half-applied or unexplained changes: " << report.violations << "\n"
      << "acknowledged events lost: " << report.lost << "\n";
  for (const auto& problem : report.problems) out << "PROBLEM: " << problem << "\n";
  return out.str();
}

}  // namespace keyledger::reliability
