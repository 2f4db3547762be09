// Validation of the human-entered text the ledger stores: key names, user
// ids, IP addresses. Pure functions; no locale involved.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keyledger {

inline constexpr std::size_t kMaxKeyNameCharacters = 100;
inline constexpr std::size_t kMaxUserIdLength = 64;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// True if the text holds a C0 or C1 control character or DEL. Assumes valid
// UTF-8.
bool has_control_characters(std::string_view text);

// Number of code points. Assumes valid UTF-8.
std::size_t count_code_points(std::string_view text);

// Removes leading and trailing white space (ASCII and the Unicode space
// separators). Assumes valid UTF-8.
std::string_view trim_white_space(std::string_view text);

// ASCII case-insensitive comparison (HTTP header values such as media types
// and auth schemes); bytes above 127 compare as they are.
bool equals_ignoring_case(std::string_view a, std::string_view b);
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);

// A key name after trimming: 1..100 code points of valid UTF-8 without
// control characters or invisible direction overrides (which could make one
// name look like another). Returns the trimmed name.
StatusOr<std::string> normalize_key_name(std::string_view name);

// A user id: 1..64 characters of [a-z0-9._-], starting with a letter or
// digit. "system" is reserved for events the server causes itself.
Status validate_user_id(std::string_view user_id);

// An IPv4 or IPv6 address in text form (as the socket reports it).
bool is_valid_ip_address(std::string_view address);

}  // namespace keyledger
