#include "server/verify/presented_token.h"

#include <iterator>
#include <optional>

#include "core/text.h"

namespace keyledger::server {
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
  return invalid_argument(Reason::kAmbiguousCredentials,
                          "the request presents more than one API key; send exactly one");
}

}  // namespace keyledger::server
