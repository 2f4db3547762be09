// ctest promtool_check_metrics: exercises a real keyledgerd (sign-in, a
// key, verifications over HTTP and the verify port, good and bad), then has
// Prometheus's own linter, `promtool check metrics` (Debian package
// `prometheus`, installed by tools/setup.sh), read its /metrics.
//
// Exit 0: promtool found nothing. Exit 1: promtool reported anything (a
// parse error or a lint problem; it exits non-zero for both), or the
// server could not be exercised. Exit 77 (ctest's SKIP_RETURN_CODE): only
// when promtool is not installed, so the test never passes without running.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <sstream>
#include <string>

#include "server/client/verify_client.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace keyledger::testing;
constexpr int kSkipped = 77;

// $PROMTOOL if set, else `promtool` on PATH; "" when there is none.
std::string find_promtool() {
  if (const char* given = std::getenv("PROMTOOL"); given && *given) return given;
  const char* path = std::getenv("PATH");
  std::istringstream folders(path ? path : "/usr/bin:/bin");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(folder) / "promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

void expect(bool holds, const std::string& what) {
  if (!holds) throw std::runtime_error(what);
}

// Puts something in every family /metrics has: requests on several routes,
// verifications of each result on both ports, a commit.
std::string exercised_metrics() {
  ServerProcess server({"--verify-listen", "127.0.0.1:0", "--max-failed-verifications", "2"});
  HttpClient admin(server.port());
  expect(admin.login("admin", kAdminPassword).status == 200, "sign-in failed");
  auto created = admin.post_json("/v1/keys", {{"name", "promtool"}});
  expect(created.status == 201, "creating a key failed");
  const std::string token = created.json()["key"];
  HttpClient client(server.port());
  expect(client.get("/v1/verify", {{"MC-Api-Key", token}}).status == 200, "HTTP verify failed");
  for (int i = 0; i < 3; ++i) (void)client.get("/v1/verify", {{"MC-Api-Key", "kl_wrong"}});
  keyledger::client::VerifyClient port("127.0.0.1", server.verify_port());
  auto verified = port.verify(token);
  expect(verified.is_ok() && verified->valid(), "verify-port verify failed");
  expect(port.verify("kl_wrong").is_ok(), "verify-port refusal failed");
  (void)client.get("/no/such/route");
  auto metrics = client.get("/metrics");
  expect(metrics.status == 200, "GET /metrics failed");
  return metrics.body;
}

}  // namespace

int main() {
  const std::string promtool = find_promtool();
  if (promtool.empty()) {
    std::puts("SKIPPED: promtool is not installed (Debian package prometheus; tools/setup.sh)");
    return kSkipped;
  }
  try {
    TempDir folder;
    const auto metrics_file = folder / "metrics.txt";
    write_file(metrics_file, exercised_metrics());
    // promtool reads the metrics on its standard input.
    const CommandResult checked = run_command(
        "/bin/sh", {"-c", "exec \"$0\" check metrics < \"$1\"", promtool, metrics_file.string()});
    std::fputs(checked.out.c_str(), stdout);
    std::fputs(checked.err.c_str(), stderr);
    if (checked.exit_code != 0 || !checked.err.empty()) {
      std::fprintf(stderr, "FAILED: promtool check metrics exited %d on:\n%s\n", checked.exit_code,
                   read_file(metrics_file).c_str());
      return 1;
    }
    std::puts("promtool check metrics: no problems");
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "FAILED: %s\n", error.what());
    return 1;
  }
}
