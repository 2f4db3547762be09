#include "server/daemon/http_routes.h"

#include "server/web/web_pages.h"

namespace keyledger::server {

void add_http_routes(Router& router, const HttpRouteOwners& owners) {
  add_api_routes(router, owners.management);
  add_verify_route(router, owners.verify);
  add_system_routes(router, owners.system);
  add_web_routes(router);
}

std::vector<std::pair<std::string, std::string>> api_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (auto part : {management_route_table(), verify_route_table(), system_route_table(),
                    web_api_route_table()})
    for (auto& route : part) table.push_back(std::move(route));
  return table;
}

}  // namespace keyledger::server
