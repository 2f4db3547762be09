// The pepper file and its binding to the ledger (server/daemon/pepper.h), against a
// real ledger in a temporary folder: a first start creates a private pepper
// and binds the ledger to it; afterwards a missing, different, shared or
// short pepper is refused with its own reason and changes nothing (neither
// the file nor the ledger's fingerprint), and a ledger from before the
// fingerprint existed takes the pepper it is started with.
#include "server/daemon/pepper.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "tests/server/captured_log.h"
#include "tests/support/files.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::CapturedLog;
using keyledger::testing::read_file;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;
using keyledger::testing::write_file;

namespace {

// A pepper file with `mode` (private unless a test says otherwise).
void write_pepper(const std::filesystem::path& path, const std::string& text, mode_t mode = 0600) {
  write_file(path, text);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

mode_t permissions_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

std::string fingerprint_of(const std::string& pepper) {
  return server::pepper_fingerprint(*SecretHasher::create(pepper));
}

const std::string kOtherPepper(40, 'o');

// A real ledger in a temporary folder and the pepper file for it, as
// keyledgerd opens them at start.
struct PepperedLedger {
  StatusOr<SecretHasher> start(bool rebind = false, bool follower = false) {
    return server::open_ledger_pepper(path, ledger.log(), random, log.log, rebind, follower);
  }
  // A first start, then an event: from now on key hashes could exist.
  void start_and_use() {
    REQUIRE(start().is_ok());
    ledger.create_user("alice");
  }
  // The ledger's stored fingerprint ("" for none).
  std::string stored_check() {
    auto stored = ledger.log().pepper_check();
    REQUIRE(stored.is_ok());
    return stored->value_or("");
  }
  // A start that must be refused with `reason`, changing nothing.
  void expect_refused(const std::string& reason, bool rebind = false) {
    const std::string check = stored_check();
    const bool had_file = std::filesystem::exists(path);
    const std::string file = had_file ? read_file(path) : "";
    auto refused = start(rebind);
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
    CHECK(refused.status().reason() == reason);
    CHECK(stored_check() == check);
    CHECK(std::filesystem::exists(path) == had_file);  // no new pepper was made
    if (had_file) CHECK(read_file(path) == file);
  }

  TestLedger ledger;
  TempDir dir;
  std::filesystem::path path = dir / "pepper";
  SeededRandom random{1};
  CapturedLog log;
};

}  // namespace

TEST_CASE("a first start creates a private pepper and binds the ledger to it", "[server][pepper]") {
  PepperedLedger f;
  auto hasher = f.start();
  REQUIRE(hasher.is_ok());
  const std::string pepper = read_file(f.path);
  CHECK(pepper.size() >= kMinPepperLength);
  CHECK(permissions_of(f.path) == 0600);
  CHECK(f.stored_check() == server::pepper_fingerprint(*hasher));
  // The fingerprint names the pepper without holding it.
  CHECK(f.stored_check().find(pepper) == std::string::npos);
  CHECK(f.stored_check() == fingerprint_of(pepper));

  SECTION("and the next start uses the same pepper") {
    f.ledger.create_user("alice");
    f.ledger.reopen();
    auto again = f.start();
    REQUIRE(again.is_ok());
    CHECK(again->hash("abcdefghijkl", "secret") == hasher->hash("abcdefghijkl", "secret"));
    CHECK(read_file(f.path) == pepper);
  }
}

TEST_CASE("a ledger with events refuses to start without its pepper file", "[server][pepper]") {
  PepperedLedger f;
  f.start_and_use();
  std::filesystem::remove(f.path);
  f.expect_refused("pepper_missing");
  auto refused = f.start();
  CHECK(refused.status().message().find(f.path.string()) != std::string::npos);
  CHECK(refused.status().message().find("Nothing was changed") != std::string::npos);
}

TEST_CASE("a ledger with events refuses another pepper", "[server][pepper]") {
  PepperedLedger f;
  f.start_and_use();
  write_pepper(f.path, kOtherPepper);
  f.expect_refused("pepper_mismatch");
  CHECK(f.start().status().message().find("--rebind-pepper") != std::string::npos);
}

TEST_CASE("a ledger without events takes whatever pepper it starts with", "[server][pepper]") {
  // A first start that stopped before its first event (no key hash exists
  // yet) must not be locked to a pepper nothing depends on.
  PepperedLedger f;
  REQUIRE(f.start().is_ok());
  REQUIRE(f.ledger.log().head().seq == 0);
  write_pepper(f.path, kOtherPepper);
  REQUIRE(f.start().is_ok());
  CHECK(f.stored_check() == fingerprint_of(kOtherPepper));
}

TEST_CASE("a ledger from before the fingerprint takes the pepper it is started with",
          "[server][pepper]") {
  PepperedLedger f;
  f.ledger.create_user("alice");  // events, but no fingerprint stored
  REQUIRE(f.stored_check().empty());
  const std::string pepper(32, 'p');
  write_pepper(f.path, pepper);
  REQUIRE(f.start().is_ok());
  CHECK(f.stored_check() == fingerprint_of(pepper));
  // From then on it is bound like any other.
  write_pepper(f.path, kOtherPepper);
  f.expect_refused("pepper_mismatch");
}

TEST_CASE("a pepper file others can read, or a short one, is refused and binds nothing",
          "[server][pepper]") {
  PepperedLedger f;
  SECTION("readable by others") {
    write_pepper(f.path, std::string(32, 'p'), 0644);
    f.expect_refused("pepper_permissions");
  }
  SECTION("shorter than 32 bytes") {
    write_pepper(f.path, std::string(31, 'p'));
    f.expect_refused("pepper_too_short");
  }
  CHECK(f.stored_check().empty());
}

TEST_CASE("the pepper's fingerprint is not any key's hash", "[server][pepper]") {
  auto hasher = SecretHasher::create(std::string(32, 'p'));
  REQUIRE(hasher.is_ok());
  const std::string fingerprint = server::pepper_fingerprint(*hasher);
  CHECK(fingerprint.size() == 64);
  CHECK(fingerprint == fingerprint_of(std::string(32, 'p')));
  CHECK(fingerprint != fingerprint_of(kOtherPepper));
}

TEST_CASE("keyledgerd started with --rebind-pepper binds a ledger to the pepper it is given",
          "[server][pepper]") {
  // Recovery from a ledger bound to a wrong pepper.
  PepperedLedger f;
  write_pepper(f.path, kOtherPepper);
  f.start_and_use();
  const std::string right(48, 'r');
  write_pepper(f.path, right);
  f.expect_refused("pepper_mismatch");
  REQUIRE(f.log.lines().empty());
  REQUIRE(f.start(/*rebind=*/true).is_ok());
  CHECK(f.stored_check() == fingerprint_of(right));
  // Said in the log, naming the file and not its content.
  const auto lines = f.log.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["level"] == "warn");
  CHECK(lines[0]["pepper_file"] == f.path.string());
  CHECK(f.log.out.str().find(right) == std::string::npos);
  CHECK(f.start().is_ok());
  // Rebinding still needs a pepper file that is there and private.
  std::filesystem::remove(f.path);
  f.expect_refused("pepper_missing", /*rebind=*/true);
}

TEST_CASE("a follower never creates a pepper, even for an empty ledger", "[server][pepper]") {
  PepperedLedger f;
  auto refused = f.start(/*rebind=*/false, /*follower=*/true);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().is(Reason::kPepperMissing));
  CHECK(refused.status().message().find("leader's pepper") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.path));
  CHECK(f.stored_check().empty());
}

TEST_CASE("a follower given the leader's pepper binds its ledger to it", "[server][pepper]") {
  PepperedLedger f;
  write_pepper(f.path, kOtherPepper);
  auto hasher = f.start(/*rebind=*/false, /*follower=*/true);
  REQUIRE(hasher.is_ok());
  CHECK(f.stored_check() == fingerprint_of(kOtherPepper));
  CHECK(read_file(f.path) == kOtherPepper);
  // Once it holds events, another pepper is refused as on a leader.
  f.ledger.create_user("alice");
  write_pepper(f.path, std::string(40, 'x'));
  auto other = f.start(/*rebind=*/false, /*follower=*/true);
  REQUIRE_FALSE(other.is_ok());
  CHECK(other.status().is(Reason::kPepperMismatch));
}
