#include "server/daemon/system_pages.h"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "server/http/responses.h"

namespace keyledger::server {
namespace {

struct SystemPage {
  std::string_view path;
  HttpResponse (SystemPages::*answer)(const Exchange&) const;
};

// The one table add_system_routes() and system_route_table() read.
constexpr SystemPage kPages[] = {
    {"/healthz", &SystemPages::healthz},
    {"/readyz", &SystemPages::readyz},
    {"/metrics", &SystemPages::metrics},
};

// /readyz's "replication" of a leader: how far the stream is behind the
// log, whether NATS answers, whether writes are refused for it, and a fork.
Json publisher_json(const replication::PublisherStatus& status) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  Json json = {{"role", "leader"},
               {"nats", status.reachable ? "reachable" : "unreachable"},
               {"published_seq", status.published_seq},
               {"unpublished_events",
                status.committed_seq - std::min(status.committed_seq, status.published_seq)},
               {"oldest_unpublished_ms", nullptr},
               {"writes", status.writes_refused ? "refused" : "accepted"},
               {"fork", nullptr}};
  if (status.oldest_unpublished_age)
    json["oldest_unpublished_ms"] =
        duration_cast<milliseconds>(*status.oldest_unpublished_age).count();
  if (status.forked) json["fork"] = status.fork;
  return json;
}

}  // namespace

HttpResponse SystemPages::healthz(const Exchange& exchange) const {
  return json_response(exchange, 200, {{"status", "ok"}});
}

HttpResponse SystemPages::readyz(const Exchange& exchange) const {
  if (!ready_.load()) return json_response(exchange, 503, {{"status", "not ready"}});
  if (replication_.follower) return follower_readyz(exchange, replication_.follower());
  // Verification and reads are served from memory even while storage
  // refuses writes, so the server stays ready; the body says so, for
  // monitoring (also keyledger_storage_failing in /metrics). Why it fails
  // (RocksDB's message, with file paths) goes only to the log.
  Json body = {{"status", "ready"},
               {"role", "leader"},
               {"head_seq", ledger_.head_seq()},
               {"storage", ledger_.storage_failing() ? "failing" : "ok"}};
  if (replication_.publisher) body["replication"] = publisher_json(replication_.publisher());
  return json_response(exchange, 200, body);
}

// A follower serves verification only while it can vouch for its state, so
// it is ready only then: a load balancer sends API servers elsewhere.
HttpResponse SystemPages::follower_readyz(const Exchange& exchange,
                                          const FollowerFigures& figures) const {
  const char* status = !figures.refused.empty() ? "refused" : figures.stale ? "stale" : "ready";
  Json body = {{"status", status},
               {"role", "follower"},
               {"head_seq", ledger_.head_seq()},
               {"applied_seq", figures.applied_seq},
               {"stream_last_seq",
                figures.stream_last_known ? Json(figures.stream_last_seq) : Json(nullptr)},
               {"lag", figures.lag()},
               {"staleness_seconds",
                figures.staleness_seconds >= 0 ? Json(figures.staleness_seconds) : Json(nullptr)},
               {"max_staleness_seconds", figures.max_staleness_seconds},
               {"stream", figures.connected ? "connected" : "unreachable"},
               {"storage", figures.storage_failing ? "failing" : "ok"}};
  if (!figures.refused.empty()) body["refused"] = figures.refused;
  return json_response(exchange, std::string_view(status) == "ready" ? 200 : 503, body);
}

HttpResponse SystemPages::metrics(const Exchange& exchange) const {
  HttpResponse response{http::status::ok, exchange.request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.keep_alive(exchange.request.keep_alive());
  response.body() = metrics_.render();
  return response;
}

void add_system_routes(Router& router, const SystemPages& pages) {
  for (const SystemPage& page : kPages) {
    router.add(http::verb::get, std::string(page.path),
               [&pages, answer = page.answer](std::shared_ptr<Exchange> exchange, Respond respond) {
                 respond((pages.*answer)(*exchange));
               });
  }
}

std::vector<std::pair<std::string, std::string>> system_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (const SystemPage& page : kPages) table.emplace_back("GET", std::string(page.path));
  return table;
}

}  // namespace keyledger::server
