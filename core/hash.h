// SHA-256 digests and the event hash chain.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// OpenSSL's types, declared so this header need not include OpenSSL.
struct evp_md_ctx_st;
struct evp_md_st;

namespace keyledger {

using Hash256 = std::array<std::uint8_t, 32>;

Hash256 sha256(std::string_view data);

// The chain link of an event: SHA-256(hash of the previous event || the
// encoded bytes of this event). The first event's previous hash is all zeros.
Hash256 chain_hash(const Hash256& previous, std::string_view event_bytes);

// chain_hash() with an OpenSSL context kept across calls: setting one up
// costs more than hashing a small event, so loops over many events (the
// writer, replay, verification) keep one of these. Not thread-safe.
class ChainHasher {
 public:
  ChainHasher();
  ~ChainHasher();
  ChainHasher(const ChainHasher&) = delete;
  ChainHasher& operator=(const ChainHasher&) = delete;

  Hash256 hash(const Hash256& previous, std::string_view event_bytes);

 private:
  evp_md_ctx_st* context_;
  evp_md_st* digest_;
};

std::string to_hex(std::span<const std::uint8_t> bytes);
// Parses exactly 64 hex digits (either case); nullopt otherwise.
std::optional<Hash256> hash_from_hex(std::string_view hex);

// Compares in time that depends only on the lengths, never on the contents.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace keyledger
