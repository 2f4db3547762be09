// Signing in and out and changing passwords, against fakes: the answers,
// the lock after failed passwords, and the cap on password work.
#include "server/api/session_handlers.h"

#include <catch2/catch.hpp>

#include "tests/server/api/api_fakes.h"

using namespace keyledger;
using namespace keyledger::testing;
using server::SessionHandlers;
using server::http::verb;

namespace {

std::string sign_in_body(const std::string& user, std::string_view password) {
  return Json{{"user", user}, {"password", password}}.dump();
}

Answer sign_in(ApiWorld& world, const std::string& user, std::string_view password) {
  return world.run(world.session_handlers, &SessionHandlers::login,
                   world.request(verb::post, "/v1/login", sign_in_body(user, password)));
}

std::string password_change(std::string_view current, std::string_view next) {
  return Json{{"current_password", current}, {"new_password", next}}.dump();
}

}  // namespace

TEST_CASE("signing in with the right password opens a session and sets its cookie",
          "[server][api][session]") {
  ApiWorld world;
  const Answer answer = sign_in(world, "alice", kPassword);
  REQUIRE(status_of(answer) == 200);
  const Json body = body_of(answer);
  CHECK(body["user"] == "alice");
  CHECK(body["privilege"] == "user");
  CHECK(body["password_change_required"] == false);
  const std::string cookie(http_of(answer)[server::http::field::set_cookie]);
  CHECK(cookie.rfind("kl_session=", 0) == 0);
  CHECK(cookie.find("HttpOnly; SameSite=Strict") != std::string::npos);
  CHECK(world.observers.password_checks == 1);
}

TEST_CASE("a wrong password answers 401, and the tenth in a row locks the name in the ledger",
          "[server][api][session]") {
  ApiWorld world;
  for (int i = 1; i < 10; ++i) {
    const Answer wrong = sign_in(world, "alice", "wrong password");
    REQUIRE(status_of(wrong) == 401);
    REQUIRE(code_of(wrong) == "invalid_credentials");
  }
  CHECK(world.commands.submitted.empty());
  const Answer locked = sign_in(world, "alice", "wrong password");
  CHECK(status_of(locked) == 423);
  CHECK(code_of(locked) == "user_locked");
  REQUIRE(world.commands.submitted.size() == 1);
  const auto& lock = std::get<LockUser>(world.commands.last());
  CHECK(lock.user_id == "alice");
  CHECK(lock.reason == kTooManyFailedSignIns);
  CHECK(world.commands.submitted[0].origin.actor == kSystemActor);
  // Locked now, even with the right password, and without a hash.
  CHECK(status_of(sign_in(world, "alice", kPassword)) == 423);
  CHECK(world.observers.password_checks == 10);
}

TEST_CASE("a name nobody holds costs the same check and locks alike, but writes nothing",
          "[server][api][session]") {
  ApiWorld world;
  CHECK(code_of(sign_in(world, "nobody", kPassword)) == "invalid_credentials");
  CHECK(world.observers.password_checks == 1);
  for (int i = 2; i < 10; ++i) REQUIRE(status_of(sign_in(world, "nobody", "guess")) == 401);
  CHECK(status_of(sign_in(world, "nobody", "guess")) == 423);
  CHECK(world.commands.submitted.empty());
}

TEST_CASE("a name no user could have is refused at once, without a hash",
          "[server][api][session]") {
  ApiWorld world;
  const Answer answer = sign_in(world, "Not A User!", kPassword);
  CHECK(status_of(answer) == 401);
  CHECK(code_of(answer) == "invalid_credentials");
  CHECK(world.observers.password_checks == 0);
}

TEST_CASE("a sign-in with an unreadable body is refused before any password work",
          "[server][api][session]") {
  ApiWorld world;
  auto form = world.request(verb::post, "/v1/login", "user=alice",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(status_of(world.run(world.session_handlers, &SessionHandlers::login, form)) == 415);
  const Answer missing = world.run(world.session_handlers, &SessionHandlers::login,
                                   world.request(verb::post, "/v1/login", R"({"user":"alice"})"));
  CHECK(status_of(missing) == 400);
  CHECK(code_of(missing) == "missing_field");
  CHECK(body_of(missing)["errors"][0]["context"]["field"] == "password");
  CHECK(world.observers.password_checks == 0);
}

TEST_CASE("password work beyond the queue's cap answers 503 server_busy with Retry-After",
          "[server][api][session]") {
  ApiWorld world;
  world.pool.hold = true;
  int replies = 0;
  for (int i = 0; i < server::PasswordWork::kMaxQueuedJobs; ++i)
    world.session_handlers.login(
        world.request(verb::post, "/v1/login", sign_in_body("alice", kPassword)),
        [&replies](Answer) { ++replies; });
  CHECK(replies == 0);
  const Answer busy = sign_in(world, "alice", kPassword);
  CHECK(status_of(busy) == 503);
  CHECK(code_of(busy) == "server_busy");
  CHECK(http_of(busy)[server::http::field::retry_after] == "1");
  world.pool.run_held();
  CHECK(replies == server::PasswordWork::kMaxQueuedJobs);
  world.pool.hold = false;
  CHECK(status_of(sign_in(world, "alice", kPassword)) == 200);
}

TEST_CASE("too many failed sign-ins from one client answer 429 with the wait",
          "[server][api][session]") {
  ApiWorld world;
  for (int i = 0; i < 30; ++i) (void)sign_in(world, "Bad Name " + std::to_string(i), "x");
  const Answer limited = sign_in(world, "alice", kPassword);
  CHECK(status_of(limited) == 429);
  CHECK(code_of(limited) == "rate_limited");
  CHECK_FALSE(std::string(http_of(limited)[server::http::field::retry_after]).empty());
}

TEST_CASE(
    "a password change commits the new hash, signs other sessions out and ends the "
    "one-time file",
    "[server][api][session]") {
  ApiWorld world;
  std::string other_csrf;
  const std::string other = world.sessions.create("alice", other_csrf);
  auto change = world.with_session(verb::post, "alice", password_change(kPassword, "new horse!"));
  const Answer answer =
      world.run(world.session_handlers, &SessionHandlers::change_password, change);
  REQUIRE(status_of(answer) == 204);
  const auto& changed = std::get<ChangePassword>(world.commands.last());
  CHECK(changed.user_id == "alice");
  CHECK_FALSE(changed.must_change_password);
  CHECK(PasswordHasher::verify("new horse!", changed.password_hash));
  CHECK_FALSE(world.sessions.find(other).has_value());
  CHECK(world.sessions.find(server::cookie_value(change->request, server::kSessionCookie)));
  CHECK(world.passwords_chosen == std::vector<std::string>{"alice"});
}

TEST_CASE("a wrong current password answers 400 wrong_password and changes nothing",
          "[server][api][session]") {
  ApiWorld world;
  const Answer answer =
      world.run(world.session_handlers, &SessionHandlers::change_password,
                world.with_key(verb::post, "alice", password_change("not it!!", "new horse!")));
  CHECK(status_of(answer) == 400);
  CHECK(code_of(answer) == "wrong_password");
  CHECK(body_of(answer)["errors"][0]["context"]["field"] == "current_password");
  CHECK(world.commands.submitted.empty());
  CHECK(world.passwords_chosen.empty());
  const Answer weak =
      world.run(world.session_handlers, &SessionHandlers::change_password,
                world.with_key(verb::post, "alice", password_change(kPassword, "short")));
  CHECK(code_of(weak) == "password_too_short");
}

TEST_CASE("a one-time password opens only the routes tagged for it", "[server][api][session]") {
  ApiWorld world;
  world.directory.user_records["alice"].must_change_password = true;
  auto who = world.with_session(verb::get, "alice");
  CHECK(code_of(world.run(world.session_handlers, &SessionHandlers::session, who)) ==
        "password_change_required");
  who->route_tags = server::kOpenBeforePasswordChange;
  const Answer answer = world.run(world.session_handlers, &SessionHandlers::session, who);
  CHECK(status_of(answer) == 200);
  CHECK(body_of(answer)["password_change_required"] == true);
  CHECK(body_of(answer).contains("csrf_token"));
}

TEST_CASE("a session call that changes state needs the session's CSRF token",
          "[server][api][session]") {
  ApiWorld world;
  auto logout = world.with_session(verb::post, "alice");
  logout->request.set("X-CSRF-Token", "not the token");
  const Answer refused = world.run(world.session_handlers, &SessionHandlers::logout, logout);
  CHECK(status_of(refused) == 403);
  CHECK(code_of(refused) == "csrf_token_invalid");
}

TEST_CASE("signing out ends the session and expires its cookie", "[server][api][session]") {
  ApiWorld world;
  auto logout = world.with_session(verb::post, "alice");
  const std::string session = server::cookie_value(logout->request, server::kSessionCookie);
  const Answer answer = world.run(world.session_handlers, &SessionHandlers::logout, logout);
  CHECK(status_of(answer) == 204);
  CHECK(std::string(http_of(answer)[server::http::field::set_cookie]).find("Max-Age=0") !=
        std::string::npos);
  CHECK_FALSE(world.sessions.find(session).has_value());
}
