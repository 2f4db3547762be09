// Storage faults other than a full disk: the data folder's writes or syncs
// fail with EIO (injected into a real keyledgerd by io_fault_shim.cc with
// LD_PRELOAD). A change whose write or sync failed must never be
// acknowledged; the server must stay up and keep serving reads and
// verification; and after a restart every acknowledged change is there,
// a failed one is there whole or not at all, and the ledger verifies.
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>

#include "tests/reliability/fault_test_support.h"
#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace keyledger::reliability {
namespace {

using testing::ServerProcess;
using testing::TempDir;

// Switches the injected fault of every process reading `control`.
void set_fault(const std::filesystem::path& control, const std::string& fault) {
  std::ofstream(control, std::ios::trunc) << fault;
}

std::uintmax_t injected_failures(const std::filesystem::path& control) {
  std::error_code error;
  const auto size = std::filesystem::file_size(control.string() + ".injected", error);
  return error ? 0 : size;
}

std::map<std::string, std::string> fault_environment(const std::filesystem::path& data,
                                                     const std::filesystem::path& control) {
  std::string asan_options = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  // A preloaded library comes before the sanitizer runtime in the list of
  // loaded libraries, which ASan refuses unless told otherwise.
  asan_options += (asan_options.empty() ? "" : ":") + std::string("verify_asan_link_order=0");
  return {{"LD_PRELOAD", KEYLEDGER_IO_FAULT_SHIM},
          {"KEYLEDGER_IO_FAULT_DIR", data.string()},
          {"KEYLEDGER_IO_FAULT_CONTROL", control.string()},
          {"ASAN_OPTIONS", asan_options}};
}

}  // namespace

TEST_CASE("failing writes or syncs are never acknowledged and lose nothing acknowledged",
          "[reliability][faults]") {
  const std::string fault = GENERATE(as<std::string>{}, "write", "sync");
  INFO("injected fault: every " << fault << " of the data folder fails with EIO");
  TempDir scratch;
  const auto data = scratch / "data";
  const auto control = scratch / "io-fault";
  ServerProcess server(data, {"--sync", "--no-access-log"}, fault_environment(data, control));
  auto driver =
      sign_in_and_create_key(server.port(), "admin", testing::kAdminPassword, "faults driver");
  REQUIRE(driver);
  LedgerModel model;
  model.ignore_key(driver->id);
  HttpSession session(server.port());
  std::vector<ApiKey> acknowledged;
  for (int i = 0; i < 5; ++i) {
    CreateOutcome outcome =
        create_key(session, driver->token, model, "before-" + std::to_string(i));
    REQUIRE(outcome.status == 201);
    acknowledged.push_back(outcome.key);
  }

  set_fault(control, fault);
  for (int i = 0; i < 10; ++i) {
    CreateOutcome outcome = create_key(session, driver->token, model,
                                       "failing-" + std::to_string(i), On503::kOutcomeUnknown);
    REQUIRE(outcome.status == 503);  // answered, and never acknowledged
    CHECK(outcome.error_code == "storage_unavailable");
  }
  CHECK(injected_failures(control) > 0);

  // Up and serving from memory: health, listing and verification of every
  // acknowledged key (not a reconcile with the model: what the failed
  // changes left in the log shows only after a restart, see below).
  auto health = session.send("GET", "/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto listed = list_keys(session, driver->token);
  REQUIRE(listed);
  for (const auto& key : acknowledged) {
    CHECK(listed->count(key.id) == 1);
    auto verified = session.send("GET", "/v1/verify", "", with_key(key.token));
    REQUIRE(verified);
    CHECK(verified->status == 200);
  }
  // Monitoring sees the failure: ready (it still serves) but storage failing.
  auto ready = session.send("GET", "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  CHECK(ready->json()["storage"] == "failing");
  CHECK_FALSE(ready->json().contains("storage_error"));  // paths stay in the log
  CHECK(server.output().find("IO error") != std::string::npos);
  auto metrics = session.send("GET", "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("keyledger_storage_failing 1") != std::string::npos);

  // The disk is healthy again. RocksDB treats a failed log write or sync as
  // fatal (after a failed sync the page cache can no longer be trusted), so
  // this process keeps refusing changes, cleanly, rather than acknowledge
  // one it cannot keep; a restart recovers from the log.
  set_fault(control, "");
  CreateOutcome after =
      create_key(session, driver->token, model, "after-fault", On503::kOutcomeUnknown);
  CHECK(after.status == 503);

  server.kill_hard();
  auto verified =
      testing::run_command(testing::keyledger_tool_path(), {"verify", "--data", data.string()});
  INFO("keyledger verify: " << verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  server.restart();
  HttpSession fresh(server.port());
  for (int i = 0; i < 3; ++i)
    CHECK(create_key(fresh, driver->token, model, "restarted-" + std::to_string(i)).status == 201);
  CheckReport after_restart = check_against_model(model, server.port(), driver->token);
  INFO("server output:\n" << server.output());
  INFO("problems: " << joined(after_restart.problems));
  CHECK(after_restart.ok());
  CHECK(after_restart.lost == 0);
  std::printf(
      "io faults (%s): 10 of 10 changes answered 503 while the fault lasted (%ju failures "
      "injected) and after it cleared; after a restart: %llu failed changes present whole, %llu "
      "absent, %llu acknowledged lost\n",
      fault.c_str(), injected_failures(control),
      static_cast<unsigned long long>(after_restart.in_flight_applied),
      static_cast<unsigned long long>(after_restart.in_flight_not_applied),
      static_cast<unsigned long long>(after_restart.lost));
}

}  // namespace keyledger::reliability
