#include "server/api/authenticator.h"

#include "core/hash.h"
#include "core/text.h"
#include "server/verify/credential_verifier.h"

namespace keyledger::server {
namespace {

bool changes_state(http::verb method) {
  return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

bool same_secret(std::string_view presented, std::string_view expected) {
  const auto* a = reinterpret_cast<const std::uint8_t*>(presented.data());
  const auto* b = reinterpret_cast<const std::uint8_t*>(expected.data());
  return constant_time_equal({a, presented.size()}, {b, expected.size()});
}

}  // namespace

std::string cookie_value(const HttpRequest& request, std::string_view name) {
  for (auto it = request.find(http::field::cookie);
       it != request.end() && it->name() == http::field::cookie; ++it) {
    for (std::string_view pair : split(it->value(), ";")) {
      pair = trim_leading(pair, " ");
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name)
        return std::string(pair.substr(equals + 1));
    }
  }
  return {};
}

StatusOr<Caller> Authenticator::authenticate(Exchange& exchange, std::int64_t* retry_after) {
  const PresentedToken presented = presented_token(exchange.request);
  if (presented.presence == PresentedToken::Presence::kAmbiguous) return ambiguous_credentials();
  if (presented.presence == PresentedToken::Presence::kNone) return authenticate_session(exchange);
  auto verified = keys_.verify(presented.token, exchange.client_ip, retry_after);
  if (!verified.is_ok()) return verified.status();
  exchange.user = verified->user_id;
  // A one-time password concerns the password alone: the user's keys
  // (their automation) keep working while it waits to be replaced.
  return Caller{verified->user_id, verified->privilege, verified->key_id, false};
}

StatusOr<Caller> Authenticator::authenticate_session(Exchange& exchange) {
  const std::string session_id = cookie_value(exchange.request, kSessionCookie);
  if (session_id.empty()) return invalid_credentials();
  auto session = sessions_.find(session_id);
  if (!session) return invalid_credentials();
  auto user = users_.user(session->user_id);
  if (!user || user->disabled) {
    sessions_.erase(session_id);
    return invalid_credentials();
  }
  if (changes_state(exchange.request.method()) &&
      !same_secret(exchange.request["X-CSRF-Token"], session->csrf_token))
    return Status(StatusCode::kPermissionDenied, Reason::kCsrfTokenInvalid,
                  "missing or wrong X-CSRF-Token");
  exchange.user = user->user_id;
  return Caller{user->user_id, user->privilege, {}, true, user->must_change_password};
}

std::optional<Caller> Authenticator::require(Exchange& exchange, const Reply& reply,
                                             std::optional<Privilege> minimum) {
  std::int64_t retry_after = 0;
  auto caller = authenticate(exchange, &retry_after);
  if (!caller.is_ok()) {
    // The limiter's own wait, as /v1/verify tells it, not a guess.
    if (retry_after > 0)
      reply(Answer(caller.status())
                .with_header(http::field::retry_after, std::to_string(retry_after)));
    else
      reply(caller.status());
    return std::nullopt;
  }
  // A one-time password opens only the routes declared open to it.
  if (caller->must_change_password && !(exchange.route_tags & kOpenBeforePasswordChange)) {
    reply(ApiError::kPasswordChangeRequired);
    return std::nullopt;
  }
  if (minimum && caller->privilege != Privilege::kAdmin && caller->privilege != *minimum) {
    reply(ApiError::kInsufficientPrivilege);
    return std::nullopt;
  }
  return std::move(caller).value();
}

}  // namespace keyledger::server
