#include "server/web/web_pages.h"

#include "server/web/pages.h"

namespace keyledger::server {
namespace {

// One row per page that /openapi.json describes: this table alone drives
// both the router and web_api_route_table().
struct WebPage {
  std::string_view pattern;
  HttpResponse (*answer)(const Exchange&);
};

constexpr WebPage kPages[] = {
    {"/openapi.json", &openapi_page},
    {"/docs", &docs_page},
    {"/v1/messages", &error_messages_page},
};

}  // namespace

void add_web_routes(Router& router) {
  for (const WebPage& page : kPages) {
    router.add(http::verb::get, std::string(page.pattern),
               [answer = page.answer](std::shared_ptr<Exchange> exchange, Respond respond) {
                 respond(answer(*exchange));
               });
  }
  for (const PanelFile& file : panel_files()) {
    router.add(http::verb::get, std::string(file.path),
               [&file](std::shared_ptr<Exchange> exchange, Respond respond) {
                 respond(panel_file_response(*exchange, file));
               });
  }
}

std::vector<std::pair<std::string, std::string>> web_api_route_table() {
  std::vector<std::pair<std::string, std::string>> table;
  for (const WebPage& page : kPages)
    table.emplace_back(std::string(http::to_string(http::verb::get)), std::string(page.pattern));
  return table;
}

std::vector<std::string> panel_route_table() {
  std::vector<std::string> paths;
  for (const PanelFile& file : panel_files()) paths.emplace_back(file.path);
  return paths;
}

}  // namespace keyledger::server
