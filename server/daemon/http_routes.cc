#include "server/daemon/http_routes.h"

#include "server/web/web_pages.h"

namespace keyledger::server {

namespace {

// What every node serves after its management routes.
void add_routes_of_every_node(Router& router, VerifyHandler& verify, const SystemPages& system) {
  add_verify_route(router, verify);
  add_system_routes(router, system);
  add_web_routes(router);
}

}  // namespace

void add_http_routes(Router& router, const HttpRouteOwners& owners) {
  add_api_routes(router, owners.management);
  add_routes_of_every_node(router, owners.verify, owners.system);
}

void add_follower_http_routes(Router& router, const FollowerRouteOwners& owners) {
  add_not_leader_routes(router, owners.leader_url);
  add_routes_of_every_node(router, owners.verify, owners.system);
}

std::vector<std::pair<std::string, std::string>> api_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (auto part : {management_route_table(), verify_route_table(), system_route_table(),
                    web_api_route_table()})
    for (auto& route : part) table.push_back(std::move(route));
  return table;
}

}  // namespace keyledger::server
