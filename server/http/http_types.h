// The request/response types shared by the HTTP session, the router and
// the API handlers.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "server/http/i18n.h"

namespace keyledger::server {

class ConnectionTimers;
class RouteReply;
struct Exchange;

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// One request as the handlers see it. Owned by a shared_ptr so handlers
// that finish later (after a commit) keep it alive.
struct Exchange {
  HttpRequest request;
  std::string path;  // as sent (still percent-encoded), without the query
  std::multimap<std::string, std::string> query;  // names and values decoded
  std::vector<std::string> path_params;  // the {…} segments of the matched route, decoded
  std::string route = "unmatched";       // route pattern, for metrics and logs
  // The matched route's tags: bits whose meaning the routes' owner gives
  // (Router::add); the HTTP layer only carries them.
  std::uint32_t route_tags = 0;
  std::string client_ip;  // socket peer, or X-Forwarded-For from a trusted proxy
  std::string request_id;
  Language language = Language::kEnglish;
  bool secure = false;  // reached over TLS (via a trusted proxy)
  std::string user;     // the authenticated user, once known (for the access log)
  // The I/O thread of the connection the request came on; empty outside a
  // connection (tests). Work finished on another thread (after
  // a commit) hops back here to build the answer.
  boost::asio::any_io_executor executor;
  // The timers of that I/O thread, for a route that waits a bounded time
  // (Deadline); null outside a connection.
  ConnectionTimers* timers = nullptr;
};

// How a route's handler answers, at once or later, from any thread;
// called exactly once.
using Respond = std::function<void(RouteReply)>;
// A route's work that answers later, through Respond.
using AnswerLater = std::function<void(std::shared_ptr<Exchange>, Respond)>;

// What a route answers: the response it built, or a failure Status, which
// the HTTP session makes into the error envelope (status_response in
// responses.h, the one place a Status becomes an HTTP answer), with any
// header the route adds (Retry-After).
class RouteReply {
 public:
  RouteReply(HttpResponse response) : answer_(std::move(response)) {}  // NOLINT: implicit
  // `failure` is not ok.
  RouteReply(Status failure) : answer_(std::move(failure)) {}  // NOLINT: implicit
  // What a route that answers at once gives when this request must wait
  // instead (a verification for a seq not yet applied): the session then
  // runs `later` with the exchange and answers what it responds.
  static RouteReply answer_later(AnswerLater later) { return RouteReply(std::move(later)); }
  bool answers_later() const { return std::holds_alternative<AnswerLater>(answer_); }
  // Runs the route's later work; answers_later() must be true.
  void run_later(std::shared_ptr<Exchange> exchange, Respond respond) && {
    std::get<AnswerLater>(answer_)(std::move(exchange), std::move(respond));
  }

  RouteReply with_header(http::field field, std::string value) && {
    headers_.emplace_back(field, std::move(value));
    return std::move(*this);
  }

  // The HTTP answer to `exchange` (server/http/responses.cc); not for a
  // reply that answers later.
  HttpResponse into_response(const Exchange& exchange) &&;

 private:
  explicit RouteReply(AnswerLater later) : answer_(std::move(later)) {}

  std::variant<HttpResponse, Status, AnswerLater> answer_;
  std::vector<std::pair<http::field, std::string>> headers_;
};

// What a route runs. Either it answers later, from any thread, through
// `Respond` (a commit, a pool's job), or it answers at once, on the
// session's thread, by returning its reply: then the session writes the
// reply itself, and the route never calls back into the HTTP part (the
// verification's route is one).
class Handler {
 public:
  using Later = std::function<void(std::shared_ptr<Exchange>, Respond)>;
  using Now = std::function<RouteReply(Exchange&)>;

  Handler() = default;
  template <class F>
  requires(!std::is_same_v<F, Handler> &&
           std::is_invocable_v<F&, std::shared_ptr<Exchange>, Respond>) Handler(F later)
      : later_(std::move(later)) {}  // NOLINT: implicit, as a std::function is
  template <class F>
  requires(!std::is_same_v<F, Handler> && std::is_invocable_r_v<RouteReply, F&, Exchange&>)
      Handler(F now)
      : now_(std::move(now)) {}  // NOLINT: implicit, as a std::function is

  // Whether the route returns its reply (answer_now) rather than calling
  // Respond.
  bool answers_now() const { return static_cast<bool>(now_); }
  RouteReply answer_now(Exchange& exchange) const { return now_(exchange); }
  // Runs the route either way; a route that answers at once replies
  // before this returns, unless its reply answers later.
  void operator()(std::shared_ptr<Exchange> exchange, const Respond& respond) const {
    if (!now_) return later_(std::move(exchange), respond);
    RouteReply reply = now_(*exchange);
    if (reply.answers_later()) return std::move(reply).run_later(std::move(exchange), respond);
    respond(std::move(reply));
  }

 private:
  Later later_;
  Now now_;
};

}  // namespace keyledger::server
