// Maps (method, path) to a handler. Patterns are literal segments and
// `{name}` segments, which match one non-empty segment and are handed to
// the handler in order.
#pragma once

#include <string>
#include <vector>

#include "server/http_types.h"

namespace keyledger::server {

struct Route {
  http::verb method;
  std::string pattern;
  Handler handler;
};

class Router {
 public:
  void add(http::verb method, std::string pattern, Handler handler);

  enum class Match { kFound, kWrongMethod, kNotFound };
  // On kFound sets `handler`, exchange.route and exchange.path_params; on
  // kWrongMethod fills `allowed` with the methods the path takes.
  Match match(Exchange& exchange, Handler& handler, std::string& allowed) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace keyledger::server
