#include "server/api/api.h"

#include <array>
#include <boost/asio/post.hpp>

#include "core/hash.h"
#include "core/text.h"
#include "server/api/commit_answers.h"
#include "server/api/request_bodies.h"
#include "server/http/json_body.h"
#include "server/http/request_target.h"

namespace keyledger::server {
namespace {

std::string random_hex(RandomSource& random, std::size_t bytes) {
  std::array<std::uint8_t, 32> buffer{};
  random.fill(std::span(buffer.data(), bytes));
  return to_hex(std::span(buffer.data(), bytes));
}

}  // namespace

std::string cookie_value(const HttpRequest& request, std::string_view name) {
  for (auto it = request.find(http::field::cookie);
       it != request.end() && it->name() == http::field::cookie; ++it) {
    for (std::string_view pair : split(it->value(), ";")) {
      pair = trim_leading(pair, " ");
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name)
        return std::string(pair.substr(equals + 1));
    }
  }
  return {};
}

namespace {

// Methods outside HTTP's known set are one label, so a client cannot grow
// the metrics without bound.
std::string_view method_label(const HttpRequest& request) {
  if (request.method() == http::verb::unknown) return "OTHER";
  return request.method_string();
}

bool changes_state(http::verb method) {
  return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

}  // namespace

namespace {

// The token of "Authorization: Bearer <token>"; nullopt for another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && starts_with_ignoring_case(authorization, kBearer))
    return authorization.substr(kBearer.size());
  return std::nullopt;
}

}  // namespace

PresentedToken presented_token(const HttpRequest& request) {
  using Presence = PresentedToken::Presence;
  const auto [keys, keys_end] = request.equal_range("MC-Api-Key");
  const auto [authorizations, authorizations_end] = request.equal_range(http::field::authorization);
  const bool has_key = keys != keys_end, has_authorization = authorizations != authorizations_end;
  // Same-named fields are adjacent (Beast keeps them so): a second one
  // directly follows the first.
  if ((has_key && std::next(keys) != keys_end) ||
      (has_authorization && std::next(authorizations) != authorizations_end))
    return {Presence::kAmbiguous, {}};
  const auto bearer = has_authorization ? bearer_token(authorizations->value()) : std::nullopt;
  if (has_key) {
    const std::string_view key = keys->value();
    // The same key in both headers (for clients of either convention) is
    // one key; another scheme beside MC-Api-Key names no key.
    if (bearer && *bearer != key) return {Presence::kAmbiguous, {}};
    return {Presence::kOne, key};
  }
  if (has_authorization) return {Presence::kOne, bearer.value_or(std::string_view())};
  return {Presence::kNone, {}};
}

Status ambiguous_credentials() {
  return invalid_argument("ambiguous_credentials",
                          "the request presents more than one API key; send exactly one");
}

Api::Api(ApiDependencies deps)
    : deps_(std::move(deps)),
      trusted_proxies_(deps_.options.trusted_proxies),
      request_ids_(deps_.random),
      sign_in_failures_(deps_.clock, deps_.options.max_failed_sign_ins_per_ip_per_minute) {
  auto dummy = deps_.password_hasher.hash(random_hex(deps_.random, 16));
  if (dummy.is_ok()) dummy_password_hash_ = std::move(dummy).value();
  add_routes();
}

std::span<const Api::RouteEntry> Api::route_entries() {
  using http::verb;
  static constexpr RouteEntry kRoutes[] = {
      {verb::post, "/v1/login", &Api::login},
      {verb::post, "/v1/logout", &Api::logout, kOpenBeforePasswordChange},
      {verb::get, "/v1/session", &Api::session, kOpenBeforePasswordChange},
      {verb::post, "/v1/password", &Api::change_password, kOpenBeforePasswordChange},
      {verb::get, "/v1/credentials", &Api::credentials},
      {verb::post, "/v1/keys", &Api::create_key},
      {verb::patch, "/v1/keys/{id}", &Api::rename_key},
      {verb::delete_, "/v1/keys/{id}", &Api::delete_key},
      {verb::get, "/v1/keys/{id}/events", &Api::key_events},
      {verb::get, "/v1/verify", &Api::verify},
      {verb::post, "/v1/users", &Api::create_user},
      {verb::get, "/v1/users", &Api::list_users},
      {verb::patch, "/v1/users/{id}", &Api::update_user},
      {verb::get, "/v1/audit", &Api::audit},
      {verb::get, "/healthz", &Api::healthz},
      {verb::get, "/readyz", &Api::readyz},
      {verb::get, "/metrics", &Api::metrics},
      {verb::get, "/openapi.json", &Api::openapi},
      {verb::get, "/docs", &Api::docs},
  };
  return kRoutes;
}

void Api::add_routes() {
  for (const RouteEntry& entry : route_entries()) {
    router_.add(
        entry.method, std::string(entry.pattern),
        [this, method = entry.handler](ExchangePtr exchange, Respond respond) {
          (this->*method)(std::move(exchange), std::move(respond));
        },
        entry.tags);
  }
  for (const PanelAsset& asset : panel_assets()) {
    router_.add(http::verb::get, std::string(asset.path),
                [this, &asset](ExchangePtr exchange, Respond respond) {
                  panel_file(asset, std::move(exchange), std::move(respond));
                });
  }
}

std::vector<std::pair<std::string, std::string>> api_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (const auto& entry : Api::route_entries())
    table.emplace_back(std::string(http::to_string(entry.method)), std::string(entry.pattern));
  return table;
}

std::vector<std::string> panel_route_table() {
  std::vector<std::string> paths;
  for (const auto& asset : Api::panel_assets()) paths.emplace_back(asset.path);
  return paths;
}

void Api::prepare(Exchange& exchange) {
  exchange.request_id = request_ids_.next();
  exchange.language = negotiate_language(exchange.request[http::field::accept_language]);
  if (trusted_proxies_.contains(exchange.client_ip)) {
    exchange.client_ip = std::string(
        trusted_proxies_.client_of(exchange.client_ip, exchange.request["X-Forwarded-For"]));
    exchange.secure = exchange.request["X-Forwarded-Proto"] == "https";
  }
}

HttpResponse Api::reject(std::string_view code, unsigned status, const HttpRequest* partial,
                         std::string_view client_ip) {
  Exchange exchange;
  if (partial) exchange.request.base() = partial->base();
  exchange.request.version(11);
  exchange.client_ip = std::string(client_ip);
  prepare(exchange);
  exchange.route = "rejected";
  HttpResponse response = error_response(exchange, status, code, code);
  deps_.metrics.observe_request(exchange.route, method_label(exchange.request), status, {});
  deps_.access_log.record(exchange, status, {});
  return response;
}

void Api::handle(std::shared_ptr<Exchange> exchange, Respond respond) {
  const auto started = std::chrono::steady_clock::now();
  in_flight_.fetch_add(1);
  prepare(*exchange);
  Respond finish = [this, exchange, started, respond = std::move(respond)](HttpResponse response) {
    in_flight_.fetch_sub(1);
    const auto duration = std::chrono::steady_clock::now() - started;
    const unsigned status = response.result_int();
    deps_.metrics.observe_request(exchange->route, method_label(exchange->request), status,
                                  duration);
    deps_.access_log.record(*exchange, status, duration);
    if (exchange->request.method() == http::verb::head) {
      response.prepare_payload();
      response.body().clear();
    }
    respond(std::move(response));
  };
  RequestTarget target;
  const TargetError target_error = parse_request_target(exchange->request.target(), target);
  exchange->path = std::move(target.path);
  if (target_error == TargetError::kBadPath)
    return finish(error_response(*exchange, 400, "bad_request", "bad request target"));
  if (target_error != TargetError::kNone)
    return finish(error_response(*exchange, 400, "invalid_parameter", "bad query string"));
  exchange->query = std::move(target.query);
  const Handler* handler = nullptr;
  std::string allowed;
  switch (router_.match(*exchange, handler, allowed)) {
    case Router::Match::kNotFound:
      return finish(error_response(*exchange, 404, "not_found", "not found"));
    case Router::Match::kWrongMethod: {
      HttpResponse response =
          error_response(*exchange, 405, "method_not_allowed", "method not allowed");
      response.set(http::field::allow, allowed);
      return finish(std::move(response));
    }
    case Router::Match::kFound:
      break;
  }
  (*handler)(std::move(exchange), std::move(finish));
}

StatusOr<Caller> Api::authenticate(Exchange& exchange, std::int64_t* retry_after) {
  // Made only when returned: a Status made and dropped aborts a debug build.
  const auto invalid = [] {
    return Status(StatusCode::kUnauthenticated, "invalid_credentials",
                  "the credentials are invalid");
  };
  const PresentedToken presented = presented_token(exchange.request);
  if (presented.presence == PresentedToken::Presence::kAmbiguous) return ambiguous_credentials();
  if (presented.presence == PresentedToken::Presence::kOne) {
    auto verified = deps_.verifier.verify(presented.token, exchange.client_ip, retry_after);
    if (!verified.is_ok()) return verified.status();
    exchange.user = verified->user_id;
    // A one-time password concerns the password alone: the user's keys
    // (their automation) keep working while it waits to be replaced.
    return Caller{verified->user_id, verified->privilege, verified->key_id, false};
  }
  const std::string session_id = cookie_value(exchange.request, kSessionCookie);
  if (session_id.empty()) return invalid();
  auto session = deps_.sessions.find(session_id);
  if (!session) return invalid();
  auto user = deps_.projection.user(session->user_id);
  if (!user || user->disabled) {
    deps_.sessions.erase(session_id);
    return invalid();
  }
  if (changes_state(exchange.request.method())) {
    std::string_view presented = exchange.request["X-CSRF-Token"];
    const auto* a = reinterpret_cast<const std::uint8_t*>(presented.data());
    const auto* b = reinterpret_cast<const std::uint8_t*>(session->csrf_token.data());
    if (!constant_time_equal({a, presented.size()}, {b, session->csrf_token.size()}))
      return Status(StatusCode::kPermissionDenied, "csrf_token_invalid",
                    "missing or wrong X-CSRF-Token");
  }
  exchange.user = user->user_id;
  return Caller{user->user_id, user->privilege, {}, true, user->must_change_password};
}

std::optional<Caller> Api::require(Exchange& exchange, const Respond& respond,
                                   std::optional<Privilege> minimum) {
  std::int64_t retry_after = 0;
  auto caller = authenticate(exchange, &retry_after);
  if (!caller.is_ok()) {
    HttpResponse response = status_response(exchange, caller.status());
    // The limiter's own wait, as /v1/verify tells it, not a guess.
    if (retry_after > 0) response.set(http::field::retry_after, std::to_string(retry_after));
    respond(std::move(response));
    return std::nullopt;
  }
  // A one-time password opens only the routes declared open to it.
  if (caller->must_change_password && !(exchange.route_tags & kOpenBeforePasswordChange)) {
    respond(error_response(exchange, 403, "password_change_required",
                           "choose a new password first (POST /v1/password)"));
    return std::nullopt;
  }
  if (minimum) {
    const bool allowed = caller->privilege == Privilege::kAdmin || (caller->privilege == *minimum);
    if (!allowed) {
      respond(error_response(exchange, 403, "forbidden", "forbidden"));
      return std::nullopt;
    }
  }
  return std::move(caller).value();
}

void Api::submit(const ExchangePtr& exchange, const Caller& caller, Command command,
                 Respond respond,
                 std::function<HttpResponse(const writer::CommittedEvent&)> on_ok) {
  deps_.writer.submit(
      std::move(command), EventOrigin{caller.user_id, exchange->client_ip, exchange->request_id},
      answer_on_connection_thread(
          exchange, [exchange, respond = std::move(respond), on_ok = std::move(on_ok),
                     &log = deps_.daemon_log](StatusOr<writer::CommittedEvent> result) {
            if (!result.is_ok()) {
              // Operators must see that changes are being
              // refused (a full disk), not only clients.
              if ((result.status().code() == StatusCode::kUnavailable ||
                   result.status().code() == StatusCode::kCorruption) &&
                  !result.status().is(Reason::kShuttingDown))
                log.warn("change refused", {{"request_id", exchange->request_id},
                                            {"error", result.status().to_string()}});
              return respond(status_response(*exchange, result.status()));
            }
            respond(on_ok(*result));
          }));
}

bool Api::post_password_job(const ExchangePtr& exchange, const Respond& respond,
                            std::function<void()> job) {
  constexpr int kMaxPasswordJobs = 32;
  if (password_jobs_.fetch_add(1) >= kMaxPasswordJobs) {
    password_jobs_.fetch_sub(1);
    HttpResponse response = error_response(*exchange, 503, "server_busy", "busy");
    response.set(http::field::retry_after, "1");
    respond(std::move(response));
    return false;
  }
  boost::asio::post(deps_.blocking_pool, [this, job = std::move(job)] {
    job();
    password_jobs_.fetch_sub(1);
  });
  return true;
}

std::optional<Json> Api::body(Exchange& exchange, const Respond& respond,
                              std::initializer_list<std::string_view> allowed) {
  if (!is_json_media_type(exchange.request[http::field::content_type])) {
    respond(error_response(exchange, 415, "unsupported_media_type", "send application/json"));
    return std::nullopt;
  }
  auto parsed = parse_json_object(exchange.request.body(), allowed);
  if (!parsed.is_ok()) {
    Json context = Json::object();
    if (!parsed.status().field().empty()) context["field"] = parsed.status().field();
    respond(error_response(exchange, 400, parsed.status().reason(), parsed.status().message(),
                           context));
    return std::nullopt;
  }
  return std::move(parsed).value();
}

}  // namespace keyledger::server
