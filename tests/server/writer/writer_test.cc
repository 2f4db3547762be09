// GroupCommitWriter semantics: commands in one batch see each other, a
// rejected command leaves the rest of its batch alone, and a failed append
// fails the whole batch without any effect; a group of commands commits
// whole or not at all. Batches are formed on purpose
// by holding the writer inside an append while more commands queue up.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "core/chain_verifier.h"
#include "projections/live_projection.h"
#include "projections/stored_projection.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"
#include "tests/support/state_diff.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::testing::TempDir;
using keyledger::testing::TestLedger;

namespace {

// Forwards to a real log; fails appends while `failing` is set, and can
// hold the writer inside its next append until released.
class FailingEventLog final : public EventLog {
 public:
  explicit FailingEventLog(EventLog& inner) : inner_(inner) {}

  void set_failing(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  // The next append waits inside until release().
  void hold_next_append() {
    std::lock_guard lock(mutex_);
    hold_ = true;
    held_ = false;
  }
  void wait_until_held() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return held_; });
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      hold_ = false;
    }
    changed_.notify_all();
  }
  int appends() const {
    std::lock_guard lock(mutex_);
    return appends_;
  }

  LogHead head() const override { return inner_.head(); }
  Status append(std::span<const EncodedEvent> events, std::span<const RecordChange> changes,
                const LogHead& new_head) override {
    {
      std::unique_lock lock(mutex_);
      ++appends_;
      if (hold_) {
        held_ = true;
        changed_.notify_all();
        changed_.wait(lock, [this] { return !hold_; });
      }
      if (failing_) return unavailable(Reason::kStorageUnavailable, "the disk is on fire (test)");
    }
    return inner_.append(events, changes, new_head);
  }
  Status read_events(
      std::uint64_t from_seq,
      const std::function<bool(std::uint64_t, std::string_view)>& visit) const override {
    return inner_.read_events(from_seq, visit);
  }
  Status read_records(
      RecordTable table,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.read_records(table, visit);
  }
  std::uint32_t projection_version() const override { return inner_.projection_version(); }
  Status replace_projection(std::span<const RecordChange> records, std::uint32_t version) override {
    return inner_.replace_projection(records, version);
  }

 private:
  EventLog& inner_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool failing_ = false;
  bool hold_ = false;
  bool held_ = false;
  int appends_ = 0;
};

using Answer = std::future<StatusOr<CommittedEvent>>;

// A real RocksDB ledger whose writer appends through a FailingEventLog.
class WriterFixture {
 public:
  WriterFixture() { open(); }
  ~WriterFixture() { close(); }

  void open() {
    auto rocks = storage::RocksEventLog::open(dir_ / "ledger", {.sync = false});
    INFO(rocks.status().to_string());
    REQUIRE(rocks.is_ok());
    rocks_ = std::move(rocks).value();
    log_ = std::make_unique<FailingEventLog>(*rocks_);
    auto projection = projections::LiveProjection::load(*rocks_);
    REQUIRE(projection.is_ok());
    projection_ = std::move(projection).value();
    writer_ = std::make_unique<writer::GroupCommitWriter>(*log_, *projection_, clock_);
  }
  void close() {
    if (log_) log_->release();  // never leave the writer stuck in an append
    writer_.reset();
    projection_.reset();
    log_.reset();
    rocks_.reset();
  }
  void reopen() {
    close();
    open();
  }

  Answer submit(Command command) {
    return writer_->submit(std::move(command), EventOrigin{"system", "127.0.0.1", "writer-test"});
  }
  Answer submit_all(std::vector<Command> commands) {
    auto promise = std::make_shared<std::promise<StatusOr<CommittedEvent>>>();
    Answer answer = promise->get_future();
    writer_->submit_all(
        std::move(commands), EventOrigin{"system", "127.0.0.1", "writer-test"},
        [promise](StatusOr<CommittedEvent> result) { promise->set_value(std::move(result)); });
    return answer;
  }
  StatusOr<CommittedEvent> execute(Command command) { return submit(std::move(command)).get(); }

  // Starts a batch that holds the writer inside its append, so that every
  // command submitted before release() lands in the next batch together.
  Answer hold_writer(Command blocker) {
    log_->hold_next_append();
    Answer answer = submit(std::move(blocker));
    log_->wait_until_held();
    return answer;
  }

  std::string password_hash() {
    static const std::string hash = [] {
      SeededRandom random(9);
      auto hashed = PasswordHasher(random, keyledger::testing::kTestScryptCost).hash("a password");
      REQUIRE(hashed.is_ok());
      return *hashed;
    }();
    return hash;
  }
  CreateUser create_user(const std::string& id) { return {id, Privilege::kUser, password_hash()}; }

  FailingEventLog& log() { return *log_; }
  storage::RocksEventLog& rocks() { return *rocks_; }
  projections::LiveProjection& projection() { return *projection_; }
  writer::GroupCommitWriter& writer() { return *writer_; }
  ManualClock& clock() { return clock_; }

  // Memory, disk and replay agree, and the chain is intact.
  void check_consistent() {
    const auto memory = projection_->snapshot();
    auto stored = projections::load_stored_state(*rocks_);
    REQUIRE(stored.is_ok());
    auto rebuilt = projections::rebuild_from_log(*rocks_);
    REQUIRE(rebuilt.is_ok());
    CHECK(rebuilt->chain.ok());
    CHECK(rebuilt->chain.head == rocks_->head());
    CHECK(keyledger::testing::state_difference(memory, *stored, "memory", "stored").empty());
    CHECK(keyledger::testing::state_difference(memory, rebuilt->state, "memory", "replay").empty());
  }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<storage::RocksEventLog> rocks_;
  std::unique_ptr<FailingEventLog> log_;
  std::unique_ptr<projections::LiveProjection> projection_;
  std::unique_ptr<writer::GroupCommitWriter> writer_;
};

const Hash256 kSecret = sha256("secret");

}  // namespace

TEST_CASE("commands in one batch see the events decided before them", "[storage]") {
  WriterFixture f;
  Answer blocker = f.hold_writer(f.create_user("first"));
  Answer user = f.submit(f.create_user("bob"));
  Answer key = f.submit(CreateKey{"bobkey000001", "bob", "laptop", kSecret});
  Answer rename = f.submit(RenameKey{"bobkey000001", "bob", "old laptop"});
  Answer second_key = f.submit(CreateKey{"bobkey000002", "bob", "desktop", kSecret});
  Answer used = f.submit(RecordKeyUse{"bobkey000002", "10.1.2.3", 5});
  f.log().release();

  REQUIRE(blocker.get().is_ok());
  std::uint64_t expected_seq = 2;
  for (Answer* answer : {&user, &key, &rename, &second_key, &used}) {
    auto result = answer->get();
    INFO(result.status().to_string());
    REQUIRE(result.is_ok());
    CHECK(result->seq == expected_seq++);
  }
  const auto stats = f.writer().stats();
  CHECK(stats.commits == 2);  // the blocker's batch, and one for all five
  CHECK(stats.events_appended == 6);
  CHECK(f.log().appends() == 2);

  REQUIRE(f.projection().key("bobkey000001"));
  CHECK(f.projection().key("bobkey000001")->name == "old laptop");
  CHECK(f.projection().key("bobkey000002")->last_used_ip == "10.1.2.3");
  CHECK(f.projection().live_keys_of("bob").size() == 2);
  CHECK(f.projection().live_keys_of("bob").front().key_id == "bobkey000001");
  f.check_consistent();
  f.reopen();
  CHECK(f.projection().live_keys_of("bob").size() == 2);
  f.check_consistent();
}

TEST_CASE("a rejected command in a batch leaves the other commands of the batch unaffected",
          "[storage]") {
  WriterFixture f;
  Answer blocker = f.hold_writer(f.create_user("first"));
  Answer carol = f.submit(f.create_user("carol"));
  Answer bad_name = f.submit(CreateKey{"carolkey0001", "carol", "\t", kSecret});
  Answer no_owner = f.submit(CreateKey{"carolkey0002", "nobody", "laptop", kSecret});
  Answer key = f.submit(CreateKey{"carolkey0003", "carol", "laptop", kSecret});
  Answer duplicate_user = f.submit(f.create_user("carol"));
  Answer duplicate_key = f.submit(CreateKey{"carolkey0003", "carol", "again", kSecret});
  Answer not_hers = f.submit(DeleteKey{"carolkey0003", "first", ""});
  Answer deleted = f.submit(DeleteKey{"carolkey0003", "carol", "rotated"});
  Answer after_delete = f.submit(RenameKey{"carolkey0003", "carol", "too late"});
  f.log().release();
  REQUIRE(blocker.get().is_ok());

  auto expect_ok = [](Answer& answer, std::uint64_t seq) {
    auto result = answer.get();
    INFO(result.status().to_string());
    REQUIRE(result.is_ok());
    CHECK(result->seq == seq);
  };
  auto expect_rejected = [](Answer& answer, StatusCode code, const std::string& reason) {
    auto result = answer.get();
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == code);
    CHECK(result.status().reason() == reason);
  };
  expect_ok(carol, 2);
  expect_rejected(bad_name, StatusCode::kInvalidArgument, "name_empty");
  expect_rejected(no_owner, StatusCode::kNotFound, "user_not_found");
  expect_ok(key, 3);
  expect_rejected(duplicate_user, StatusCode::kAlreadyExists, "user_exists");
  expect_rejected(duplicate_key, StatusCode::kAlreadyExists, "key_exists");
  expect_rejected(not_hers, StatusCode::kNotFound, "key_not_found");
  expect_ok(deleted, 4);
  expect_rejected(after_delete, StatusCode::kNotFound, "key_not_found");

  const auto stats = f.writer().stats();
  CHECK(stats.commits == 2);
  CHECK(stats.events_appended == 4);
  CHECK(stats.commands_rejected == 6);
  CHECK(f.rocks().head().seq == 4);
  CHECK(f.projection().key("carolkey0001") == std::nullopt);
  CHECK(f.projection().key("carolkey0002") == std::nullopt);
  REQUIRE(f.projection().key("carolkey0003"));
  CHECK(f.projection().key("carolkey0003")->name == "laptop");
  CHECK(f.projection().key("carolkey0003")->deleted);
  f.check_consistent();
}

TEST_CASE("a batch whose commands are all rejected appends nothing", "[storage]") {
  WriterFixture f;
  REQUIRE(f.execute(f.create_user("alice")).is_ok());
  const LogHead head = f.rocks().head();
  Answer blocker = f.hold_writer(f.create_user("blocker"));
  Answer a = f.submit(f.create_user("alice"));
  Answer b = f.submit(EnableUser{"alice"});
  f.log().release();
  REQUIRE(blocker.get().is_ok());
  CHECK_FALSE(a.get().is_ok());
  CHECK_FALSE(b.get().is_ok());
  CHECK(f.log().appends() == 2);  // alice, then the blocker: none for the rejected pair
  CHECK(f.writer().stats().commits == 2);
  CHECK(f.rocks().head().seq == head.seq + 1);
}

TEST_CASE("a failed append fails every command of its batch and changes nothing", "[storage]") {
  WriterFixture f;
  REQUIRE(f.execute(f.create_user("alice")).is_ok());
  REQUIRE(f.execute(CreateKey{"alicekey0001", "alice", "laptop", kSecret}).is_ok());
  const LogHead head = f.rocks().head();
  const auto before = f.projection().snapshot();
  auto stored_before = projections::load_stored_state(f.rocks());
  REQUIRE(stored_before.is_ok());

  f.log().set_failing(true);
  Answer blocker = f.hold_writer(f.create_user("blocker"));
  std::vector<Answer> batch;
  batch.push_back(f.submit(f.create_user("dave")));
  batch.push_back(f.submit(CreateKey{"davekey00001", "dave", "phone", kSecret}));
  batch.push_back(f.submit(RenameKey{"alicekey0001", "alice", "renamed"}));
  batch.push_back(f.submit(RecordKeyUse{"alicekey0001", "10.0.0.9", 77}));
  batch.push_back(f.submit(DeleteKey{"alicekey0001", "alice", "lost"}));
  batch.push_back(f.submit(DisableUser{"alice"}));
  batch.push_back(f.submit(f.create_user("alice")));  // rejected on its own merits
  f.log().release();

  auto blocked = blocker.get();
  REQUIRE_FALSE(blocked.is_ok());
  CHECK(blocked.status().code() == StatusCode::kUnavailable);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto result = batch[i].get();
    INFO("command " << i << ": " << result.status().to_string());
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == StatusCode::kUnavailable);
  }
  const auto stats = f.writer().stats();
  CHECK(stats.commit_failures == 2);
  CHECK(stats.events_appended == 2);
  CHECK(stats.failing);  // for /readyz and /metrics

  // Nothing changed: not the projection, not the head, not the disk.
  CHECK(f.rocks().head() == head);
  CHECK(f.log().head() == head);
  CHECK(keyledger::testing::state_difference(before, f.projection().snapshot(), "before", "after")
            .empty());
  auto stored_after = projections::load_stored_state(f.rocks());
  REQUIRE(stored_after.is_ok());
  CHECK(keyledger::testing::state_difference(*stored_before, *stored_after, "before", "after")
            .empty());
  CHECK(f.projection().user("dave") == std::nullopt);
  CHECK(f.projection().key("alicekey0001")->name == "laptop");

  // Once storage works again, commands succeed with the next seq, and the
  // discarded batch left nothing staged behind (dave does not exist).
  f.log().set_failing(false);
  auto orphan_key = f.execute(CreateKey{"davekey00001", "dave", "phone", kSecret});
  REQUIRE_FALSE(orphan_key.is_ok());
  CHECK(orphan_key.status().reason() == "user_not_found");
  auto dave = f.execute(f.create_user("dave"));
  REQUIRE(dave.is_ok());
  CHECK(dave->seq == head.seq + 1);
  auto renamed = f.execute(RenameKey{"alicekey0001", "alice", "renamed"});
  REQUIRE(renamed.is_ok());
  CHECK(renamed->seq == head.seq + 2);
  CHECK_FALSE(f.writer().stats().failing);
  f.check_consistent();

  f.reopen();
  CHECK(f.rocks().head().seq == head.seq + 2);
  auto report = verify_chain(f.rocks());
  REQUIRE(report.is_ok());
  CHECK(report->ok());
  CHECK(report->events == head.seq + 2);
  f.check_consistent();
}

TEST_CASE("a failed append answers a batch whose rejected command came first", "[storage]") {
  // The rejected decision is looked at while the batch is decided; later
  // decisions must not make it an unchecked Status again (the debug build
  // aborts on destroying one).
  WriterFixture f;
  REQUIRE(f.execute(f.create_user("alice")).is_ok());
  const LogHead head = f.rocks().head();
  f.log().set_failing(true);
  Answer blocker = f.hold_writer(f.create_user("blocker"));
  std::vector<Answer> batch;
  batch.push_back(f.submit(f.create_user("alice")));  // rejected: alice exists
  for (const char* name : {"bob", "carol", "dave", "erin", "frank"})
    batch.push_back(f.submit(f.create_user(name)));
  f.log().release();

  REQUIRE_FALSE(blocker.get().is_ok());
  for (Answer& answer : batch) {
    auto result = answer.get();
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == StatusCode::kUnavailable);
  }
  CHECK(f.rocks().head() == head);
  CHECK(f.projection().user("bob") == std::nullopt);
}

TEST_CASE("event times never go backwards when the clock does", "[storage]") {
  WriterFixture f;
  const TimeNs start = f.clock().now_ns();
  auto first = f.execute(f.create_user("alice"));
  REQUIRE(first.is_ok());
  CHECK(first->time_ns == start);
  f.clock().set(start - 60'000'000'000);
  auto second = f.execute(f.create_user("bob"));
  REQUIRE(second.is_ok());
  CHECK(second->time_ns >= first->time_ns);
  f.clock().set(start + 1'000);
  auto third = f.execute(f.create_user("carol"));
  REQUIRE(third.is_ok());
  CHECK(third->time_ns == start + 1'000);
}

TEST_CASE("event times never go backwards across a restart when the clock does", "[storage]") {
  WriterFixture f;
  const TimeNs start = f.clock().now_ns();
  auto first = f.execute(f.create_user("alice"));
  REQUIRE(first.is_ok());
  f.reopen();
  f.clock().set(start - 60'000'000'000);
  auto second = f.execute(f.create_user("bob"));
  REQUIRE(second.is_ok());
  CHECK(second->time_ns >= first->time_ns);
}

TEST_CASE("a failed append does not hold back the time of later events", "[storage]") {
  WriterFixture f;
  f.log().set_failing(true);
  f.clock().set(2'000'000'000'000'000'000);
  CHECK_FALSE(f.execute(f.create_user("alice")).is_ok());
  f.log().set_failing(false);
  f.clock().set(1'900'000'000'000'000'000);
  auto created = f.execute(f.create_user("alice"));
  REQUIRE(created.is_ok());
  CHECK(created->seq == 1);
  CHECK(created->time_ns == 1'900'000'000'000'000'000);
}

TEST_CASE("the writer answers every queued command before it stops", "[storage]") {
  TestLedger ledger(/*sync=*/false);
  ledger.create_user("alice");
  std::vector<Answer> answers;
  for (int i = 0; i < 200; ++i)
    answers.push_back(
        ledger.writer().submit(CreateKey{"queued" + std::to_string(100000 + i), "alice",
                                         "key " + std::to_string(i), kSecret},
                               EventOrigin{}));
  ledger.close();
  for (auto& answer : answers) {
    REQUIRE(answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    auto result = answer.get();
    INFO(result.status().to_string());
    CHECK(result.is_ok());
  }
  TestLedger reopened(ledger.path(), false);
  CHECK(reopened.log().head().seq == 201);
  CHECK(reopened.projection().live_keys_of("alice").size() == 200);
}

TEST_CASE("a group of commands commits in one append, each seeing those before it", "[storage]") {
  WriterFixture f;
  REQUIRE(f.execute(f.create_user("erin")).is_ok());
  const int appends = f.log().appends();
  auto done = f.submit_all({ChangePrivilege{"erin", Privilege::kAuditor}, DisableUser{"erin"},
                            EnableUser{"erin"}})
                  .get();
  INFO(done.status().to_string());
  REQUIRE(done.is_ok());
  CHECK(done->seq == 4);  // the last command's event
  CHECK(f.log().appends() == appends + 1);
  CHECK(f.rocks().head().seq == 4);
  REQUIRE(f.projection().user("erin"));
  CHECK(f.projection().user("erin")->privilege == Privilege::kAuditor);
  CHECK_FALSE(f.projection().user("erin")->disabled);
  f.check_consistent();
}

TEST_CASE("a group with a rejected command changes nothing, and its batch goes on", "[storage]") {
  WriterFixture f;
  REQUIRE(f.execute(f.create_user("erin")).is_ok());
  const auto before = f.projection().snapshot();
  Answer blocker = f.hold_writer(f.create_user("blocker"));
  Answer earlier = f.submit(f.create_user("frank"));
  // The privilege change alone would be accepted; the second command is
  // rejected (erin is not disabled), so neither may take effect.
  Answer group = f.submit_all({ChangePrivilege{"erin", Privilege::kAdmin}, EnableUser{"erin"}});
  Answer later = f.submit(f.create_user("grace"));
  f.log().release();
  REQUIRE(blocker.get().is_ok());

  auto rejected = group.get();
  REQUIRE_FALSE(rejected.is_ok());
  CHECK(rejected.status().reason() == "unchanged");
  auto frank = earlier.get();
  auto grace = later.get();
  REQUIRE(frank.is_ok());
  REQUIRE(grace.is_ok());
  CHECK(grace->seq == frank->seq + 1);  // no event of the group between them
  REQUIRE(f.projection().user("erin"));
  CHECK(f.projection().user("erin")->privilege == before.find_user("erin")->privilege);
  CHECK(f.writer().stats().commands_rejected == 2);  // the group's two, refused together
  f.check_consistent();
  f.reopen();
  CHECK(f.projection().user("erin")->privilege == Privilege::kUser);
  f.check_consistent();
}

TEST_CASE("a group whose append fails changes nothing", "[storage]") {
  WriterFixture f;
  REQUIRE(f.execute(f.create_user("erin")).is_ok());
  const LogHead head = f.rocks().head();
  f.log().set_failing(true);
  auto failed =
      f.submit_all({ChangePrivilege{"erin", Privilege::kAdmin}, DisableUser{"erin"}}).get();
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().code() == StatusCode::kUnavailable);
  f.log().set_failing(false);
  CHECK(f.rocks().head() == head);
  CHECK(f.projection().user("erin")->privilege == Privilege::kUser);
  CHECK_FALSE(f.projection().user("erin")->disabled);
  f.check_consistent();
}

TEST_CASE("an empty group is refused", "[storage]") {
  WriterFixture f;
  auto refused = f.submit_all({}).get();
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().reason() == "no_commands");
  CHECK(f.rocks().head().seq == 0);
}
