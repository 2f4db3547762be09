#include "server/http/request_target.h"

#include "core/hex.h"
#include "core/text.h"

namespace keyledger::server {
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_digit_value(text[i + 1]), low = hex_digit_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high << 4 | low);
      if (c == '\0') return std::nullopt;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    out.push_back(c);
  }
  return out;
}

TargetError parse_request_target(std::string_view target, RequestTarget& out) {
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (path.empty() || path.front() != '/') return TargetError::kBadPath;
  if (path.find('%') != std::string_view::npos && !percent_decode(path, false))
    return TargetError::kBadPath;
  out.path = std::string(path);
  if (question == std::string_view::npos) return TargetError::kNone;
  for (std::string_view pair : split(target.substr(question + 1), "&")) {
    if (pair.empty()) continue;
    auto equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals), true);
    auto value =
        percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
    if (!name || !value) return TargetError::kBadQuery;
    out.query.emplace(std::move(*name), std::move(*value));
  }
  return TargetError::kNone;
}

}  // namespace keyledger::server
