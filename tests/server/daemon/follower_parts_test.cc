// A follower's node, piece by piece without NATS (the real stream is
// tested in tests/cluster): its verifier answers from the leader's events
// it applied, 503 stale_replica past --max-staleness (an injected clock)
// and again 200 once it confirms; its management routes answer 503
// not_leader with the leader's URL; /readyz and /metrics say its role,
// position and staleness; its last-use sink keeps uses and drops none
// silently.
#include "server/daemon/follower_parts.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "server/api/api.h"
#include "server/daemon/http_routes.h"
#include "server/daemon/metrics.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/last_use_tracker.h"
#include "tests/server/api/api_fakes.h"
#include "tests/server/replication/replication_fixtures.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/skip.h"

using namespace keyledger;
using namespace std::chrono_literals;
using keyledger::server::Exchange;
using keyledger::server::HttpResponse;
using keyledger::testing::FakeEventStream;
using keyledger::testing::FollowerStore;
using keyledger::testing::LeaderHistory;

namespace {

constexpr auto kMaxStaleness = 2s;

// A follower's hot path over its own store, fed by a leader through a fake
// stream, as Node::start_follower wires it.
struct Follower {
  Follower() {
    leader.ledger.create_user("alice", Privilege::kAdmin);
    token = leader.create_key("alice", "billing");
    sync();
  }
  // Publishes the leader's new events and lets the loop take them in.
  void sync() {
    leader.publish_to(stream);
    loop.step();
  }
  HttpResponse verify(const std::string& presented) {
    auto exchange = std::make_shared<Exchange>();
    exchange->request.version(11);
    exchange->client_ip = "127.0.0.1";
    exchange->request.insert("MC-Api-Key", presented);
    return verify_handler.answer(*exchange).into_response(*exchange);
  }

  LeaderHistory leader;
  std::string token;
  FakeEventStream stream;
  FollowerStore store;
  ManualMonotonicClock clock;
  ManualClock wall;
  server::ReplicaFreshness freshness{clock, kMaxStaleness};
  replication::FollowerApplier applier{*store.log, *store.projection, stream};
  struct Observer final : replication::FollowObserver {
    explicit Observer(server::ReplicaFreshness& f) : freshness(f) {}
    void confirmed(MonotonicTime at) override { freshness.confirmed(at); }
    void applied(std::uint64_t) override {}
    void stream_last(std::uint64_t) override {}
    void unavailable(const Status&) override {}
    void connected() override {}
    void refused(const replication::ApplyRefusal&) override {}
    server::ReplicaFreshness& freshness;
  } observer{freshness};
  replication::FollowLoop loop{applier, stream, clock, observer, [] {
                                 replication::FollowOptions options;
                                 options.wait = 0ms;
                                 options.confirm_interval = 500ms;
                                 return options;
                               }()};
  server::HeldKeyUses uses;
  server::LastUseTracker tracker{uses, *store.projection, wall, std::chrono::hours(1)};
  server::FailureRateLimiter limiter{wall, 100};
  server::CredentialVerifier verifier{
      *store.projection, leader.hasher, tracker, limiter, wall, std::string(kDefaultTokenPrefix),
      &freshness};
  server::AppliedSeq applied_seq{std::chrono::seconds(1)};
  server::VerifyHandler verify_handler{verifier, applied_seq};
};

std::string error_code(const HttpResponse& response) {
  return nlohmann::json::parse(response.body())["errors"][0]["code"];
}

}  // namespace

TEST_CASE("a follower verifies while fresh, answers 503 stale_replica past the bound, and recovers",
          "[server][daemon][follower]") {
  Follower f;
  const HttpResponse fresh = f.verify(f.token);
  CHECK(fresh.result_int() == 200);
  CHECK(nlohmann::json::parse(fresh.body())["user"] == "alice");
  f.clock.advance(kMaxStaleness);
  const HttpResponse stale = f.verify(f.token);
  CHECK(stale.result_int() == 503);
  CHECK(error_code(stale) == "stale_replica");
  // A bad key too: a stale follower says nothing of any key.
  CHECK(f.verify("kl_nonsense").result_int() == 503);
  CHECK(f.verifier.counters().stale == 2);
  f.loop.step();  // asks the stream again: confirmed now
  CHECK(f.verify(f.token).result_int() == 200);
}

TEST_CASE("a key deleted on the leader answers 401 on the follower once the deletion is applied",
          "[server][daemon][follower]") {
  Follower f;
  REQUIRE(f.verify(f.token).result_int() == 200);
  f.leader.run(DeleteKey{LeaderHistory::key_id_of(f.token), "alice", "leaked"});
  f.sync();
  const HttpResponse deleted = f.verify(f.token);
  CHECK(deleted.result_int() == 401);
  CHECK(error_code(deleted) == "invalid_credentials");
}

TEST_CASE("a follower's uses of a key are kept for the leader", "[server][daemon][follower]") {
  Follower f;
  REQUIRE(f.verify(f.token).result_int() == 200);
  f.tracker.flush_all();
  REQUIRE(f.uses.held() == 1);
  const auto held = f.uses.take_all();
  CHECK(held[0].key_id == LeaderHistory::key_id_of(f.token));
  CHECK(held[0].client_ip == "127.0.0.1");
  CHECK(f.uses.held() == 0);
}

TEST_CASE(
    "the follower's use holder keeps the newest use per key and refuses, never drops, "
    "beyond its room",
    "[server][daemon][follower]") {
  server::HeldKeyUses uses(/*max_keys=*/2);
  std::vector<bool> answers;
  auto done = [&](Status status) { answers.push_back(status.is_ok()); };
  uses.submit(RecordKeyUse{"k1", "10.0.0.1", 200}, done);
  uses.submit(RecordKeyUse{"k1", "10.0.0.2", 100}, done);  // older: the newer stays
  uses.submit(RecordKeyUse{"k2", "10.0.0.3", 300}, done);
  uses.submit(RecordKeyUse{"k3", "10.0.0.4", 400}, done);  // no room: refused
  uses.submit(RecordKeyUse{"k2", "10.0.0.5", 500}, done);  // held key: room enough
  CHECK(answers == std::vector<bool>{true, true, true, false, true});
  CHECK(uses.held() == 2);
  CHECK(uses.refused() == 1);
  std::map<std::string, RecordKeyUse> by_key;
  for (auto& use : uses.take_all()) by_key[use.key_id] = use;
  CHECK(by_key["k1"].client_ip == "10.0.0.1");
  CHECK(by_key["k2"].client_ip == "10.0.0.5");
}

TEST_CASE("every management route of a follower answers 503 not_leader with the leader's URL",
          "[server][daemon][follower]") {
  testing::ApiWorld world;
  server::AppliedSeq applied{std::chrono::seconds(1)};
  server::VerifyHandler verify{world.verifier, applied};
  std::atomic<bool> ready{true};
  struct NoMetrics final : server::MetricsRenderer {
    std::string render() const override { return ""; }
  } metrics;
  server::SystemPages system{ready, world.health, metrics};
  server::Router router;
  server::add_follower_http_routes(router, {verify, system, "https://leader.example:8443"});
  // The same routes as a leader's, in the same order.
  std::vector<std::pair<std::string, std::string>> registered;
  for (const auto& route : router.routes())
    registered.emplace_back(std::string(server::http::to_string(route.method)), route.pattern);
  const auto table = server::api_route_table();
  REQUIRE(registered.size() >= table.size());
  CHECK(std::vector(registered.begin(), registered.begin() + static_cast<long>(table.size())) ==
        table);
  for (const auto& [method, pattern] : server::management_route_table()) {
    CAPTURE(method, pattern);
    std::string target = pattern;
    if (auto at = target.find("{id}"); at != std::string::npos)
      target.replace(at, 4, "AbCdEf123456");
    auto exchange = world.request(server::http::string_to_verb(method), target, {},
                                  {{"MC-Api-Key", "key-ada"}});
    exchange->path = target;
    const server::Handler* handler = nullptr;
    std::string allowed;
    REQUIRE(router.match(*exchange, handler, allowed) == server::Router::Match::kFound);
    std::optional<HttpResponse> answer;
    (*handler)(exchange, [&](server::RouteReply reply) {
      answer = std::move(reply).into_response(*exchange);
    });
    REQUIRE(answer.has_value());
    CHECK(answer->result_int() == 503);
    const auto body = nlohmann::json::parse(answer->body());
    CHECK(body["errors"][0]["code"] == "not_leader");
    CHECK(body["errors"][0]["context"]["leader_url"] == "https://leader.example:8443");
  }
  // Nothing was authenticated, decided or proxied.
  CHECK(world.verifier.calls == 0);
  CHECK(world.commands.submitted.empty());
}

TEST_CASE(
    "a follower's readiness says its role, position and staleness; 503 while stale or "
    "refused",
    "[server][daemon][follower][system]") {
  std::atomic<bool> ready{true};
  testing::FakeLedgerHealth health;
  struct NoMetrics final : server::MetricsRenderer {
    std::string render() const override { return ""; }
  } metrics;
  server::FollowerFigures figures;
  figures.applied_seq = 7;
  figures.stream_last_seq = 9;
  figures.stream_last_known = true;
  figures.staleness_seconds = 0.25;
  figures.max_staleness_seconds = 10;
  figures.stale = false;
  figures.connected = true;
  server::SystemPages pages{ready, health, metrics,
                            server::ReplicationFigures{.follower = [&] { return figures; }}};
  Exchange exchange;
  exchange.request.version(11);
  const HttpResponse fresh = pages.readyz(exchange);
  CHECK(fresh.result_int() == 200);
  CHECK(nlohmann::json::parse(fresh.body()) == nlohmann::json{{"status", "ready"},
                                                              {"role", "follower"},
                                                              {"head_seq", 7},
                                                              {"applied_seq", 7},
                                                              {"stream_last_seq", 9},
                                                              {"lag", 2},
                                                              {"staleness_seconds", 0.25},
                                                              {"max_staleness_seconds", 10.0},
                                                              {"stream", "connected"},
                                                              {"storage", "ok"}});
  figures.stale = true;
  figures.connected = false;
  const HttpResponse stale = pages.readyz(exchange);
  CHECK(stale.result_int() == 503);
  CHECK(nlohmann::json::parse(stale.body())["status"] == "stale");
  CHECK(nlohmann::json::parse(stale.body())["stream"] == "unreachable");
  figures.stale = false;
  figures.refused = "chain_broken at seq 8: …";
  const HttpResponse refused = pages.readyz(exchange);
  CHECK(refused.result_int() == 503);
  CHECK(nlohmann::json::parse(refused.body())["status"] == "refused");
  CHECK(nlohmann::json::parse(refused.body())["refused"] == "chain_broken at seq 8: …");
  figures = server::FollowerFigures{};  // never confirmed, never asked
  const auto never = nlohmann::json::parse(pages.readyz(exchange).body());
  CHECK(never["staleness_seconds"].is_null());
  CHECK(never["stream_last_seq"].is_null());
}

TEST_CASE("a follower confirms four times per --max-staleness, within limits",
          "[server][daemon][follower]") {
  server::ServerConfig config;
  config.max_staleness = 10s;
  CHECK(server::follow_options(config).confirm_interval == 1000ms);
  config.max_staleness = 400ms;
  CHECK(server::follow_options(config).confirm_interval == 100ms);
  CHECK(server::follow_options(config).wait == 100ms);
  config.max_staleness = 10ms;
  CHECK(server::follow_options(config).confirm_interval == 5ms);
  CHECK(server::follow_options(config).wait == 5ms);
}

TEST_CASE("a follower's metrics carry its figures and pass Prometheus's linter",
          "[server][daemon][follower][metrics]") {
  if (::access("/usr/bin/promtool", X_OK) != 0)
    KEYLEDGER_SKIP("promtool is not installed (Debian package prometheus; tools/setup.sh)");
  server::Metrics metrics;
  server::VerifyCounters verify;
  verify.stale = 3;
  server::FollowerFigures figures;
  figures.applied_seq = 12;
  figures.stream_last_seq = 15;
  figures.stream_last_known = true;
  figures.max_staleness_seconds = 10;
  for (double staleness : {-1.0, 0.125}) {
    figures.staleness_seconds = staleness;
    const std::string page = metrics.render(verify, nullptr, &figures);
    CHECK(page.find("keyledger_follower_lag_events 3\n") != std::string::npos);
    CHECK(page.find("keyledger_verifications_total{result=\"stale\"} 3\n") != std::string::npos);
    CHECK(page.find(staleness < 0
                        ? "keyledger_follower_staleness_seconds +Inf\n"
                        : "keyledger_follower_staleness_seconds 0.125") != std::string::npos);
    testing::TempDir folder;
    testing::write_file(folder / "metrics.txt", page);
    const testing::CommandResult checked = testing::run_command(
        "/bin/sh",
        {"-c", "exec /usr/bin/promtool check metrics < \"$0\"", (folder / "metrics.txt").string()});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    CHECK(checked.err.empty());
  }
}
