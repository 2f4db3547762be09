// Hash maps keyed by std::string that accept std::string_view for lookups,
// so finding an entry does not copy the text.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace keyledger::projections {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace keyledger::projections
