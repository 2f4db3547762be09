// `keyledger audit` and `verify` against the data folder of a real
// keyledgerd while it is writing: every run succeeds, verify always finds
// the log intact, and the audit never shrinks between runs.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/tools/scripted_history.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

constexpr int kOperations = 200;
constexpr int kChunk = 40;  // operations written while one tool run starts

struct Counts {
  int created = 0, renamed = 0, deleted = 0, failed = 0;
};

// Progress shared by the writer thread and the test.
struct Shared {
  std::atomic<int> runs_started{0};
  std::atomic<bool> writer_done{false};
  std::atomic<bool> stop{false};  // the test is leaving early
};

// Creates, renames and deletes keys through the HTTP API: kOperations
// requests in a fixed pattern (create, rename, create, delete, ...). Each
// chunk of kChunk requests starts only once another tool run has started,
// so the tools read while the server writes, however fast either side is.
void write_keys(unsigned short port, Counts& counts, Shared& shared) {
  HttpClient admin(port);
  if (admin.login("admin", kAdminPassword).status != 200) {
    ++counts.failed;
    shared.writer_done = true;
    return;
  }
  std::vector<std::string> live;
  for (int i = 0; i < kOperations && !shared.stop; ++i) {
    while (i % kChunk == 0 && shared.runs_started <= i / kChunk && !shared.stop)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (i % 4 == 1 && !live.empty()) {
      auto renamed =
          admin.patch_json("/v1/keys/" + live.back(), {{"name", "renamed " + std::to_string(i)}});
      renamed.status == 200 ? ++counts.renamed : ++counts.failed;
    } else if (i % 4 == 3 && !live.empty()) {
      auto deleted = admin.del("/v1/keys/" + live.front());
      deleted.status == 204 ? ++counts.deleted : ++counts.failed;
      live.erase(live.begin());
    } else {
      auto created = admin.post_json("/v1/keys", {{"name", "key " + std::to_string(i)}});
      if (created.status != 201) {
        ++counts.failed;
        continue;
      }
      ++counts.created;
      live.push_back(created.json()["id"].get<std::string>());
    }
  }
  shared.writer_done = true;
}

// Joins the writer however the test ends (a failed REQUIRE throws).
class WriterThread {
 public:
  WriterThread(unsigned short port, Counts& counts, Shared& shared)
      : shared_(shared), thread_([port, &counts, &shared] { write_keys(port, counts, shared); }) {}
  ~WriterThread() {
    shared_.stop = true;
    if (thread_.joinable()) thread_.join();
  }
  void join() { thread_.join(); }

 private:
  Shared& shared_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("audit and verify read a data folder that keyledgerd is writing to", "[tools][live]") {
  ServerProcess server;
  const std::string data = server.data_dir().string();
  Counts counts;
  Shared shared;
  WriterThread writer(server.port(), counts, shared);

  std::size_t last_rows = 0;
  std::uint64_t last_seq = 0;
  int runs = 0;
  // Runs while the writer is busy, then one more after it is done.
  for (bool final_run = false; !final_run; ++runs) {
    final_run = shared.writer_done;
    ++shared.runs_started;  // lets the writer start its next chunk
    auto audit = run_keyledger({"audit", "--format", "json", "--data", data});
    INFO("audit run " << runs << "\n" << audit.err);
    REQUIRE(audit.exit_code == 0);
    const json rows = parse_json(audit.out);
    REQUIRE(rows.is_array());
    CHECK(rows.size() >= last_rows);
    last_rows = rows.size();

    auto verify = run_keyledger({"verify", "--data", data});
    INFO("verify run " << runs << "\n" << verify.out << verify.err);
    REQUIRE(verify.exit_code == 0);
    REQUIRE(verify.out.rfind("ok: ", 0) == 0);
    const auto head_at = verify.out.find("head seq ");
    REQUIRE(head_at != std::string::npos);
    const std::uint64_t seq = std::stoull(verify.out.substr(head_at + 9));
    CHECK(seq >= last_seq);
    last_seq = seq;
  }
  writer.join();
  CHECK(runs > kOperations / kChunk);
  INFO(server.output().substr(0, 2000));
  CHECK(counts.failed == 0);
  CHECK(counts.created + counts.renamed + counts.deleted == kOperations);

  // Everything the server acknowledged is in the audit, in order.
  auto audit = run_keyledger({"audit", "--format", "json", "--data", data, "--actor", "admin"});
  REQUIRE(audit.exit_code == 0);
  const json rows = parse_json(audit.out);
  int created = 0, renamed = 0, deleted = 0;
  std::uint64_t previous = 0;
  for (const auto& row : rows) {
    const std::uint64_t seq = row["seq"].get<std::uint64_t>();
    CHECK(seq > previous);
    previous = seq;
    const std::string action = row["action"];
    created += action == "key_created";
    renamed += action == "key_renamed";
    deleted += action == "key_deleted";
  }
  CHECK(created == counts.created);
  CHECK(renamed == counts.renamed);
  CHECK(deleted == counts.deleted);

  auto verify = run_keyledger({"verify", "--data", data});
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("head seq " + std::to_string(last_seq) + " ") != std::string::npos);
  auto stats = run_keyledger({"stats", "--format", "json", "--data", data});
  CHECK(stats.exit_code == 0);
}
