// The crash loop is only as good as its judge: these pin down what the
// model accepts and what it counts as lost or half-applied.
#include "tests/reliability/ledger_model.h"

#include <catch2/catch.hpp>

namespace keyledger::reliability {
namespace {

// Answers 200 for tokens of `live`, 401 for everything else.
VerifyToken verifier_for(std::set<std::string> live) {
  return [live = std::move(live)](const std::string& token) -> std::optional<unsigned> {
    return live.count(token) ? 200u : 401u;
  };
}

LedgerModel::Ticket create_acked(LedgerModel& model, const std::string& id, const std::string& name,
                                 const std::string& token) {
  auto ticket = model.begin({ChangeKind::kCreate, "", name, 0});
  model.acknowledged(ticket, id, token);
  return ticket;
}

}  // namespace

TEST_CASE("the model passes a ledger holding every acknowledged change", "[reliability]") {
  LedgerModel model;
  create_acked(model, "k1", "one", "t1");
  create_acked(model, "k2", "two", "t2");
  model.acknowledged(model.begin({ChangeKind::kRename, "k1", "uno", 0}));
  model.acknowledged(model.begin({ChangeKind::kDelete, "k2", "", 0}));
  CheckReport report = model.reconcile({{"k1", "uno"}}, verifier_for({"t1"}));
  CHECK(report.ok());
  CHECK(report.keys_checked == 2);
  CHECK(report.tokens_checked == 2);
  CHECK(model.totals().acked() == 4);
}

TEST_CASE("the model counts a missing acknowledged key as lost", "[reliability]") {
  LedgerModel model;
  create_acked(model, "k1", "one", "t1");
  CheckReport report = model.reconcile({}, verifier_for({}));
  CHECK(report.lost == 2);  // absent from the list, and its token is refused
  CHECK_FALSE(report.ok());
}

TEST_CASE("the model counts a lost acknowledged rename and an undone delete", "[reliability]") {
  LedgerModel model;
  create_acked(model, "k1", "one", "t1");
  create_acked(model, "k2", "two", "t2");
  model.acknowledged(model.begin({ChangeKind::kRename, "k1", "uno", 0}));
  model.acknowledged(model.begin({ChangeKind::kDelete, "k2", "", 0}));
  CheckReport report = model.reconcile({{"k1", "one"}, {"k2", "two"}}, verifier_for({"t1", "t2"}));
  CHECK(report.lost == 3);  // the rename, the delete in the list, the delete at verify
}

TEST_CASE("a deleted key that still verifies is a lost delete", "[reliability]") {
  LedgerModel model;
  create_acked(model, "k1", "one", "t1");
  model.acknowledged(model.begin({ChangeKind::kDelete, "k1", "", 0}));
  CHECK(model.live_count(0) == 0);
  CHECK(model.pick_deleted(0, 99)->id == "k1");  // workers keep trying its token
  CheckReport report = model.reconcile({}, verifier_for({"t1"}));
  CHECK(report.lost == 1);
}

TEST_CASE("an unanswered create may be applied whole or not at all", "[reliability]") {
  LedgerModel model;
  auto applied = model.begin({ChangeKind::kCreate, "", "made", 3});
  auto not_applied = model.begin({ChangeKind::kCreate, "", "not made", 3});
  model.unanswered(applied);
  model.unanswered(not_applied);
  CheckReport report = model.reconcile({{"k9", "made"}}, verifier_for({}));
  CHECK(report.ok());
  CHECK(report.in_flight_applied == 1);
  CHECK(report.in_flight_not_applied == 1);
  // The adopted key is now owed: it must still be there next time.
  REQUIRE(model.live_keys(3).size() == 1);
  CHECK(model.live_count(3) == 1);
  CHECK(model.pick_live(3, 12345)->name == "made");
  CHECK(model.reconcile({}, verifier_for({})).lost == 1);
}

TEST_CASE("an unanswered rename showing a third name is half-applied", "[reliability]") {
  LedgerModel model;
  create_acked(model, "k1", "one", "t1");
  model.unanswered(model.begin({ChangeKind::kRename, "k1", "uno", 0}));
  CheckReport report = model.reconcile({{"k1", "eins"}}, verifier_for({"t1"}));
  CHECK(report.violations == 1);
}

TEST_CASE("an unanswered delete is judged by the list and the token together", "[reliability]") {
  LedgerModel model;
  create_acked(model, "k1", "one", "t1");
  create_acked(model, "k2", "two", "t2");
  model.unanswered(model.begin({ChangeKind::kDelete, "k1", "", 0}));
  model.unanswered(model.begin({ChangeKind::kDelete, "k2", "", 0}));
  // k1 gone from the list but its token still works: half-applied.
  CheckReport report = model.reconcile({{"k2", "two"}}, verifier_for({"t1", "t2"}));
  CHECK(report.violations == 1);
  CHECK(report.in_flight_applied == 1);
  CHECK(report.in_flight_not_applied == 1);
}

TEST_CASE("a refused or never-sent create must not appear", "[reliability]") {
  LedgerModel model;
  model.refused(model.begin({ChangeKind::kCreate, "", "refused", 0}));
  model.withdrawn(model.begin({ChangeKind::kCreate, "", "never sent", 0}));
  CheckReport report = model.reconcile({{"k1", "refused"}, {"k2", "never sent"}}, verifier_for({}));
  CHECK(report.violations == 2);
}

TEST_CASE("a key nobody asked for is a violation unless ignored", "[reliability]") {
  LedgerModel model;
  model.ignore_key("driver");
  CheckReport report = model.reconcile({{"driver", "d"}, {"k7", "stray"}}, verifier_for({}));
  CHECK(report.violations == 1);
}

}  // namespace keyledger::reliability
