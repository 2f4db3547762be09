// SHA-256 digests and the event hash chain.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace keyledger {

using Hash256 = std::array<std::uint8_t, 32>;

Hash256 sha256(std::string_view data);

// The chain link of an event: SHA-256(hash of the previous event || the
// encoded bytes of this event). The first event's previous hash is all zeros.
Hash256 chain_hash(const Hash256& previous, std::string_view event_bytes);

std::string to_hex(std::span<const std::uint8_t> bytes);
// Parses exactly 64 hex digits (either case); nullopt otherwise.
std::optional<Hash256> hash_from_hex(std::string_view hex);

// Compares in time that depends only on the lengths, never on the contents.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace keyledger
