// Reading JSON request bodies strictly: an object, no unknown fields, each
// field of the expected type, and a nesting limit checked before parsing.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http/responses.h"

namespace keyledger::server {

inline constexpr int kMaxJsonDepth = 16;

// Parses `body` as a JSON object whose keys are all in `allowed`.
// Errors: invalid_json, json_too_deep, not_an_object, unknown_field.
StatusOr<Json> parse_json_object(std::string_view body,
                                 std::initializer_list<std::string_view> allowed);

// A required string field (missing_field / invalid_type).
StatusOr<std::string> required_string(const Json& object, const std::string& field);
// An optional string / boolean field (invalid_type if present and wrong).
StatusOr<std::optional<std::string>> optional_string(const Json& object, const std::string& field);
StatusOr<std::optional<bool>> optional_bool(const Json& object, const std::string& field);

}  // namespace keyledger::server
