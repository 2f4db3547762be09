// Fakes of the interfaces the /v1 handlers are given, and a fixture that
// builds every handler over them: no RocksDB, no writer thread, no socket.
// Everything answers on the calling thread, so a handler has replied by the
// time it returns (unless a test holds the password work or the scans back).
#pragma once

#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "core/secret_hasher.h"
#include "server/api/answer.h"
#include "server/api/audit_handler.h"
#include "server/api/authenticator.h"
#include "server/api/bounded_work.h"
#include "server/api/cluster_handler.h"
#include "server/api/commit_answers.h"
#include "server/api/key_handlers.h"
#include "server/api/ledger_ports.h"
#include "server/api/observers.h"
#include "server/api/password_work.h"
#include "server/api/session_handlers.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"
#include "server/api/user_handlers.h"
#include "server/daemon/system_pages.h"  // LedgerHealth
#include "tests/server/captured_log.h"

namespace keyledger::testing {

using server::Answer;
using server::ApiError;
using server::Exchange;
using server::ExchangePtr;
using server::Json;

// Valid API keys by token.
class FakeKeyVerifier final : public server::KeyVerifier {
 public:
  std::map<std::string, server::VerifiedKey, std::less<>> valid;
  std::int64_t retry_after = 0;  // > 0: a bad key is rate limited
  int calls = 0;
  StatusOr<server::VerifiedKey> verify(std::string_view token, const std::string&,
                                       std::int64_t* retry_after_seconds) override {
    ++calls;
    if (auto it = valid.find(token); it != valid.end()) return it->second;
    if (retry_after > 0) {
      if (retry_after_seconds) *retry_after_seconds = retry_after;
      return Status(StatusCode::kResourceExhausted, Reason::kRateLimited, "too many failures");
    }
    return server::invalid_credentials();
  }
};

class FakeDirectory final : public server::UserDirectory, public server::KeyDirectory {
 public:
  std::map<std::string, UserRecord, std::less<>> user_records;
  std::map<std::string, KeyRecord, std::less<>> key_records;
  std::map<std::string, server::LastUse> uses;

  std::optional<UserRecord> user(std::string_view user_id) const override {
    auto it = user_records.find(user_id);
    return it == user_records.end() ? std::nullopt : std::optional(it->second);
  }
  std::vector<UserRecord> users() const override {
    std::vector<UserRecord> all;
    for (const auto& [id, user] : user_records) all.push_back(user);
    return all;
  }
  std::optional<KeyRecord> key(std::string_view key_id) const override {
    auto it = key_records.find(key_id);
    return it == key_records.end() ? std::nullopt : std::optional(it->second);
  }
  std::vector<KeyRecord> live_keys_of(std::string_view owner) const override {
    std::vector<KeyRecord> keys;
    for (const auto& [id, key] : key_records)
      if (key.owner == owner && !key.deleted) keys.push_back(key);
    return keys;
  }
  std::optional<server::LastUse> latest_use(const std::string& key_id) const override {
    auto it = uses.find(key_id);
    return it == uses.end() ? std::nullopt : std::optional(it->second);
  }
};

// Records every command; accepts them (with the event `event_for` gives)
// unless `refusal` is set.
class FakeCommandSink final : public CommandSink {
 public:
  struct Submitted {
    std::vector<Command> commands;
    EventOrigin origin;
  };
  std::vector<Submitted> submitted;
  std::optional<Status> refusal;
  // Called after a command is accepted, before its callback (the fold).
  std::function<void(const Command&)> on_accept;

  void submit(Command command, EventOrigin origin, CommitCallback done) override {
    submit_all({std::move(command)}, std::move(origin), std::move(done));
  }
  void submit_all(std::vector<Command> commands, EventOrigin origin, CommitCallback done) override {
    submitted.push_back({commands, origin});
    if (refusal) return done(*refusal);
    for (const auto& command : commands)
      if (on_accept) on_accept(command);
    CommittedEvent event;
    event.seq = submitted.size();
    event.time_ns = 1'700'000'000'000'000'000;
    if (const auto* create = std::get_if<CreateKey>(&commands.back()))
      event.payload = KeyCreated{create->key_id, create->owner, create->name, create->secret_hash};
    done(event);
  }
  const Command& last() const { return submitted.back().commands.back(); }
};

class FakeAuditSource final : public server::AuditSource {
 public:
  std::vector<projections::AuditRow> rows;
  std::optional<Status> failure;
  // What the last scan was asked for (scan() is const, like the log's).
  mutable std::optional<projections::AuditFilter> last_filter;
  mutable std::uint64_t last_after_seq = 0;
  mutable int scans = 0;
  Status scan(std::uint64_t after_seq, const projections::AuditFilter& filter, const OwnerOf&,
              const Visit& visit) const override {
    ++scans;
    last_filter = filter;
    last_after_seq = after_seq;
    if (failure) return *failure;
    for (const auto& row : rows)
      if (row.seq > after_seq && !visit(row)) break;
    return Status::ok();
  }
};

// Runs jobs at once, or keeps them while `hold` is set.
class FakeBlockingWork final : public server::BlockingWork {
 public:
  bool hold = false;
  std::deque<std::function<void()>> held;
  void post(std::function<void()> job) override {
    if (hold) return held.push_back(std::move(job));
    job();
  }
  void run_held() {
    while (!held.empty()) {
      auto job = std::move(held.front());
      held.pop_front();
      job();
    }
  }
};

struct FakeObservers final : server::PasswordCheckCounter {
  int password_checks = 0;
  void observe_password_check() override { ++password_checks; }
};

struct FakeLedgerHealth final : server::LedgerHealth {
  std::uint64_t seq = 7;
  bool failing = false;
  std::uint64_t head_seq() const override { return seq; }
  bool storage_failing() const override { return failing; }
};

// Every handler over the fakes, with a user `alice` (user), `ada` (admin)
// and `audrey` (auditor), each with the password "correct horse", and an
// API key for each ("key-<name>").
struct ApiWorld {
  ApiWorld();

  // A request to a handler; `fields` are extra header fields.
  ExchangePtr request(server::http::verb method, std::string target, std::string body = {},
                      std::map<std::string, std::string> fields = {});
  ExchangePtr with_key(server::http::verb method, const std::string& user, std::string body = {});
  // Signs `user` in (a session) and returns a request carrying its cookie
  // and CSRF token.
  ExchangePtr with_session(server::http::verb method, const std::string& user,
                           std::string body = {});

  // Runs a handler and returns its answer (it must have replied).
  template <typename Handlers, typename Method>
  Answer run(Handlers& handlers, Method method, const ExchangePtr& exchange) {
    std::optional<Answer> answer;
    (handlers.*method)(exchange, [&answer](Answer given) {
      REQUIRE_FALSE(answer.has_value());
      answer.emplace(std::move(given));
    });
    REQUIRE(answer.has_value());
    return std::move(*answer);
  }

  ManualClock clock;
  SeededRandom random{19};
  CapturedLog log;
  FakeKeyVerifier verifier;
  FakeDirectory directory;
  FakeCommandSink commands;
  FakeAuditSource audit_source;
  FakeBlockingWork pool;
  FakeBlockingWork scan_pool;  // scans have their own pool and cap, as in keyledgerd
  static constexpr int kMaxQueuedScans = 2;
  server::BoundedWork scans{scan_pool, kMaxQueuedScans};
  FakeObservers observers;
  FakeLedgerHealth health;
  std::vector<std::string> passwords_chosen;
  PasswordHasher hasher{random, ScryptCost{4, 1, 1}};  // cheap: tests only
  SecretHasher secret_hasher = SecretHasher::create(std::string(64, 'p')).value();
  server::SessionStore sessions{clock, random};
  server::SignInGuard sign_ins{clock, server::SignInPolicy{}};
  server::Authenticator auth{verifier, sessions, directory};
  server::CommitAnswers answers{log.log};
  server::PasswordWork passwords{pool, hasher, observers};
  server::KeyHandlers keys;
  server::AccountServices accounts{auth,      directory, commands, answers,
                                   passwords, sessions,  sign_ins, clock};
  server::UserHandlers users{accounts};
  server::SessionHandlers session_handlers;
  server::AuditHandler audit{auth, audit_source, directory, scans};
  // GET /v1/cluster's body: what a leader without followers answers.
  server::ClusterHandler cluster{
      auth, [] {
        return server::Json{{"role", "leader"}, {"followers", server::Json::array()}};
      }};
};

// A reply that keeps its answer in `answer`, for a handler whose work a
// test holds back; it must be the first answer.
inline server::Reply reply_into(std::optional<Answer>& answer) {
  return [&answer](Answer given) {
    REQUIRE_FALSE(answer.has_value());
    answer.emplace(std::move(given));
  };
}

// The answer as HTTP, and its parts.
inline server::HttpResponse http_of(const Answer& answer) {
  return server::to_response(Exchange{}, answer);
}
inline unsigned status_of(const Answer& answer) { return http_of(answer).result_int(); }
inline Json body_of(const Answer& answer) {
  const std::string body = http_of(answer).body();
  return body.empty() ? Json() : Json::parse(body);
}
// The error code, or empty.
inline std::string code_of(const Answer& answer) {
  const Json body = body_of(answer);
  return body.contains("errors") ? body["errors"][0]["code"].get<std::string>() : "";
}

inline constexpr std::string_view kPassword = "correct horse";

inline ApiWorld::ApiWorld()
    : keys({"kl", "http://127.0.0.1:8080/v1"}, auth, directory, commands, answers, audit_source,
           scans, secret_hasher, random),
      session_handlers({hasher.hash("nobody's password").value(), 30,
                        [this](const std::string& user) { passwords_chosen.push_back(user); }},
                       accounts) {
  const std::string hash = hasher.hash(kPassword).value();
  for (const auto& [name, privilege] : {std::pair{"alice", Privilege::kUser},
                                        {"ada", Privilege::kAdmin},
                                        {"audrey", Privilege::kAuditor}}) {
    UserRecord user;
    user.user_id = name;
    user.privilege = privilege;
    user.password_hash = hash;
    user.created_at_ns = clock.now_ns();
    directory.user_records[name] = user;
    verifier.valid["key-" + std::string(name)] = {name, privilege, std::string("k") + name};
  }
}

inline ExchangePtr ApiWorld::request(server::http::verb method, std::string target,
                                     std::string body, std::map<std::string, std::string> fields) {
  auto exchange = std::make_shared<Exchange>();
  exchange->request.method(method);
  exchange->request.target(target);
  exchange->request.version(11);
  exchange->client_ip = "192.0.2.1";
  exchange->request_id = "req-1";
  if (!body.empty()) fields.emplace("Content-Type", "application/json");
  for (const auto& [name, value] : fields) exchange->request.insert(name, value);
  exchange->request.body() = std::move(body);
  return exchange;
}

inline ExchangePtr ApiWorld::with_key(server::http::verb method, const std::string& user,
                                      std::string body) {
  return request(method, "/", std::move(body), {{"MC-Api-Key", "key-" + user}});
}

inline ExchangePtr ApiWorld::with_session(server::http::verb method, const std::string& user,
                                          std::string body) {
  std::string csrf;
  const std::string session = sessions.create(user, csrf);
  return request(
      method, "/", std::move(body),
      {{"Cookie", std::string(server::kSessionCookie) + "=" + session}, {"X-CSRF-Token", csrf}});
}

}  // namespace keyledger::testing
