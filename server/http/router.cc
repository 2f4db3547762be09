#include "server/http/router.h"

#include <array>
#include <span>

#include "core/text.h"
#include "server/http/request_target.h"

namespace keyledger::server {
namespace {

// The segments of a non-empty path after its leading '/' ("/a/b/" gives
// "a", "b", ""): routing compares them in place, as every request is
// matched against every route until one fits.
SplitPieces segments(std::string_view path) { return split(path.substr(1), "/"); }

bool is_parameter(std::string_view segment) {
  return segment.size() > 1 && segment.front() == '{' && segment.back() == '}';
}

// Our patterns have at most two parameters; more never match.
constexpr std::size_t kMaxParameters = 4;

// The parameters as the handlers take them, exactly as sent. A segment
// with an escape is not a parameter: the ids our routes take (users, keys)
// never need one, and "/v1/users/%61dmin" must not reach what a proxy rule
// on "/v1/users/admin" guards.
bool take_parameters(std::span<const std::string_view> segments, std::vector<std::string>& params) {
  params.clear();
  for (std::string_view segment : segments) {
    if (segment.find('%') != std::string_view::npos) return false;
    params.emplace_back(segment);
  }
  return true;
}

// `pattern` is one of ours, never empty.
bool matches(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  if (path.empty()) return false;
  const SplitPieces want = segments(pattern), have = segments(path);
  std::array<std::string_view, kMaxParameters> found;
  std::size_t count = 0;
  auto wanted = want.begin(), had = have.begin();
  for (; wanted != want.end() && had != have.end(); ++wanted, ++had) {
    if (is_parameter(*wanted)) {
      if ((*had).empty() || count == found.size()) return false;
      found[count++] = *had;
    } else if (*wanted != *had) {
      return false;
    }
  }
  if (wanted != want.end() || had != have.end()) return false;  // more segments on one side
  return take_parameters({found.data(), count}, params);
}

}  // namespace

void Router::add(http::verb method, std::string pattern, Handler handler, std::uint32_t tags) {
  const std::size_t index = routes_.size();
  if (pattern.find('{') == std::string::npos)
    literal_[pattern].push_back(index);
  else
    parameterised_.push_back(index);
  routes_.push_back(Route{method, std::move(pattern), std::move(handler), tags});
}

Router::Match Router::match(Exchange& exchange, const Handler*& handler,
                            std::string& allowed) const {
  static const std::vector<std::size_t> kNone;
  const auto literal = literal_.find(exchange.path);
  const std::vector<std::size_t>& literals = literal == literal_.end() ? kNone : literal->second;
  // The two ascending index lists merged: every candidate in the order the
  // routes were added, as if all were compared one by one.
  auto next_literal = literals.begin();
  auto next_parameterised = parameterised_.begin();
  bool path_known = false;
  std::vector<std::string> params;
  while (next_literal != literals.end() || next_parameterised != parameterised_.end()) {
    const bool take_literal =
        next_parameterised == parameterised_.end() ||
        (next_literal != literals.end() && *next_literal < *next_parameterised);
    const Route& route = routes_[take_literal ? *next_literal++ : *next_parameterised++];
    if (!take_literal && !matches(route.pattern, exchange.path, params)) continue;
    if (take_literal) params.clear();
    if (route.method == exchange.request.method() ||
        (route.method == http::verb::get && exchange.request.method() == http::verb::head)) {
      exchange.route = route.pattern;
      exchange.route_tags = route.tags;
      exchange.path_params = std::move(params);
      handler = &route.handler;
      return Match::kFound;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += std::string(http::to_string(route.method));
    path_known = true;
  }
  return path_known ? Match::kWrongMethod : Match::kNotFound;
}

}  // namespace keyledger::server
