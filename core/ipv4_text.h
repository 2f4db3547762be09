// IPv4 addresses in their canonical dotted-decimal text ("10.0.0.1": four
// numbers 0..255, no leading zeros, nothing else) as 32-bit numbers, and
// back. Parsing accepts only the canonical form, so formatting what it
// returns gives back exactly the text that was parsed: the server may keep
// the number in place of the text without changing what it later reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyledger {

std::optional<std::uint32_t> parse_canonical_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t address);

}  // namespace keyledger
