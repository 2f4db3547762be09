#include "core/ipv4_text.h"

#include <catch2/catch.hpp>

namespace keyledger {
namespace {

TEST_CASE("Canonical IPv4 text parses and formats back to the same text", "[ipv4]") {
  for (std::string_view text : {"0.0.0.0", "10.1.2.3", "127.0.0.1", "255.255.255.255", "8.8.4.4"}) {
    auto address = parse_canonical_ipv4(text);
    REQUIRE(address.has_value());
    CHECK(format_ipv4(*address) == text);
  }
  CHECK(parse_canonical_ipv4("10.1.2.3") == std::optional<std::uint32_t>(0x0a010203));
  CHECK(format_ipv4(0xc0a80001) == "192.168.0.1");
}

TEST_CASE("Anything but canonical IPv4 text is refused", "[ipv4]") {
  for (std::string_view text :
       {"",          "1",         "1.2.3",          "1.2.3.4.", ".1.2.3.4", "1..2.3",   "1.2.3.4.5",
        "256.1.1.1", "1.2.3.999", "1234.1.1.1",     "01.2.3.4", "1.2.3.00", "1.2.3.4 ", " 1.2.3.4",
        "1.2.3.a",   "::1",       "::ffff:1.2.3.4", "1.2.3.-4", "+1.2.3.4", "0x1.2.3.4"})
    CHECK_FALSE(parse_canonical_ipv4(text).has_value());
}

}  // namespace
}  // namespace keyledger
