// Administration of users against fakes: who may, what each update
// commits, and what it does beyond the ledger.
#include "server/api/user_handlers.h"

#include <catch2/catch.hpp>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::UserHandlers;
using server::UserUpdate;
using server::http::verb;

namespace {

ExchangePtr update_of(ApiWorld& world, const std::string& user, const std::string& body) {
  auto exchange = world.with_key(verb::patch, "ada", body);
  exchange->path_params = {user};
  return exchange;
}

template <typename T>
bool has(const std::vector<Command>& commands) {
  for (const auto& command : commands)
    if (std::holds_alternative<T>(command)) return true;
  return false;
}

}  // namespace

TEST_CASE("only an admin may manage users", "[server][api][users]") {
  ApiWorld world;
  for (const std::string who : {"alice", "audrey"}) {
    const Answer answer =
        world.run(world.users, &UserHandlers::list_users, world.with_key(verb::get, who));
    CHECK(status_of(answer) == 403);
    CHECK(code_of(answer) == "forbidden");
  }
  const Answer listed =
      world.run(world.users, &UserHandlers::list_users, world.with_key(verb::get, "ada"));
  CHECK(status_of(listed) == 200);
  CHECK(body_of(listed)["users"].size() == 3);
}

TEST_CASE("a new user is committed with the hash of their password, never the password",
          "[server][api][users]") {
  ApiWorld world;
  world.commands.on_accept = [&](const Command& command) {
    const auto& create = std::get<CreateUser>(command);
    UserRecord user;
    user.user_id = create.user_id;
    user.privilege = create.privilege;
    world.directory.user_records[create.user_id] = user;
  };
  const Answer answer = world.run(
      world.users, &UserHandlers::create_user,
      world.with_key(verb::post, "ada",
                     R"({"user":"bob","password":"a fine password","privilege":"auditor"})"));
  REQUIRE(status_of(answer) == 201);
  CHECK(body_of(answer)["privilege"] == "auditor");
  const auto& create = std::get<CreateUser>(world.commands.last());
  CHECK(create.password_hash.find("a fine password") == std::string::npos);
  CHECK(PasswordHasher::verify("a fine password", create.password_hash));
  CHECK(world.commands.submitted[0].origin.actor == "ada");
}

TEST_CASE("a new user with a bad privilege, name or password is refused and not submitted",
          "[server][api][users]") {
  ApiWorld world;
  auto create = [&](const std::string& body) {
    return world.run(world.users, &UserHandlers::create_user,
                     world.with_key(verb::post, "ada", body));
  };
  const Answer privilege =
      create(R"({"user":"bob","password":"a fine password","privilege":"root"})");
  CHECK(status_of(privilege) == 400);
  CHECK(code_of(privilege) == "invalid_privilege");
  CHECK(body_of(privilege)["errors"][0]["context"]["field"] == "privilege");
  CHECK(code_of(create(R"({"user":"Bob!","password":"a fine password"})")) == "invalid_user_id");
  CHECK(code_of(create(R"({"user":"bob","password":"short"})")) == "password_too_short");
  CHECK(code_of(create(R"({"user":"bob"})")) == "missing_field");
  CHECK(world.commands.submitted.empty());
}

TEST_CASE("the commands of an update leave out what is so already", "[server][api][users]") {
  UserRecord user;
  user.user_id = "alice";
  CHECK(server::user_changes(UserUpdate{Privilege::kUser, false, false, {}}, user, "ada").empty());
  const auto promote =
      server::user_changes(UserUpdate{Privilege::kAuditor, true, {}, {}}, user, "ada");
  REQUIRE(promote.size() == 2);
  CHECK(std::get<ChangePrivilege>(promote[0]).by == "ada");
  CHECK(std::holds_alternative<DisableUser>(promote[1]));

  // A new password unlocks; a lock asked for with it wins.
  user.locked = true;
  user.locked_until_ns = 5;
  CHECK(has<UnlockUser>(server::user_changes(UserUpdate{{}, {}, {}, "new pass"}, user, "ada")));
  const auto relock = server::user_changes(UserUpdate{{}, {}, true, "new pass"}, user, "ada");
  // A lock that ends by itself becomes an administrator's.
  REQUIRE(relock.size() == 1);
  CHECK(std::get<LockUser>(relock[0]).lockout_ns == 0);
  user.locked_until_ns = 0;
  CHECK(server::user_changes(UserUpdate{{}, {}, true, {}}, user, "ada").empty());
}

TEST_CASE("disabling a user commits it and signs them out everywhere", "[server][api][users]") {
  ApiWorld world;
  std::string csrf;
  const std::string session = world.sessions.create("alice", csrf);
  const Answer answer = world.run(world.users, &UserHandlers::update_user,
                                  update_of(world, "alice", R"({"disabled":true})"));
  CHECK(status_of(answer) == 200);
  CHECK(std::holds_alternative<DisableUser>(world.commands.last()));
  CHECK_FALSE(world.sessions.find(session).has_value());
}

TEST_CASE("a password given by an admin is one-time, unlocks, and lifts the sign-in count",
          "[server][api][users]") {
  ApiWorld world;
  world.directory.user_records["alice"].locked = true;
  for (int i = 0; i < 10; ++i) (void)world.sign_ins.record_failure("alice", std::nullopt);
  REQUIRE(world.sign_ins.locked_until("alice") != 0);
  const Answer answer = world.run(world.users, &UserHandlers::update_user,
                                  update_of(world, "alice", R"({"password":"temporary pass"})"));
  CHECK(status_of(answer) == 200);
  REQUIRE(world.commands.submitted.size() == 1);
  const auto& commands = world.commands.submitted[0].commands;
  REQUIRE(commands.size() == 2);
  CHECK(std::holds_alternative<UnlockUser>(commands[0]));
  const auto& password = std::get<ChangePassword>(commands[1]);
  CHECK(password.must_change_password);
  CHECK(password.by == "ada");
  CHECK(world.sign_ins.locked_until("alice") == 0);
}

TEST_CASE("an update is refused for a user that does not exist or a bad body",
          "[server][api][users]") {
  ApiWorld world;
  const Answer missing = world.run(world.users, &UserHandlers::update_user,
                                   update_of(world, "nobody", R"({"disabled":true})"));
  CHECK(status_of(missing) == 404);
  CHECK(code_of(missing) == "user_not_found");
  const Answer privilege = world.run(world.users, &UserHandlers::update_user,
                                     update_of(world, "alice", R"({"privilege":"root"})"));
  CHECK(code_of(privilege) == "invalid_privilege");
  const Answer password = world.run(world.users, &UserHandlers::update_user,
                                    update_of(world, "alice", R"({"password":"short"})"));
  CHECK(code_of(password) == "password_too_short");
  CHECK(body_of(password)["errors"][0]["context"]["field"] == "password");
  const Answer type = world.run(world.users, &UserHandlers::update_user,
                                update_of(world, "alice", R"({"locked":"yes"})"));
  CHECK(code_of(type) == "invalid_type");
  CHECK(world.commands.submitted.empty());
}

TEST_CASE("an update with nothing to change answers the user without a commit",
          "[server][api][users]") {
  ApiWorld world;
  const Answer answer = world.run(world.users, &UserHandlers::update_user,
                                  update_of(world, "alice", R"({"privilege":"user"})"));
  CHECK(status_of(answer) == 200);
  CHECK(body_of(answer)["user"] == "alice");
  CHECK(world.commands.submitted.empty());
}

TEST_CASE("a refused update leaves sessions and sign-in counts alone", "[server][api][users]") {
  ApiWorld world;
  std::string csrf;
  const std::string session = world.sessions.create("ada", csrf);
  world.commands.refusal = failed_precondition(Reason::kCannotChangeSelf, "not yourself");
  const Answer answer = world.run(world.users, &UserHandlers::update_user,
                                  update_of(world, "ada", R"({"disabled":true})"));
  CHECK(status_of(answer) == 409);
  CHECK(code_of(answer) == "cannot_change_self");
  CHECK(world.sessions.find(session).has_value());
}
