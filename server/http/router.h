// Maps (method, path) to a handler. The path is the one sent, still
// percent-encoded (RequestTarget::path). Patterns are literal segments,
// which match only the very same characters ("/%6detrics" is not
// "/metrics"), and `{name}` segments, which match one non-empty segment
// and are handed to the handler percent-decoded, in order; a segment that
// decodes to a '/' is no parameter ("/v1/keys/a%2Fb" is not a key). Routes
// are tried in the order they were added;
// literal patterns are found by one hash lookup of the path, so a request
// is compared segment by segment only with the few patterns that have
// parameters.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "server/http/http_types.h"

namespace keyledger::server {

struct Route {
  http::verb method;
  std::string pattern;
  Handler handler;
  std::uint32_t tags = 0;  // copied to Exchange::route_tags on a match
};

class Router {
 public:
  // `tags` are the caller's: a match copies them to Exchange::route_tags,
  // so a rule about some routes is declared with them, not by path.
  void add(http::verb method, std::string pattern, Handler handler, std::uint32_t tags = 0);

  enum class Match { kFound, kWrongMethod, kNotFound };
  // On kFound points `handler` at the route's handler (owned by the
  // router) and sets exchange.route and exchange.path_params; on
  // kWrongMethod fills `allowed` with the methods the path takes.
  Match match(Exchange& exchange, const Handler*& handler, std::string& allowed) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  // Indexes into routes_, ascending: the literal patterns by their path,
  // and the patterns with parameters.
  std::unordered_map<std::string, std::vector<std::size_t>> literal_;
  std::vector<std::size_t> parameterised_;
};

}  // namespace keyledger::server
