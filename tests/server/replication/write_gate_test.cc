// --max-unpublished: the real writer, gated by the publisher (over a fake
// stream), refuses every write while the oldest unpublished event is older
// than the bound, and writes nothing then. Time is a manual monotonic clock.
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/password_hasher.h"
#include "core/random.h"
#include "projections/live_projection.h"
#include "server/http/responses.h"
#include "server/replication/event_publisher.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"
#include "tests/server/replication/fake_publish_stream.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_ledger.h"

using namespace keyledger;
using keyledger::server::Exchange;
using keyledger::server::HttpResponse;
using keyledger::testing::eventually;

namespace {

constexpr auto kMaxUnpublished = std::chrono::milliseconds(100);

// A RocksDB ledger whose writer is gated by a publisher and wakes it, as
// keyledgerd wires them with --nats.
class GatedLedger {
 public:
  GatedLedger() {
    auto log = storage::RocksEventLog::open(dir_.path() / "ledger", {.sync = false});
    REQUIRE(log.is_ok());
    log_ = std::move(log).value();
    auto projection = projections::LiveProjection::load(*log_);
    REQUIRE(projection.is_ok());
    projection_ = std::move(projection).value();
    replication::PublisherOptions options;
    options.max_unpublished = kMaxUnpublished;
    options.first_retry = options.max_retry = std::chrono::milliseconds(1);
    publisher_ = std::make_unique<replication::EventPublisher>(*log_, stream_, monotonic_, reports_,
                                                               options);
    publisher_->start();
    writer::WriterOptions gated;
    gated.admit = [this] { return publisher_->admit_write(); };
    gated.on_commit = [this](const writer::CommitInfo& info) {
      publisher_->notify_committed(info.head_seq);
    };
    writer_ = std::make_unique<writer::GroupCommitWriter>(*log_, *projection_, clock_, gated);
  }
  ~GatedLedger() {
    writer_.reset();  // its hooks call the publisher
    publisher_.reset();
  }

  StatusOr<CommittedEvent> create_user(const std::string& user_id) {
    return writer_->execute(CreateUser{user_id, Privilege::kUser, password_hash()},
                            EventOrigin{"system", "127.0.0.1", "gate-test"});
  }
  bool has_user(const std::string& user_id) { return projection_->user(user_id).has_value(); }

  testing::FakePublishStream& stream() { return stream_; }
  ManualMonotonicClock& monotonic() { return monotonic_; }
  storage::RocksEventLog& log() { return *log_; }
  writer::GroupCommitWriter& writer() { return *writer_; }
  const replication::EventPublisher& publisher() const { return *publisher_; }

 private:
  static std::string password_hash() {
    static const std::string hash = [] {
      SeededRandom random(7);
      auto hashed = PasswordHasher(random, testing::kTestScryptCost).hash("a password");
      REQUIRE(hashed.is_ok());
      return *hashed;
    }();
    return hash;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  ManualMonotonicClock monotonic_;
  testing::FakePublishStream stream_;
  testing::RecordingPublisherLog reports_;
  std::unique_ptr<storage::RocksEventLog> log_;
  std::unique_ptr<projections::LiveProjection> projection_;
  std::unique_ptr<replication::EventPublisher> publisher_;
  std::unique_ptr<writer::GroupCommitWriter> writer_;
};

// The HTTP answer a write refused with `status` gets.
std::pair<unsigned, std::string> http_answer(const Status& status) {
  Exchange exchange;
  exchange.request.version(11);
  const HttpResponse response = server::status_response(exchange, status);
  const auto body = nlohmann::json::parse(response.body());
  return {response.result_int(), body["errors"][0]["code"].get<std::string>()};
}

}  // namespace

TEST_CASE(
    "a leader refuses writes with 503 replication_unavailable while its oldest unpublished event "
    "is older than --max-unpublished, and writes nothing",
    "[server][replication]") {
  GatedLedger ledger;
  ledger.stream().set_unreachable(true);
  REQUIRE(ledger.create_user("alice").is_ok());  // committed now, unpublished
  ledger.monotonic().advance(kMaxUnpublished + std::chrono::milliseconds(1));

  auto refused = ledger.create_user("bob");
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().is(Reason::kReplicationUnavailable));
  CHECK(http_answer(refused.status()) ==
        std::pair<unsigned, std::string>{503, "replication_unavailable"});
  // A group is refused whole, too.
  std::promise<StatusOr<CommittedEvent>> group;
  ledger.writer().submit_all(
      {CreateUser{"carol", Privilege::kUser, "x"}}, EventOrigin{"system", "127.0.0.1", "gate-test"},
      [&](StatusOr<CommittedEvent> result) { group.set_value(std::move(result)); });
  CHECK(group.get_future().get().status().is(Reason::kReplicationUnavailable));
  CHECK(ledger.log().head().seq == 1);
  CHECK_FALSE(ledger.has_user("bob"));

  // Once the stream has every event, writes go through again.
  ledger.stream().set_unreachable(false);
  REQUIRE(eventually([&] { return ledger.publisher().status().published_seq == 1; }));
  REQUIRE(ledger.create_user("bob").is_ok());
  CHECK(ledger.has_user("bob"));
  CHECK(ledger.stream().messages().size() >= 1);
}

TEST_CASE("writes go through while every unpublished event is younger than --max-unpublished",
          "[server][replication]") {
  GatedLedger ledger;
  ledger.stream().set_unreachable(true);
  REQUIRE(ledger.create_user("alice").is_ok());
  ledger.monotonic().advance(kMaxUnpublished / 2);
  REQUIRE(ledger.create_user("bob").is_ok());
  ledger.monotonic().advance(kMaxUnpublished / 2);
  REQUIRE(ledger.create_user("carol").is_ok());  // alice's event is exactly at the bound
  CHECK(ledger.log().head().seq == 3);
  // The oldest one counts, not the newest.
  ledger.monotonic().advance(std::chrono::milliseconds(1));
  CHECK(ledger.create_user("dave").status().is(Reason::kReplicationUnavailable));
  CHECK(ledger.log().head().seq == 3);
}

TEST_CASE("a leader whose events are all published takes writes however long it was idle",
          "[server][replication]") {
  GatedLedger ledger;
  REQUIRE(ledger.create_user("alice").is_ok());
  REQUIRE(eventually([&] { return ledger.publisher().status().published_seq == 1; }));
  ledger.monotonic().advance(std::chrono::hours(5));
  CHECK(ledger.create_user("bob").is_ok());
}
