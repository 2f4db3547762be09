// GET /v1/audit against a fake log: who may read it, its parameters, pages.
#include "server/api/audit_handler.h"

#include <catch2/catch.hpp>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::AuditHandler;
using server::http::verb;

namespace {

ExchangePtr audit_request(ApiWorld& world, const std::string& who,
                          std::multimap<std::string, std::string> query = {}) {
  auto exchange = world.with_key(verb::get, who);
  exchange->query = std::move(query);
  return exchange;
}

void add_rows(ApiWorld& world, int count) {
  for (int i = 1; i <= count; ++i) {
    projections::AuditRow row;
    row.seq = i;
    row.action = "key_created";
    row.actor = "alice";
    row.key_id = "k" + std::to_string(i);
    row.owner = "alice";
    world.audit_source.rows.push_back(row);
  }
}

}  // namespace

TEST_CASE("the audit trail is for auditors and admins", "[server][api][audit]") {
  ApiWorld world;
  CHECK(code_of(world.run(world.audit, &AuditHandler::audit, audit_request(world, "alice"))) ==
        "forbidden");
  CHECK(status_of(world.run(world.audit, &AuditHandler::audit, audit_request(world, "audrey"))) ==
        200);
  CHECK(status_of(world.run(world.audit, &AuditHandler::audit, audit_request(world, "ada"))) ==
        200);
}

TEST_CASE("the audit trail comes in pages that say where the next begins", "[server][api][audit]") {
  ApiWorld world;
  add_rows(world, 5);
  const Answer first = world.run(world.audit, &AuditHandler::audit,
                                 audit_request(world, "audrey", {{"limit", "2"}}));
  REQUIRE(status_of(first) == 200);
  CHECK(body_of(first)["events"].size() == 2);
  CHECK(body_of(first)["events"][0]["owner"] == "alice");
  CHECK(body_of(first)["events"][0]["request_id"].is_null());
  CHECK(body_of(first)["next_after_seq"] == 2);
  const Answer last = world.run(world.audit, &AuditHandler::audit,
                                audit_request(world, "audrey", {{"after_seq", "4"}}));
  CHECK(body_of(last)["events"].size() == 1);
  CHECK(body_of(last)["next_after_seq"].is_null());
}

TEST_CASE("the audit query's parameters become the filter", "[server][api][audit]") {
  auto query = server::parse_audit_query({{"key", "k1"},
                                          {"user", "alice"},
                                          {"actor", "ada"},
                                          {"action", "key_created"},
                                          {"since", "2026-01-01"},
                                          {"include_use", "true"},
                                          {"limit", "1000"}});
  REQUIRE(query.is_ok());
  CHECK(query->filter.key_id == "k1");
  CHECK(query->filter.owner == "alice");
  CHECK(query->filter.actor == "ada");
  CHECK(query->filter.since_ns.has_value());
  CHECK(query->filter.include_use);
  CHECK(query->limit == 1000);
}

TEST_CASE("a bad audit parameter is refused naming it", "[server][api][audit]") {
  ApiWorld world;
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"limit", "0"},
                                                        {"limit", "1001"},
                                                        {"after_seq", "-1"},
                                                        {"since", "yesterday"},
                                                        {"colour", "red"}}) {
    const Answer answer = world.run(world.audit, &AuditHandler::audit,
                                    audit_request(world, "audrey", {{name, value}}));
    CHECK(status_of(answer) == 400);
    CHECK(code_of(answer) == "invalid_parameter");
    CHECK(body_of(answer)["errors"][0]["context"]["field"] == name);
  }
  CHECK(status_of(world.run(world.audit, &AuditHandler::audit,
                            audit_request(world, "audrey", {{"action", "key-exploded"}}))) == 400);
  CHECK_FALSE(world.audit_source.last_filter.has_value());
}

TEST_CASE("an audit log that cannot be read answers 503", "[server][api][audit]") {
  ApiWorld world;
  world.audit_source.failure = unavailable(Reason::kStorageUnavailable, "read failed");
  const Answer answer =
      world.run(world.audit, &AuditHandler::audit, audit_request(world, "audrey"));
  CHECK(status_of(answer) == 503);
  CHECK(code_of(answer) == "storage_unavailable");
}

TEST_CASE("an audit page is scanned and answered on the scan pool, not on the calling thread",
          "[server][api][audit]") {
  ApiWorld world;
  add_rows(world, 3);
  world.scan_pool.hold = true;
  std::optional<Answer> answer;
  world.audit.audit(audit_request(world, "audrey"), reply_into(answer));
  CHECK_FALSE(answer.has_value());
  CHECK(world.audit_source.scans == 0);
  CHECK(world.scan_pool.held.size() == 1);
  CHECK(world.pool.held.empty());  // not on the password work's pool

  world.scan_pool.run_held();
  CHECK(world.audit_source.scans == 1);
  REQUIRE(answer.has_value());
  CHECK(status_of(*answer) == 200);
  CHECK(body_of(*answer)["events"].size() == 3);
}

TEST_CASE("audit requests beyond the scans' cap answer 503 server_busy and scan nothing",
          "[server][api][audit]") {
  ApiWorld world;
  add_rows(world, 2);
  world.scan_pool.hold = true;
  std::vector<std::optional<Answer>> waiting(ApiWorld::kMaxQueuedScans);
  for (auto& answer : waiting)
    world.audit.audit(audit_request(world, "audrey"), reply_into(answer));

  const Answer busy = world.run(world.audit, &AuditHandler::audit, audit_request(world, "audrey"));
  CHECK(status_of(busy) == 503);
  CHECK(code_of(busy) == "server_busy");
  CHECK(http_of(busy)[server::http::field::retry_after] == "1");
  CHECK(world.audit_source.scans == 0);
  CHECK(world.scan_pool.held.size() == ApiWorld::kMaxQueuedScans);

  world.scan_pool.run_held();
  for (const auto& answer : waiting) CHECK((answer && status_of(*answer) == 200));
  // The slots are given back once the scans are done.
  world.scan_pool.hold = false;
  CHECK(status_of(world.run(world.audit, &AuditHandler::audit, audit_request(world, "audrey"))) ==
        200);
}

TEST_CASE("a refused audit request is answered at once and never reaches the scan pool",
          "[server][api][audit]") {
  ApiWorld world;
  world.scan_pool.hold = true;
  CHECK(code_of(world.run(world.audit, &AuditHandler::audit, audit_request(world, "alice"))) ==
        "forbidden");
  CHECK(status_of(world.run(world.audit, &AuditHandler::audit,
                            audit_request(world, "audrey", {{"limit", "0"}}))) == 400);
  CHECK(world.scan_pool.held.empty());
}

TEST_CASE("a scan's storage failure is answered 503 storage_unavailable after the scan runs",
          "[server][api][audit]") {
  ApiWorld world;
  world.audit_source.failure = unavailable(Reason::kStorageUnavailable, "read failed");
  world.scan_pool.hold = true;
  std::optional<Answer> answer;
  world.audit.audit(audit_request(world, "audrey"), reply_into(answer));
  CHECK_FALSE(answer.has_value());
  world.scan_pool.run_held();
  REQUIRE(answer.has_value());
  CHECK(status_of(*answer) == 503);
  CHECK(code_of(*answer) == "storage_unavailable");
}

TEST_CASE("scans and password work have separate caps, so neither flood refuses the other",
          "[server][api][audit]") {
  ApiWorld world;
  const auto sign_in = [&world] {
    return world.request(verb::post, "/v1/login",
                         Json{{"user", "alice"}, {"password", kPassword}}.dump());
  };
  world.pool.hold = true;
  world.scan_pool.hold = true;
  int sign_ins = 0;
  for (int i = 0; i < server::PasswordWork::kMaxQueuedJobs; ++i)
    world.session_handlers.login(sign_in(), [&sign_ins](Answer) { ++sign_ins; });
  // Password work is full: audit pages still queue, up to their own cap.
  std::vector<std::optional<Answer>> pages(ApiWorld::kMaxQueuedScans);
  for (auto& page : pages) world.audit.audit(audit_request(world, "audrey"), reply_into(page));
  CHECK(world.scan_pool.held.size() == ApiWorld::kMaxQueuedScans);
  CHECK(world.pool.held.size() == server::PasswordWork::kMaxQueuedJobs);

  // Scans are full: a sign-in still gets its password work.
  world.pool.run_held();
  CHECK(sign_ins == server::PasswordWork::kMaxQueuedJobs);
  world.pool.hold = false;
  CHECK(status_of(world.run(world.session_handlers, &server::SessionHandlers::login, sign_in())) ==
        200);
  world.scan_pool.run_held();
  for (const auto& page : pages) CHECK((page && status_of(*page) == 200));
}
