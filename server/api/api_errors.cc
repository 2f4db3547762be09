#include "server/api/api_errors.h"

#include <array>
#include <cassert>

namespace keyledger::server {
namespace {

struct Row {
  ApiError error;
  ApiErrorInfo info;
};

// The one place where the API's own errors get their HTTP status. Codes
// and statuses are part of the API (docs, /openapi.json, clients): change
// none. Messages are translated by code (server/http/i18n.cc); these are
// the fallbacks.
constexpr std::array kErrors = {
    Row{ApiError::kUnsupportedMediaType,
        {"unsupported_media_type", 415, "send application/json", ""}},
    Row{ApiError::kInvalidCredentials, {"invalid_credentials", 401, "invalid credentials", ""}},
    Row{ApiError::kPasswordChangeRequired,
        {"password_change_required", 403, "choose a new password first (POST /v1/password)", ""}},
    Row{ApiError::kInsufficientPrivilege, {"forbidden", 403, "forbidden", ""}},
    Row{ApiError::kWrongPassword, {"wrong_password", 400, "wrong password", "current_password"}},
    Row{ApiError::kInvalidPrivilege, {"invalid_privilege", 400, "bad privilege", "privilege"}},
    Row{ApiError::kKeyNotFound, {"key_not_found", 404, "no such key", ""}},
    Row{ApiError::kUserNotFound, {"user_not_found", 404, "no such user", ""}},
    Row{ApiError::kUserLocked, {"user_locked", 423, "the user is locked", ""}},
    Row{ApiError::kSignInRateLimited, {"rate_limited", 429, "too many failures", ""}},
    Row{ApiError::kServerBusy, {"server_busy", 503, "busy", ""}},
    Row{ApiError::kNotLeader,
        {"not_leader", 503, "this node is a follower: send management calls to the leader", ""}},
};

constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < kErrors.size(); ++i)
    if (static_cast<std::size_t>(kErrors[i].error) != i) return false;
  return true;
}
static_assert(rows_in_enum_order(), "one row per ApiError, in the enum's order");
// kNotLeader is the enum's last value.
static_assert(kErrors.size() == static_cast<std::size_t>(ApiError::kNotLeader) + 1);

}  // namespace

const ApiErrorInfo& api_error_info(ApiError error) {
  const auto index = static_cast<std::size_t>(error);
  assert(index < kErrors.size());
  return kErrors[index].info;
}

}  // namespace keyledger::server
