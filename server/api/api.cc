#include "server/api/api.h"

#include <span>

#include "server/api/answer.h"
#include "server/api/authenticator.h"

namespace keyledger::server {
namespace {

// One row per route. This table alone drives both the router and
// management_route_table(), so the published API description can be
// checked against what is really served. `tags` are the Authenticator's
// (kOpenBeforePasswordChange).
struct RouteEntry {
  http::verb method;
  std::string_view pattern;
  void (*handler)(const ApiHandlers& handlers, ExchangePtr exchange, Respond respond);
  std::uint32_t tags = 0;
};

// A route answered by `kMethod` of the handler object `kResource`, whose
// Answer becomes the HTTP answer here.
template <auto kResource, auto kMethod>
void call(const ApiHandlers& handlers, ExchangePtr exchange, Respond respond) {
  auto* resource = handlers.*kResource;
  (resource->*kMethod)(exchange, [exchange, respond = std::move(respond)](Answer answer) {
    respond(to_response(*exchange, std::move(answer)));
  });
}

std::span<const RouteEntry> route_entries() {
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
      {verb::post, "/v1/users", &call<&H::users, &UserHandlers::create_user>},
      {verb::get, "/v1/users", &call<&H::users, &UserHandlers::list_users>},
      {verb::patch, "/v1/users/{id}", &call<&H::users, &UserHandlers::update_user>},
      {verb::get, "/v1/audit", &call<&H::audit, &AuditHandler::audit>},
      {verb::get, "/v1/cluster", &call<&H::cluster, &ClusterHandler::cluster>},
  };
  return kRoutes;
}

}  // namespace

void add_api_routes(Router& router, const ApiHandlers& handlers) {
  for (const RouteEntry& entry : route_entries()) {
    router.add(
        entry.method, std::string(entry.pattern),
        [handlers, handler = entry.handler](ExchangePtr exchange, Respond respond) {
          handler(handlers, std::move(exchange), std::move(respond));
        },
        entry.tags);
  }
}

void add_not_leader_routes(Router& router, const std::string& leader_url) {
  Json context = Json::object();
  if (!leader_url.empty()) context["leader_url"] = leader_url;
  for (const RouteEntry& entry : route_entries()) {
    router.add(entry.method, std::string(entry.pattern),
               [context](ExchangePtr exchange, Respond respond) {
                 respond(to_response(*exchange, Answer(ApiError::kNotLeader, context)));
               });
  }
}

std::vector<std::pair<std::string, std::string>> management_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (const auto& entry : route_entries())
    table.emplace_back(std::string(http::to_string(entry.method)), std::string(entry.pattern));
  return table;
}

}  // namespace keyledger::server
