// The pepper file and its binding to the ledger (server/pepper.h), against a
// real ledger in a temporary folder: a first start creates a private pepper
// and binds the ledger to it; afterwards a missing, different, shared or
// short pepper is refused with its own reason and changes nothing (neither
// the file nor the ledger's fingerprint), and a ledger from before the
// fingerprint existed takes the pepper it is started with.
#include "server/pepper.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

mode_t permissions_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

// The ledger's stored fingerprint ("" for none).
std::string stored_check(TestLedger& ledger) {
  auto stored = ledger.log().pepper_check();
  REQUIRE(stored.is_ok());
  return stored->value_or("");
}

std::string fingerprint_of(const std::string& pepper) {
  return server::pepper_fingerprint(*SecretHasher::create(pepper));
}

const std::string kOtherPepper(40, 'o');

}  // namespace

TEST_CASE("a first start creates a private pepper and binds the ledger to it", "[server][pepper]") {
  TestLedger ledger;
  TempDir dir;
  const auto path = dir / "pepper";
  SeededRandom random(1);
  auto hasher = server::open_ledger_pepper(path, ledger.log(), random);
  REQUIRE(hasher.is_ok());
  const std::string pepper = read_file(path);
  CHECK(pepper.size() >= kMinPepperLength);
  CHECK(permissions_of(path) == 0600);
  CHECK(stored_check(ledger) == server::pepper_fingerprint(*hasher));
  // The fingerprint names the pepper without holding it.
  CHECK(stored_check(ledger).find(pepper) == std::string::npos);
  CHECK(stored_check(ledger) == fingerprint_of(pepper));

  SECTION("and the next start uses the same pepper") {
    ledger.create_user("alice");
    ledger.reopen();
    auto again = server::open_ledger_pepper(path, ledger.log(), random);
    REQUIRE(again.is_ok());
    CHECK(again->hash("abcdefghijkl", "secret") == hasher->hash("abcdefghijkl", "secret"));
    CHECK(read_file(path) == pepper);
  }
}

TEST_CASE("a ledger with events refuses to start without its pepper file", "[server][pepper]") {
  TestLedger ledger;
  TempDir dir;
  const auto path = dir / "pepper";
  SeededRandom random(2);
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  ledger.create_user("alice");
  const std::string check = stored_check(ledger);
  std::filesystem::remove(path);

  auto refused = server::open_ledger_pepper(path, ledger.log(), random);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK(refused.status().reason() == "pepper_missing");
  CHECK(refused.status().message().find(path.string()) != std::string::npos);
  CHECK(refused.status().message().find("Nothing was changed") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));  // no new pepper was made
  CHECK(stored_check(ledger) == check);
}

TEST_CASE("a ledger with events refuses another pepper", "[server][pepper]") {
  TestLedger ledger;
  TempDir dir;
  const auto path = dir / "pepper";
  SeededRandom random(3);
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  ledger.create_user("alice");
  const std::string check = stored_check(ledger);
  write_file(path, kOtherPepper);

  auto refused = server::open_ledger_pepper(path, ledger.log(), random);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK(refused.status().reason() == "pepper_mismatch");
  CHECK(refused.status().message().find("Nothing was changed") != std::string::npos);
  CHECK(read_file(path) == kOtherPepper);
  CHECK(stored_check(ledger) == check);
}

TEST_CASE("a ledger without events takes whatever pepper it starts with", "[server][pepper]") {
  // A first start that stopped before its first event (no key hash exists
  // yet) must not be locked to a pepper nothing depends on.
  TestLedger ledger;
  TempDir dir;
  const auto path = dir / "pepper";
  SeededRandom random(4);
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  REQUIRE(ledger.log().head().seq == 0);
  write_file(path, kOtherPepper);
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  CHECK(stored_check(ledger) == fingerprint_of(kOtherPepper));
}

TEST_CASE("a ledger from before the fingerprint takes the pepper it is started with",
          "[server][pepper]") {
  TestLedger ledger;
  ledger.create_user("alice");  // events, but no fingerprint stored
  REQUIRE(stored_check(ledger).empty());
  TempDir dir;
  const auto path = dir / "pepper";
  const std::string pepper(32, 'p');
  write_file(path, pepper);
  SeededRandom random(5);
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  CHECK(stored_check(ledger) == fingerprint_of(pepper));
  // From then on it is bound like any other.
  write_file(path, kOtherPepper);
  auto refused = server::open_ledger_pepper(path, ledger.log(), random);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().reason() == "pepper_mismatch");
}

TEST_CASE("a pepper file others can read, or a short one, is refused and binds nothing",
          "[server][pepper]") {
  TestLedger ledger;
  TempDir dir;
  const auto path = dir / "pepper";
  SeededRandom random(6);
  std::string reason;
  SECTION("readable by others") {
    write_file(path, std::string(32, 'p'), 0644);
    reason = "pepper_permissions";
  }
  SECTION("shorter than 32 bytes") {
    write_file(path, std::string(31, 'p'));
    reason = "pepper_too_short";
  }
  auto refused = server::open_ledger_pepper(path, ledger.log(), random);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK(refused.status().reason() == reason);
  CHECK(stored_check(ledger).empty());
}

TEST_CASE("the pepper's fingerprint is not any key's hash", "[server][pepper]") {
  auto hasher = SecretHasher::create(std::string(32, 'p'));
  REQUIRE(hasher.is_ok());
  const std::string fingerprint = server::pepper_fingerprint(*hasher);
  CHECK(fingerprint.size() == 64);
  CHECK(fingerprint == fingerprint_of(std::string(32, 'p')));
  CHECK(fingerprint != fingerprint_of(kOtherPepper));
}

TEST_CASE("--rebind-pepper binds a ledger to the pepper it is started with", "[server][pepper]") {
  // Recovery from a ledger bound to a wrong pepper.
  TestLedger ledger;
  TempDir dir;
  const auto path = dir / "pepper";
  write_file(path, kOtherPepper);
  SeededRandom random(7);
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  ledger.create_user("alice");
  const std::string right(48, 'r');
  write_file(path, right);
  REQUIRE_FALSE(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  REQUIRE(server::open_ledger_pepper(path, ledger.log(), random, /*rebind=*/true).is_ok());
  CHECK(stored_check(ledger) == fingerprint_of(right));
  CHECK(server::open_ledger_pepper(path, ledger.log(), random).is_ok());
  // Rebinding still needs a pepper file that is there and private.
  std::filesystem::remove(path);
  auto missing = server::open_ledger_pepper(path, ledger.log(), random, /*rebind=*/true);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().reason() == "pepper_missing");
}
