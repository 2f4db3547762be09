#include "server/http/json_body.h"

namespace keyledger::server {
namespace {

// Deepest bracket nesting, ignoring brackets inside strings.
int nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      deepest = std::max(deepest, ++depth);
    else if (c == '}' || c == ']')
      --depth;
  }
  return deepest;
}

}  // namespace

StatusOr<Json> parse_json_object(std::string_view body,
                                 std::initializer_list<std::string_view> allowed) {
  if (nesting_depth(body) > kMaxJsonDepth)
    return invalid_argument(Reason::kJsonTooDeep, "the JSON nests too deeply");
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return invalid_argument(Reason::kInvalidJson, "the body is not valid JSON");
  if (!parsed.is_object())
    return invalid_argument(Reason::kNotAnObject, "the body must be a JSON object");
  for (const auto& [key, value] : parsed.items()) {
    bool known = false;
    for (auto name : allowed) known = known || key == name;
    if (!known) return invalid_argument(Reason::kUnknownField, "unknown field '" + key + "'", key);
  }
  return parsed;
}

StatusOr<std::string> required_string(const Json& object, const std::string& field) {
  auto it = object.find(field);
  if (it == object.end())
    return invalid_argument(Reason::kMissingField, "the field '" + field + "' is required", field);
  if (!it->is_string())
    return invalid_argument(Reason::kInvalidType, "the field '" + field + "' must be a string",
                            field);
  return it->get<std::string>();
}

StatusOr<std::optional<std::string>> optional_string(const Json& object, const std::string& field) {
  auto it = object.find(field);
  if (it == object.end()) return std::optional<std::string>();
  if (!it->is_string())
    return invalid_argument(Reason::kInvalidType, "the field '" + field + "' must be a string",
                            field);
  return std::optional<std::string>(it->get<std::string>());
}

StatusOr<std::optional<bool>> optional_bool(const Json& object, const std::string& field) {
  auto it = object.find(field);
  if (it == object.end()) return std::optional<bool>();
  if (!it->is_boolean())
    return invalid_argument(Reason::kInvalidType, "the field '" + field + "' must be true or false",
                            field);
  return std::optional<bool>(it->get<bool>());
}

}  // namespace keyledger::server
