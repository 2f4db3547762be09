#include "tests/support/test_ledger.h"

#include <catch2/catch.hpp>

#include "projections/stored_projection.h"

namespace keyledger::testing {

TestLedger::TestLedger(bool sync)
    : owned_dir_(std::make_unique<TempDir>()), path_(owned_dir_->path() / "ledger"), sync_(sync) {
  open();
}

TestLedger::TestLedger(std::filesystem::path path, bool sync)
    : path_(std::move(path)), sync_(sync) {
  open();
}

TestLedger::~TestLedger() { close(); }

void TestLedger::open() {
  storage::RocksOptions options;
  options.sync = sync_;
  auto log = storage::RocksEventLog::open(path_, options);
  if (!log.is_ok()) FAIL("opening the test ledger: " << log.status().to_string());
  log_ = std::move(log).value();
  // As keyledgerd does at every start.
  auto upgraded = projections::upgrade_stored_projection(*log_);
  if (!upgraded.is_ok()) FAIL("upgrading the projection: " << upgraded.status().to_string());
  auto projection = projections::LiveProjection::load(*log_);
  if (!projection.is_ok()) FAIL("loading the projection: " << projection.status().to_string());
  projection_ = std::move(projection).value();
  writer_ = std::make_unique<writer::GroupCommitWriter>(*log_, *projection_, clock_);
}

void TestLedger::close() {
  // The writer drains its queue first; the log closes last.
  writer_.reset();
  projection_.reset();
  log_.reset();
}

void TestLedger::reopen() {
  close();
  open();
}

StatusOr<CommittedEvent> TestLedger::execute(Command command, std::string actor) {
  return writer_->execute(std::move(command), EventOrigin{std::move(actor), "127.0.0.1", "test"});
}

void TestLedger::create_user(const std::string& user_id, Privilege privilege,
                             const std::string& password) {
  PasswordHasher hasher(random_, kTestScryptCost);
  auto hash = hasher.hash(password);
  REQUIRE(hash.is_ok());
  auto result = execute(CreateUser{user_id, privilege, *hash});
  INFO(result.status().to_string());
  REQUIRE(result.is_ok());
}

}  // namespace keyledger::testing
