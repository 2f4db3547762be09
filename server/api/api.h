// The HTTP front of keyledgerd's API: every request is prepared (request id,
// language, the client behind a trusted proxy), routed by the one route
// table, answered by the handler object of its resource, counted and
// logged. The handlers translate between HTTP/JSON and core commands; the
// rules themselves live in core.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "server/api/answer.h"
#include "server/api/audit_handler.h"
#include "server/api/key_handlers.h"
#include "server/api/observers.h"
#include "server/api/session_handlers.h"
#include "server/api/system_handlers.h"
#include "server/api/user_handlers.h"
#include "server/http/access_log.h"
#include "server/http/http_server.h"
#include "server/http/request_ids.h"
#include "server/http/router.h"
#include "server/http/trusted_peers.h"
#include "server/verify/verify_handler.h"

namespace keyledger::server {

// The handler object of each resource; none is null, and each outlives
// the Api.
struct ApiHandlers {
  KeyHandlers* keys;
  UserHandlers* users;
  SessionHandlers* sessions;
  AuditHandler* audit;
  SystemHandlers* system;
  VerifyHandler* verify;
};

class Api final : public RequestHandler {
 public:
  // What it is given outlives it. `trusted_proxies`: whose X-Forwarded-For
  // is believed.
  Api(ApiHandlers handlers, const std::vector<std::string>& trusted_proxies,
      RequestObserver& requests, AccessLog& access_log, RandomSource& random);

  void handle(std::shared_ptr<Exchange> exchange, Respond respond) override;
  HttpResponse reject(std::string_view code, unsigned status, const HttpRequest* partial,
                      std::string_view client_ip) override;

  // Requests read but not yet answered.
  int in_flight() const { return in_flight_.load(); }
  const Router& router() const { return router_; }

 private:
  // One row per route. This table alone drives both the router and
  // api_route_table(), so the published API description can be checked
  // against what is really served. `tags` are the Authenticator's
  // (kOpenBeforePasswordChange).
  struct RouteEntry {
    http::verb method;
    std::string_view pattern;
    void (*handler)(Api& api, ExchangePtr exchange, Respond respond);
    std::uint32_t tags = 0;
  };
  static std::span<const RouteEntry> route_entries();
  friend std::vector<std::pair<std::string, std::string>> api_route_table();
  // A route answered by `kMethod` of the handler object `kResource`, whose
  // Answer becomes the HTTP answer here.
  template <auto kResource, auto kMethod>
  static void call(Api& api, ExchangePtr exchange, Respond respond);
  // GET /v1/verify, answered in HTTP by the verify part itself.
  static void verify(Api& api, ExchangePtr exchange, Respond respond);

  void add_routes();
  void prepare(Exchange& exchange);
  // Routes a prepared exchange; `finish` answers it.
  void route(std::shared_ptr<Exchange> exchange, Respond finish);

  const ApiHandlers handlers_;
  const TrustedPeers trusted_proxies_;
  RequestObserver& requests_;
  AccessLog& access_log_;
  Router router_;
  RequestIds request_ids_;
  std::atomic<int> in_flight_{0};
};

// (method, pattern) of every route keyledgerd serves, e.g. ("GET",
// "/v1/keys/{id}/events"), in registration order, the web pages that
// /openapi.json describes included (server/web/web_pages.h; the panel's
// files are not API routes). GET routes also answer HEAD. The test that
// keeps /openapi.json in step with the code uses it.
std::vector<std::pair<std::string, std::string>> api_route_table();

}  // namespace keyledger::server
