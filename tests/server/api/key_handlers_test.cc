// The key handlers against fakes: what each commits, answers and refuses.
#include "server/api/key_handlers.h"

#include <catch2/catch.hpp>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::KeyHandlers;
using server::http::verb;

namespace {

KeyRecord key_of(const std::string& id, const std::string& owner, const std::string& name) {
  KeyRecord key;
  key.key_id = id;
  key.owner = owner;
  key.name = name;
  key.created_at_ns = 1'700'000'000'000'000'000;
  key.created_seq = 5;
  return key;
}

}  // namespace

TEST_CASE("credentials lists the caller's live keys with their newest use and the docs link",
          "[server][api][keys]") {
  ApiWorld world;
  world.directory.key_records["k1"] = key_of("k1", "alice", "ci");
  world.directory.key_records["k2"] = key_of("k2", "ada", "not alice's");
  KeyRecord deleted = key_of("k3", "alice", "gone");
  deleted.deleted = true;
  world.directory.key_records["k3"] = deleted;
  world.directory.uses["k1"] = {"198.51.100.7", 1'700'000'000'000'000'001};

  const Answer answer =
      world.run(world.keys, &KeyHandlers::credentials, world.with_key(verb::get, "alice"));
  REQUIRE(status_of(answer) == 200);
  const Json body = body_of(answer);
  CHECK(body["api_endpoint"] == "http://127.0.0.1:8080/v1");
  CHECK(body["docs_url"] == "http://127.0.0.1:8080/docs");
  REQUIRE(body["keys"].size() == 1);
  CHECK(body["keys"][0]["id"] == "k1");
  CHECK(body["keys"][0]["last_used_ip"] == "198.51.100.7");
}

TEST_CASE("a new key is committed as its caller's and its token is answered once",
          "[server][api][keys]") {
  ApiWorld world;
  const Answer answer = world.run(world.keys, &KeyHandlers::create_key,
                                  world.with_key(verb::post, "alice", R"({"name":"ci"})"));
  REQUIRE(status_of(answer) == 201);
  REQUIRE(world.commands.submitted.size() == 1);
  const auto& create = std::get<CreateKey>(world.commands.last());
  CHECK(create.owner == "alice");
  CHECK(create.name == "ci");
  CHECK(world.commands.submitted[0].origin.actor == "alice");
  CHECK(world.commands.submitted[0].origin.actor_ip == "192.0.2.1");
  const Json body = body_of(answer);
  CHECK(body["id"] == create.key_id);
  const std::string token = body["key"];
  CHECK(token.rfind("kl_" + create.key_id + "_", 0) == 0);
  // Only the keyed hash of the secret is committed.
  CHECK(create.secret_hash != Hash256{});
}

TEST_CASE("a key request with a bad body is refused and submits nothing", "[server][api][keys]") {
  ApiWorld world;
  auto not_json = world.with_key(verb::post, "alice");
  not_json->request.set("Content-Type", "text/plain");
  not_json->request.body() = "name=ci";
  CHECK(code_of(world.run(world.keys, &KeyHandlers::create_key, not_json)) ==
        "unsupported_media_type");
  CHECK(status_of(world.run(world.keys, &KeyHandlers::create_key, not_json)) == 415);

  const Answer missing = world.run(world.keys, &KeyHandlers::create_key,
                                   world.with_key(verb::post, "alice", R"({"label":"ci"})"));
  CHECK(status_of(missing) == 400);
  CHECK(code_of(missing) == "unknown_field");
  const Answer wrong_type = world.run(world.keys, &KeyHandlers::create_key,
                                      world.with_key(verb::post, "alice", R"({"name":7})"));
  CHECK(code_of(wrong_type) == "invalid_type");
  CHECK(body_of(wrong_type)["errors"][0]["context"]["field"] == "name");
  CHECK(world.commands.submitted.empty());
}

TEST_CASE("a key call without valid credentials answers 401 and submits nothing",
          "[server][api][keys]") {
  ApiWorld world;
  const Answer none = world.run(world.keys, &KeyHandlers::create_key,
                                world.request(verb::post, "/v1/keys", R"({"name":"ci"})"));
  CHECK(status_of(none) == 401);
  CHECK(code_of(none) == "invalid_credentials");
  const Answer bad = world.run(world.keys, &KeyHandlers::credentials,
                               world.request(verb::get, "/", {}, {{"MC-Api-Key", "key-mallory"}}));
  CHECK(code_of(bad) == "invalid_credentials");
  world.verifier.retry_after = 9;
  const Answer limited = world.run(world.keys, &KeyHandlers::credentials,
                                   world.request(verb::get, "/", {}, {{"MC-Api-Key", "kl_x"}}));
  CHECK(status_of(limited) == 429);
  CHECK(http_of(limited)[server::http::field::retry_after] == "9");
  CHECK(world.commands.submitted.empty());
}

TEST_CASE("the writer's refusal of a key change is the answer", "[server][api][keys]") {
  ApiWorld world;
  auto rename = world.with_key(verb::patch, "alice", R"({"name":"new"})");
  rename->path_params = {"k9"};
  world.commands.refusal = not_found(Reason::kKeyNotFound, "no such key");
  const Answer refused = world.run(world.keys, &KeyHandlers::rename_key, rename);
  CHECK(status_of(refused) == 404);
  CHECK(code_of(refused) == "key_not_found");
  CHECK(world.log.lines().empty());

  // Storage trouble is told without its internals, and logged.
  world.commands.refusal = unavailable(Reason::kStorageUnavailable, "disk full at /var/lib/x");
  const Answer failing = world.run(world.keys, &KeyHandlers::rename_key, rename);
  CHECK(status_of(failing) == 503);
  CHECK(code_of(failing) == "storage_unavailable");
  REQUIRE(world.log.lines().size() == 1);
  CHECK(world.log.lines()[0]["msg"] == "change refused");

  // A writer that is shutting down is unavailable too, but says so, and
  // that is no trouble for operators to see.
  world.commands.refusal = unavailable(Reason::kShuttingDown, "the ledger is shutting down");
  const Answer stopping = world.run(world.keys, &KeyHandlers::rename_key, rename);
  CHECK(status_of(stopping) == 503);
  CHECK(code_of(stopping) == "shutting_down");
  CHECK(world.log.lines().size() == 1);
}

TEST_CASE("a renamed key is answered as the directory has it after the commit",
          "[server][api][keys]") {
  ApiWorld world;
  world.directory.key_records["k1"] = key_of("k1", "alice", "old");
  world.commands.on_accept = [&](const Command& command) {
    world.directory.key_records["k1"].name = std::get<RenameKey>(command).name;
  };
  auto rename = world.with_key(verb::patch, "alice", R"({"name":"new"})");
  rename->path_params = {"k1"};
  const Answer answer = world.run(world.keys, &KeyHandlers::rename_key, rename);
  CHECK(status_of(answer) == 200);
  CHECK(body_of(answer)["name"] == "new");
  CHECK(std::get<RenameKey>(world.commands.last()).owner == "alice");
}

TEST_CASE("deleting a key answers 204 and records the reason given in the query",
          "[server][api][keys]") {
  ApiWorld world;
  auto remove = world.with_key(verb::delete_, "alice");
  remove->path_params = {"k1"};
  CHECK(status_of(world.run(world.keys, &KeyHandlers::delete_key, remove)) == 204);
  CHECK(std::get<DeleteKey>(world.commands.last()).reason == "deleted by owner");
  remove->query.emplace("reason", "leaked");
  CHECK(status_of(world.run(world.keys, &KeyHandlers::delete_key, remove)) == 204);
  CHECK(std::get<DeleteKey>(world.commands.last()).reason == "leaked");
}

TEST_CASE("a key's history is shown to its owner alone, from its creation on",
          "[server][api][keys]") {
  ApiWorld world;
  world.directory.key_records["k1"] = key_of("k1", "alice", "ci");
  projections::AuditRow created;
  created.seq = 5;
  created.action = "key_created";
  created.actor = "alice";
  created.name = "ci";
  world.audit_source.rows = {created};

  auto mine = world.with_key(verb::get, "alice");
  mine->path_params = {"k1"};
  const Answer answer = world.run(world.keys, &KeyHandlers::key_events, mine);
  REQUIRE(status_of(answer) == 200);
  CHECK(world.audit_source.last_after_seq == 4);
  CHECK(world.audit_source.last_filter->key_id == "k1");
  CHECK(world.audit_source.last_filter->include_use);
  CHECK(body_of(answer)["events"][0]["action"] == "key_created");
  CHECK(body_of(answer)["events"][0]["actor_ip"].is_null());

  auto theirs = world.with_key(verb::get, "ada");
  theirs->path_params = {"k1"};
  CHECK(code_of(world.run(world.keys, &KeyHandlers::key_events, theirs)) == "key_not_found");
  auto missing = world.with_key(verb::get, "alice");
  missing->path_params = {"k404"};
  CHECK(status_of(world.run(world.keys, &KeyHandlers::key_events, missing)) == 404);

  world.audit_source.failure = corruption(Reason::kUndecodableEvent, "event 5 does not decode");
  CHECK(status_of(world.run(world.keys, &KeyHandlers::key_events, mine)) == 503);
}

TEST_CASE("a key's history is scanned and answered on the scan pool, after its owner is checked",
          "[server][api][keys]") {
  ApiWorld world;
  world.directory.key_records["k1"] = key_of("k1", "alice", "ci");
  world.scan_pool.hold = true;

  auto theirs = world.with_key(verb::get, "ada");
  theirs->path_params = {"k1"};
  CHECK(code_of(world.run(world.keys, &KeyHandlers::key_events, theirs)) == "key_not_found");
  CHECK(world.scan_pool.held.empty());

  auto mine = world.with_key(verb::get, "alice");
  mine->path_params = {"k1"};
  std::optional<Answer> answer;
  world.keys.key_events(mine, reply_into(answer));
  CHECK_FALSE(answer.has_value());
  CHECK(world.audit_source.scans == 0);
  CHECK(world.scan_pool.held.size() == 1);
  world.scan_pool.run_held();
  CHECK(world.audit_source.scans == 1);
  REQUIRE(answer.has_value());
  CHECK(status_of(*answer) == 200);
  CHECK(body_of(*answer)["key_id"] == "k1");
}

TEST_CASE("key histories beyond the scans' cap answer 503 server_busy and scan nothing",
          "[server][api][keys]") {
  ApiWorld world;
  world.directory.key_records["k1"] = key_of("k1", "alice", "ci");
  world.scan_pool.hold = true;
  const auto history = [&world] {
    auto exchange = world.with_key(verb::get, "alice");
    exchange->path_params = {"k1"};
    return exchange;
  };
  std::vector<std::optional<Answer>> waiting(ApiWorld::kMaxQueuedScans);
  for (auto& answer : waiting) world.keys.key_events(history(), reply_into(answer));
  const Answer busy = world.run(world.keys, &KeyHandlers::key_events, history());
  CHECK(status_of(busy) == 503);
  CHECK(code_of(busy) == "server_busy");
  CHECK(http_of(busy)[server::http::field::retry_after] == "1");
  CHECK(world.audit_source.scans == 0);

  world.audit_source.failure = unavailable(Reason::kStorageUnavailable, "read failed");
  world.scan_pool.run_held();
  for (const auto& answer : waiting) CHECK((answer && code_of(*answer) == "storage_unavailable"));
}

TEST_CASE("a session with a one-time password may not touch keys", "[server][api][keys]") {
  ApiWorld world;
  world.directory.user_records["alice"].must_change_password = true;
  const Answer answer = world.run(world.keys, &KeyHandlers::create_key,
                                  world.with_session(verb::post, "alice", R"({"name":"ci"})"));
  CHECK(status_of(answer) == 403);
  CHECK(code_of(answer) == "password_change_required");
  // The user's keys keep working meanwhile.
  CHECK(status_of(world.run(world.keys, &KeyHandlers::create_key,
                            world.with_key(verb::post, "alice", R"({"name":"ci"})"))) == 201);
}
