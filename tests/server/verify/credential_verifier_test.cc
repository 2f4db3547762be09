// CredentialVerifier against a real ledger (RocksDB in a temporary folder,
// the live projection, the group-commit writer): a presented token verifies
// only when it is well formed, its key exists and is usable and its secret
// matches; every failure looks the same, counts against the client, and
// leaves the key's last use alone; a success records the use, in the key's
// cell for a client that keeps its address and through the tracker for a
// new one.
#include "server/verify/credential_verifier.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "core/token.h"
#include "server/daemon/leader_parts.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::server::CredentialVerifier;
using keyledger::server::FailureRateLimiter;
using keyledger::server::LastUseTracker;
using keyledger::server::WriterKeyUseSink;
using keyledger::testing::TestLedger;

namespace {

constexpr unsigned kMaxFailures = 8;  // more than the bad tokens tried in one test

struct Fixture {
  Fixture()
      : hasher(*SecretHasher::create(std::string(32, 'p'))),
        uses(ledger.writer()),
        tracker(uses, ledger.projection(), ledger.clock(), std::chrono::hours(1)),
        limiter(ledger.clock(), kMaxFailures),
        verifier(ledger.projection(), hasher, tracker, limiter, ledger.clock(),
                 std::string(kDefaultTokenPrefix)) {
    ledger.create_user("alice", Privilege::kAdmin);
    token = create_key("alice");
  }

  // A new key of `owner` with a real token; returns the token's text.
  std::string create_key(const std::string& owner) {
    Token made = generate_token(kDefaultTokenPrefix, random);
    auto created = ledger.execute(
        CreateKey{made.key_id, owner, "ci", hasher.hash(made.key_id, made.secret)}, owner);
    INFO(created.status().to_string());
    REQUIRE(created.is_ok());
    return made.to_string();
  }

  TestLedger ledger;
  SeededRandom random{7};
  SecretHasher hasher;
  WriterKeyUseSink uses;
  LastUseTracker tracker;
  FailureRateLimiter limiter;
  CredentialVerifier verifier;
  std::string token;
};

// The same token with one secret character changed, and the checksum made
// right again: well formed, the key exists, only the secret is wrong.
std::string with_wrong_secret(const std::string& text) {
  Token parsed = *parse_token(text, kDefaultTokenPrefix);
  parsed.secret[0] = parsed.secret[0] == 'a' ? 'b' : 'a';
  return parsed.to_string();
}

}  // namespace

TEST_CASE("a valid token verifies as its key and owner, and records the use",
          "[server][verifier]") {
  Fixture f;
  const std::string key_id = std::string(parse_token_parts(f.token, kDefaultTokenPrefix)->key_id);
  const TimeNs t0 = f.ledger.clock().now_ns();

  auto verified = f.verifier.verify(f.token, "10.0.0.1");
  REQUIRE(verified.is_ok());
  CHECK(verified->user_id == "alice");
  CHECK(verified->privilege == Privilege::kAdmin);
  CHECK(verified->key_id == key_id);
  CHECK(f.verifier.counters().ok == 1);
  REQUIRE(f.tracker.latest(key_id).has_value());
  CHECK(f.tracker.latest(key_id)->ip == "10.0.0.1");
  CHECK(f.tracker.latest(key_id)->at_ns == t0);

  SECTION("again from the same address: the use's time moves on") {
    f.ledger.clock().advance(1000);
    REQUIRE(f.verifier.verify(f.token, "10.0.0.1").is_ok());
    CHECK(f.tracker.latest(key_id)->ip == "10.0.0.1");
    CHECK(f.tracker.latest(key_id)->at_ns == t0 + 1000);
  }
  SECTION("from another address, IPv4 or IPv6: the use moves there") {
    for (const char* ip : {"10.0.0.2", "2001:db8::7"}) {
      f.ledger.clock().advance(1000);
      REQUIRE(f.verifier.verify(f.token, ip).is_ok());
      CHECK(f.tracker.latest(key_id)->ip == ip);
      CHECK(f.tracker.latest(key_id)->at_ns == f.ledger.clock().now_ns());
    }
  }
}

TEST_CASE("every bad token fails alike, counts against the client and records no use",
          "[server][verifier]") {
  Fixture f;
  const std::string key_id = std::string(parse_token_parts(f.token, kDefaultTokenPrefix)->key_id);
  REQUIRE(f.verifier.verify(f.token, "10.0.0.1").is_ok());
  const auto use_before = f.tracker.latest(key_id);
  f.ledger.clock().advance(1000);

  std::string bad_checksum = f.token;
  bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
  Token unknown = generate_token(kDefaultTokenPrefix, f.random);
  const std::string cases[] = {
      with_wrong_secret(f.token),  // the key exists, the secret is wrong
      unknown.to_string(),         // well formed, no such key
      bad_checksum,
      f.token.substr(1),         // wrong length
      "xx" + f.token.substr(2),  // wrong prefix
      "",
  };
  for (const std::string& presented : cases) {
    INFO("presented: " << presented);
    auto result = f.verifier.verify(presented, "10.0.0.9");
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == StatusCode::kUnauthenticated);
    CHECK(result.status().reason() == "invalid_credentials");
  }
  CHECK(f.verifier.counters().invalid == std::size(cases));
  CHECK(f.tracker.latest(key_id)->at_ns == use_before->at_ns);
  CHECK(f.tracker.latest(key_id)->ip == "10.0.0.1");
  // The failures counted against 10.0.0.9 only.
  CHECK(f.verifier.verify(f.token, "10.0.0.1").is_ok());
}

TEST_CASE("a deleted key or a disabled owner's key no longer verifies", "[server][verifier]") {
  Fixture f;
  const std::string key_id = std::string(parse_token_parts(f.token, kDefaultTokenPrefix)->key_id);
  REQUIRE(f.verifier.verify(f.token, "10.0.0.1").is_ok());

  SECTION("disabled, then enabled again") {
    REQUIRE(f.ledger.execute(DisableUser{"alice"}).is_ok());
    CHECK(f.verifier.verify(f.token, "10.0.0.1").status().code() == StatusCode::kUnauthenticated);
    REQUIRE(f.ledger.execute(EnableUser{"alice"}).is_ok());
    CHECK(f.verifier.verify(f.token, "10.0.0.1").is_ok());
  }
  SECTION("deleted") {
    REQUIRE(f.ledger.execute(DeleteKey{key_id, "alice", "test"}, "alice").is_ok());
    CHECK(f.verifier.verify(f.token, "10.0.0.1").status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("a client past the failure limit still verifies a valid key, every time",
          "[server][verifier]") {
  Fixture f;
  const std::string wrong = with_wrong_secret(f.token);
  for (unsigned i = 0; i < kMaxFailures; ++i)
    REQUIRE(f.verifier.verify(wrong, "10.0.0.9").status().code() == StatusCode::kUnauthenticated);
  // Refused failures in between do not change that either.
  for (int round = 0; round < 3; ++round) {
    std::int64_t retry_after = 0;
    auto verified = f.verifier.verify(f.token, "10.0.0.9", &retry_after);
    REQUIRE(verified.is_ok());
    CHECK(verified->user_id == "alice");
    CHECK(retry_after == 0);
    CHECK(f.verifier.verify(wrong, "10.0.0.9").status().code() == StatusCode::kResourceExhausted);
  }
  CHECK(f.verifier.counters().ok == 3);
  CHECK(f.verifier.counters().invalid == kMaxFailures);
  CHECK(f.verifier.counters().rate_limited == 3);
}

TEST_CASE(
    "a client's failures past the limit are refused as rate limited, with the wait, until its "
    "window ends",
    "[server][verifier]") {
  Fixture f;
  const std::string wrong = with_wrong_secret(f.token);
  for (unsigned i = 0; i < kMaxFailures; ++i)
    REQUIRE(f.verifier.verify(wrong, "10.0.0.9").status().code() == StatusCode::kUnauthenticated);
  // Malformed or well formed, every further failure is refused alike.
  for (const std::string& bad : {wrong, std::string("kl_garbage"), std::string()}) {
    std::int64_t retry_after = 0;
    auto refused = f.verifier.verify(bad, "10.0.0.9", &retry_after);
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == StatusCode::kResourceExhausted);
    CHECK(refused.status().reason() == "rate_limited");
    CHECK(retry_after == 60);
  }
  // Another client is not affected.
  CHECK(f.verifier.verify(wrong, "10.0.0.1").status().code() == StatusCode::kUnauthenticated);
  // Once the window has passed, a failure counts (and answers) afresh.
  f.ledger.clock().advance(std::chrono::nanoseconds(std::chrono::seconds(60)).count());
  CHECK(f.verifier.verify(wrong, "10.0.0.9").status().code() == StatusCode::kUnauthenticated);
}
