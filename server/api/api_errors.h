// The API's own error codes: the answers a handler gives that are not a
// core Status (a body that is not JSON, a gate of the API such as a
// one-time password); what no route takes, the HTTP part answers itself.
// The set is closed, and one table (api_errors.cc) gives each its stable
// wire code, its HTTP status and its English message, so that no handler
// chooses a status. A core Status
// becomes HTTP through http_status_of (server/http/responses.h) instead.
#pragma once

#include <string_view>

namespace keyledger::server {

enum class ApiError {
  kUnsupportedMediaType,    // a body that is not application/json
  kInvalidCredentials,      // no valid credential: the product's 401
  kPasswordChangeRequired,  // a one-time password opens only the routes that replace it
  kInsufficientPrivilege,   // the caller's privilege is not the route's
  kWrongPassword,           // the current password given to change it is wrong
  kInvalidPrivilege,        // not user, auditor or admin
  kKeyNotFound,             // no such key of the caller's
  kUserNotFound,            // no such user
  kUserLocked,              // too many failed sign-ins (or an administrator's lock)
  kSignInRateLimited,       // too many failed sign-ins from this client
  kServerBusy,              // too much password work queued already
  kNotLeader,               // a follower takes no management call: the leader's URL is in context
};

// One row of the table.
struct ApiErrorInfo {
  std::string_view code;     // stable, on the wire: "invalid_credentials"
  unsigned http_status;      // 401
  std::string_view message;  // English, when the translation table has no entry
  std::string_view field;    // the input field it is always about, or empty
};

const ApiErrorInfo& api_error_info(ApiError error);

}  // namespace keyledger::server
