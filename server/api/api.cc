#include "server/api/api.h"

#include "server/http/request_target.h"
#include "server/web/web_pages.h"

namespace keyledger::server {
namespace {

// Methods outside HTTP's known set are one label, so a client cannot grow
// the metrics without bound.
std::string_view method_label(const HttpRequest& request) {
  if (request.method() == http::verb::unknown) return "OTHER";
  return request.method_string();
}

}  // namespace

Api::Api(ApiHandlers handlers, const std::vector<std::string>& trusted_proxies,
         RequestObserver& requests, AccessLog& access_log, RandomSource& random)
    : handlers_(handlers),
      trusted_proxies_(trusted_proxies),
      requests_(requests),
      access_log_(access_log),
      request_ids_(random) {
  add_routes();
}

template <auto kResource, auto kMethod>
void Api::call(Api& api, ExchangePtr exchange, Respond respond) {
  auto* resource = api.handlers_.*kResource;
  (resource->*kMethod)(exchange, [exchange, respond = std::move(respond)](Answer answer) {
    respond(to_response(*exchange, std::move(answer)));
  });
}

void Api::verify(Api& api, ExchangePtr exchange, Respond respond) {
  api.handlers_.verify->handle(exchange, respond);
}

std::span<const Api::RouteEntry> Api::route_entries() {
  using http::verb;
  using H = ApiHandlers;
  static constexpr RouteEntry kRoutes[] = {
      {verb::post, "/v1/login", &call<&H::sessions, &SessionHandlers::login>},
      {verb::post, "/v1/logout", &call<&H::sessions, &SessionHandlers::logout>,
       kOpenBeforePasswordChange},
      {verb::get, "/v1/session", &call<&H::sessions, &SessionHandlers::session>,
       kOpenBeforePasswordChange},
      {verb::post, "/v1/password", &call<&H::sessions, &SessionHandlers::change_password>,
       kOpenBeforePasswordChange},
      {verb::get, "/v1/credentials", &call<&H::keys, &KeyHandlers::credentials>},
      {verb::post, "/v1/keys", &call<&H::keys, &KeyHandlers::create_key>},
      {verb::patch, "/v1/keys/{id}", &call<&H::keys, &KeyHandlers::rename_key>},
      {verb::delete_, "/v1/keys/{id}", &call<&H::keys, &KeyHandlers::delete_key>},
      {verb::get, "/v1/keys/{id}/events", &call<&H::keys, &KeyHandlers::key_events>},
      {verb::get, "/v1/verify", &Api::verify},
      {verb::post, "/v1/users", &call<&H::users, &UserHandlers::create_user>},
      {verb::get, "/v1/users", &call<&H::users, &UserHandlers::list_users>},
      {verb::patch, "/v1/users/{id}", &call<&H::users, &UserHandlers::update_user>},
      {verb::get, "/v1/audit", &call<&H::audit, &AuditHandler::audit>},
      {verb::get, "/healthz", &call<&H::system, &SystemHandlers::healthz>},
      {verb::get, "/readyz", &call<&H::system, &SystemHandlers::readyz>},
      {verb::get, "/metrics", &call<&H::system, &SystemHandlers::metrics>},
  };
  return kRoutes;
}

void Api::add_routes() {
  for (const RouteEntry& entry : route_entries()) {
    router_.add(
        entry.method, std::string(entry.pattern),
        [this, handler = entry.handler](ExchangePtr exchange, Respond respond) {
          handler(*this, std::move(exchange), std::move(respond));
        },
        entry.tags);
  }
  add_web_routes(router_);
}

std::vector<std::pair<std::string, std::string>> api_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (const auto& entry : Api::route_entries())
    table.emplace_back(std::string(http::to_string(entry.method)), std::string(entry.pattern));
  for (auto& route : web_api_route_table()) table.push_back(std::move(route));
  return table;
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
  // The HTTP layer chose the code and status of what it could not read.
  HttpResponse response = error_response(exchange, status, code, code);
  requests_.observe_request(exchange.route, method_label(exchange.request), status, {});
  access_log_.record(exchange, status, {});
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
    requests_.observe_request(exchange->route, method_label(exchange->request), status, duration);
    access_log_.record(*exchange, status, duration);
    if (exchange->request.method() == http::verb::head) {
      response.prepare_payload();
      response.body().clear();
    }
    respond(std::move(response));
  };
  route(std::move(exchange), std::move(finish));
}

void Api::route(std::shared_ptr<Exchange> exchange, Respond finish) {
  RequestTarget target;
  const TargetError target_error = parse_request_target(exchange->request.target(), target);
  exchange->path = std::move(target.path);
  if (target_error == TargetError::kBadPath)
    return finish(to_response(*exchange, ApiError::kBadRequestTarget));
  if (target_error != TargetError::kNone)
    return finish(to_response(*exchange, ApiError::kBadQueryString));
  exchange->query = std::move(target.query);
  const Handler* handler = nullptr;
  std::string allowed;
  switch (router_.match(*exchange, handler, allowed)) {
    case Router::Match::kNotFound:
      return finish(to_response(*exchange, ApiError::kNoSuchRoute));
    case Router::Match::kWrongMethod:
      return finish(to_response(
          *exchange, Answer(ApiError::kMethodNotAllowed).with_header(http::field::allow, allowed)));
    case Router::Match::kFound:
      break;
  }
  (*handler)(std::move(exchange), std::move(finish));
}

}  // namespace keyledger::server
