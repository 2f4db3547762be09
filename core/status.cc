#include "core/status.h"

namespace keyledger {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(status_code_name(code_));
  out += " (" + reason_ + "): " + message_;
  if (!field_.empty()) out += " [field " + field_ + "]";
  return out;
}

Status invalid_argument(std::string reason, std::string message, std::string field) {
  return {StatusCode::kInvalidArgument, std::move(reason), std::move(message), std::move(field)};
}
Status not_found(std::string reason, std::string message) {
  return {StatusCode::kNotFound, std::move(reason), std::move(message)};
}
Status already_exists(std::string reason, std::string message, std::string field) {
  return {StatusCode::kAlreadyExists, std::move(reason), std::move(message), std::move(field)};
}
Status failed_precondition(std::string reason, std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(reason), std::move(message)};
}
Status unavailable(std::string reason, std::string message) {
  return {StatusCode::kUnavailable, std::move(reason), std::move(message)};
}
Status corruption(std::string reason, std::string message) {
  return {StatusCode::kCorruption, std::move(reason), std::move(message)};
}
Status internal_error(std::string reason, std::string message) {
  return {StatusCode::kInternal, std::move(reason), std::move(message)};
}

}  // namespace keyledger
