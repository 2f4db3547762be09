// What the follower's tests share: a leader whose events are made by the
// real writer (TestLedger), read back from its log as the stream carries
// them, and a follower's own ledger (RocksDB in a temporary folder and the
// live projection loaded from it, with no writer) that can be reopened as
// a restart would.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/event_codec.h"
#include "core/secret_hasher.h"
#include "core/token.h"
#include "projections/live_projection.h"
#include "server/replication/event_stream.h"
#include "storage/rocks_event_log.h"
#include "tests/server/replication/fake_event_stream.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

namespace keyledger::testing {

class LeaderHistory {
 public:
  LeaderHistory() : ledger(/*sync=*/false), hasher(*SecretHasher::create(std::string(32, 'p'))) {}

  // A new key of `owner` with a real token (hashed with `hasher`); returns
  // its token's text and REQUIREs success.
  std::string create_key(const std::string& owner, const std::string& name = "ci") {
    Token made = generate_token(kDefaultTokenPrefix, random);
    auto created = ledger.execute(
        CreateKey{made.key_id, owner, name, hasher.hash(made.key_id, made.secret)}, owner);
    INFO(created.status().to_string());
    REQUIRE(created.is_ok());
    return made.to_string();
  }
  static std::string key_id_of(const std::string& token) {
    return parse_token(token, kDefaultTokenPrefix)->key_id;
  }
  void run(Command command, const std::string& actor = "alice") {
    auto done = ledger.execute(std::move(command), actor);
    INFO(done.status().to_string());
    REQUIRE(done.is_ok());
  }

  // Users, keys, a rename, a deletion, a privilege change, a disabled
  // user, a lock and a use: every kind of event the fold reads.
  void write_sample_history() {
    ledger.create_user("alice", Privilege::kAdmin);
    ledger.create_user("bob");
    const std::string alice_key = create_key("alice", "billing");
    const std::string bob_key = create_key("bob", "search");
    create_key("bob", "spare");
    run(RenameKey{key_id_of(alice_key), "alice", "billing (eu)"});
    run(DeleteKey{key_id_of(bob_key), "bob", "rotated"}, "bob");
    run(ChangePrivilege{"bob", Privilege::kAuditor, "alice"});
    run(RecordKeyUse{key_id_of(alice_key), "10.0.0.7", ledger.clock().now_ns()});
    ledger.create_user("carol");
    run(DisableUser{"carol", "alice"});
    run(LockUser{"bob", "too many failures", 0, "alice"});
  }

  // The leader's events with seq >= `from`, as the stream carries them.
  std::vector<replication::StreamMessage> messages(std::uint64_t from = 1) {
    std::vector<replication::StreamMessage> out;
    Status read = ledger.log().read_events(from, [&](std::uint64_t seq, std::string_view bytes) {
      out.push_back({seq, std::string(bytes)});
      return true;
    });
    REQUIRE(read.is_ok());
    return out;
  }
  // Puts every event of the leader's log into `stream`, at its seq.
  void publish_to(FakeEventStream& stream) {
    for (const auto& message : messages()) stream.put_at(message.seq, message.bytes);
  }

  TestLedger ledger;
  SeededRandom random{11};
  SecretHasher hasher;
};

// A follower's own ledger: no writer, as keyledgerd --follower opens it.
class FollowerStore {
 public:
  FollowerStore() { open(); }
  void reopen() {
    projection.reset();
    log.reset();
    open();
  }

  TempDir dir;
  std::unique_ptr<storage::RocksEventLog> log;
  std::unique_ptr<projections::LiveProjection> projection;

 private:
  void open() {
    storage::RocksOptions options;
    options.sync = false;
    auto opened = storage::RocksEventLog::open(dir.path() / "ledger", options);
    INFO(opened.status().to_string());
    REQUIRE(opened.is_ok());
    log = std::move(*opened);
    auto loaded = projections::LiveProjection::load(*log);
    INFO(loaded.status().to_string());
    REQUIRE(loaded.is_ok());
    projection = std::move(*loaded);
  }
};

// `message` with its bytes re-encoded after `change` edits the event.
template <typename Change>
replication::StreamMessage edited(const replication::StreamMessage& message, Change change) {
  auto event = decode_event(message.bytes);
  REQUIRE(event.is_ok());
  change(*event);
  return {message.seq, encode_event(*event)};
}

}  // namespace keyledger::testing
