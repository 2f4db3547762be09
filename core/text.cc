#include "core/text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace keyledger {
namespace {

// Decodes the code point starting at text[i] and advances i. Assumes valid
// UTF-8 (callers check first).
char32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = static_cast<unsigned char>(text[i]);
  if (byte < 0x80) {
    ++i;
    return byte;
  }
  int extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : 1;
  char32_t value = byte & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k)
    value = value << 6 | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  i += extra + 1;
  return value;
}

bool is_unicode_space(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// Bidirectional overrides and isolates, and the line/paragraph separators:
// invisible characters that change how a name is displayed.
bool is_invisible_format(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 ||
         c == 0x2029 || c == 0x200E || c == 0x200F;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    int extra;
    char32_t minimum;
    if (byte >= 0xC2 && byte <= 0xDF) {
      extra = 1, minimum = 0x80;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      extra = 2, minimum = 0x800;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      extra = 3, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    char32_t value = byte & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      value = value << 6 | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

bool has_control_characters(std::string_view text) {
  for (std::size_t i = 0; i < text.size();)
    if (is_control(next_code_point(text, i))) return true;
  return false;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

std::string_view trim_white_space(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t next = begin;
    if (!is_unicode_space(next_code_point(text, next))) break;
    begin = next;
  }
  std::size_t end = begin;  // one past the last non-space code point
  for (std::size_t i = begin; i < text.size();) {
    bool space = is_unicode_space(next_code_point(text, i));
    if (!space) end = i;
  }
  return text.substr(begin, end - begin);
}

StatusOr<std::string> normalize_key_name(std::string_view name) {
  if (!is_valid_utf8(name))
    return invalid_argument(Reason::kInvalidUtf8, "the name is not valid UTF-8", "name");
  std::string_view trimmed = trim_white_space(name);
  if (trimmed.empty()) return invalid_argument(Reason::kNameEmpty, "the name is empty", "name");
  for (std::size_t i = 0; i < trimmed.size();) {
    char32_t c = next_code_point(trimmed, i);
    if (is_control(c))
      return invalid_argument(Reason::kNameControlCharacters, "the name holds control characters",
                              "name");
    if (is_invisible_format(c))
      return invalid_argument(Reason::kNameInvisibleCharacters,
                              "the name holds invisible direction or separator characters", "name");
  }
  if (count_code_points(trimmed) > kMaxKeyNameCharacters)
    return invalid_argument(Reason::kNameTooLong, "the name is longer than 100 characters", "name");
  return std::string(trimmed);
}

Status validate_user_id(std::string_view user_id) {
  if (user_id.empty() || user_id.size() > kMaxUserIdLength)
    return invalid_argument(Reason::kInvalidUserId, "a user id has 1 to 64 characters", "user");
  auto alphanumeric = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alphanumeric(user_id[0]))
    return invalid_argument(Reason::kInvalidUserId, "a user id starts with a-z or 0-9", "user");
  for (char c : user_id)
    if (!alphanumeric(c) && c != '.' && c != '_' && c != '-')
      return invalid_argument(Reason::kInvalidUserId,
                              "a user id may hold only a-z, 0-9, '.', '_', '-'", "user");
  if (user_id == "system")
    return invalid_argument(Reason::kReservedUserId, "the user id 'system' is reserved", "user");
  return Status::ok();
}

bool is_valid_ip_address(std::string_view address) {
  // inet_pton reads a C string: a NUL would hide whatever follows it.
  if (address.empty() || address.size() > 45 || address.find('\0') != std::string_view::npos)
    return false;
  std::string copy(address);
  unsigned char buffer[16];
  return inet_pton(AF_INET, copy.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), buffer) == 1;
}

std::string_view trim_leading(std::string_view text, std::string_view characters) {
  const std::size_t start = text.find_first_not_of(characters);
  return start == std::string_view::npos ? text.substr(text.size()) : text.substr(start);
}

std::string_view trim_trailing(std::string_view text, std::string_view characters) {
  const std::size_t last = text.find_last_not_of(characters);
  return text.substr(0, last == std::string_view::npos ? 0 : last + 1);
}

std::string_view trim(std::string_view text, std::string_view characters) {
  return trim_trailing(trim_leading(text, characters), characters);
}

SplitPieces::Iterator::Iterator(std::string_view text, std::string_view separators, bool from_end)
    : rest_(text), separators_(separators), from_end_(from_end), done_(false) {
  advance();
}

void SplitPieces::Iterator::advance() {
  if (last_taken_) {
    done_ = true;
    return;
  }
  // One separator (the common case) is a memchr, not a set lookup per byte.
  const bool one = separators_.size() == 1;
  const std::size_t at =
      from_end_ ? (one ? rest_.rfind(separators_[0]) : rest_.find_last_of(separators_))
                : (one ? rest_.find(separators_[0]) : rest_.find_first_of(separators_));
  if (at == std::string_view::npos) {
    piece_ = rest_;
    rest_ = rest_.substr(rest_.size());
    last_taken_ = true;
  } else if (from_end_) {
    piece_ = rest_.substr(at + 1);
    rest_ = rest_.substr(0, at);
  } else {
    piece_ = rest_.substr(0, at);
    rest_ = rest_.substr(at + 1);
  }
}

SplitPieces split(std::string_view text, std::string_view separators) {
  return SplitPieces(text, separators, false);
}

SplitPieces split_from_end(std::string_view text, std::string_view separators) {
  return SplitPieces(text, separators, true);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  // std::tolower must not see a negative char.
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

}  // namespace keyledger
