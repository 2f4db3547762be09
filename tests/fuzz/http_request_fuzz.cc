// The HTTP request path without a socket: raw bytes through Beast's request
// parser with keyledgerd's limits and framing checks
// (server/http/http_request_parsing.h), as a
// keep-alive connection reads them (pipelined requests, one after another),
// then what an HTTP session and the Authenticator do before a handler runs: the
// request target, the router with the real route table, the credentials,
// language and body checks.
#include "server/api/authenticator.h"
#include "server/api/request_bodies.h"
#include "server/daemon/http_routes.h"
#include "server/http/http_request_parsing.h"
#include "server/http/http_server.h"
#include "server/http/i18n.h"
#include "server/http/json_body.h"
#include "server/http/request_target.h"
#include "server/http/router.h"
#include "server/web/web_pages.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

namespace server = keyledger::server;
namespace http = server::http;
using keyledger::fuzz::fuzz_check;

// The real routes, each with a handler that does nothing.
const server::Router& routes() {
  static const server::Router router = [] {
    server::Router built;
    for (const auto& [method, pattern] : server::api_route_table())
      built.add(http::string_to_verb(method), pattern, {});
    for (const auto& path : server::panel_route_table()) built.add(http::verb::get, path, {});
    return built;
  }();
  return router;
}

void handle(server::HttpRequest request) {
  auto exchange = std::make_shared<server::Exchange>();
  exchange->request = std::move(request);
  exchange->language = server::negotiate_language(exchange->request[http::field::accept_language]);
  server::RequestTarget target;
  if (server::parse_request_target(exchange->request.target(), target) !=
      server::TargetError::kNone)
    return;
  fuzz_check(!target.path.empty() && target.path.front() == '/', "a parsed path starts with /");
  exchange->path = std::move(target.path);
  exchange->query = std::move(target.query);
  const server::Handler* handler = nullptr;
  std::string allowed;
  const auto match = routes().match(*exchange, handler, allowed);
  fuzz_check(match != server::Router::Match::kWrongMethod || !allowed.empty(),
             "a 405 names the allowed methods");
  if (match == server::Router::Match::kFound && exchange->route.find('{') != std::string::npos)
    fuzz_check(!exchange->path_params.empty(), "a pattern route hands over its parameters");
  (void)server::presented_token(exchange->request);
  (void)server::cookie_value(exchange->request, server::kSessionCookie);
  if (server::is_json_media_type(exchange->request[http::field::content_type]))
    (void)server::parse_json_object(exchange->request.body(), {"user", "password", "privilege"})
        .is_ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const server::HttpLimits limits;
  std::string_view rest = keyledger::fuzz::as_text(data, size);
  // A connection reads requests one after another from the same bytes.
  for (int request = 0; request < 4 && !rest.empty(); ++request) {
    server::RequestParser parser;
    server::limit_request_parser(parser, limits);
    boost::beast::error_code error;
    while (!parser.is_done()) {
      const std::size_t used =
          server::put_request_bytes(parser, boost::asio::buffer(rest.data(), rest.size()), error);
      fuzz_check(used <= rest.size(), "the parser consumes at most what it was given");
      rest.remove_prefix(used);
      if (!error && used == 0) break;  // no progress: never spin
      if (!error) continue;            // the header is done (and checked); the body follows
      if (error != http::error::need_more) break;
      error = {};
      if (used == 0 || rest.empty()) {
        // Nothing more will come: the peer closed.
        parser.put_eof(error);
        break;
      }
    }
    if (error) {
      const auto rejection = server::rejection_for(error);
      fuzz_check((rejection.status >= 400 && rejection.status < 500) || rejection.status == 501,
                 "a bad request is a 4xx, or 501 for a transfer coding keyledgerd lacks");
      if (parser.is_header_done()) {
        // HttpSession::reject copies the partial header into its exchange.
        server::Exchange exchange;
        exchange.request.base() = parser.get().base();
        (void)server::negotiate_language(exchange.request[http::field::accept_language]);
      }
      return 0;
    }
    if (!parser.is_done()) return 0;
    handle(parser.release());
  }
  return 0;
}
