#include "server/router.h"

namespace keyledger::server {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool matches(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  auto want = segments(pattern);
  auto have = segments(path);
  if (want.size() != have.size()) return false;
  std::vector<std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 1 && want[i].front() == '{' && want[i].back() == '}') {
      if (have[i].empty()) return false;
      found.emplace_back(have[i]);
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void Router::add(http::verb method, std::string pattern, Handler handler) {
  routes_.push_back(Route{method, std::move(pattern), std::move(handler)});
}

Router::Match Router::match(Exchange& exchange, Handler& handler, std::string& allowed) const {
  bool path_known = false;
  for (const auto& route : routes_) {
    std::vector<std::string> params;
    if (!matches(route.pattern, exchange.path, params)) continue;
    if (route.method == exchange.request.method() ||
        (route.method == http::verb::get && exchange.request.method() == http::verb::head)) {
      exchange.route = route.pattern;
      exchange.path_params = std::move(params);
      handler = route.handler;
      return Match::kFound;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += std::string(http::to_string(route.method));
    path_known = true;
  }
  return path_known ? Match::kWrongMethod : Match::kNotFound;
}

}  // namespace keyledger::server
