// The message a follower publishes on uses_subject(stream) (issue 20, "Last
// use flows back"): who it is, how far it applied the stream, and the
// newest use of each key it verified since its last report. Core NATS,
// outside the stream: a lost message loses at most one flush interval of
// last-use times, never an event.
//
// The format is small, strict text, one field a line, so that a capture is
// readable and the decoder has little to get wrong:
//
//   keyledger-uses 1
//   node <name>
//   applied <seq>
//   use <key id> <used at, ns since the epoch> <client ip>
//   …
//
// The decoder trusts nothing: the size, the number of uses, every field's
// length and characters are bounded, and anything else is refused whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands.h"
#include "core/status.h"

namespace keyledger::replication {

inline constexpr std::string_view kKeyUsesMagic = "keyledger-uses";
inline constexpr int kKeyUsesVersion = 1;
// What one message may hold; the encoder splits longer reports.
inline constexpr std::size_t kMaxKeyUsesMessageBytes = 64 * 1024;
inline constexpr std::size_t kMaxUsesPerMessage = 512;
inline constexpr std::size_t kMaxNodeNameBytes = 128;
inline constexpr std::size_t kMaxKeyIdBytes = 64;
inline constexpr std::size_t kMaxClientIpBytes = 45;  // the longest IPv6 text

struct KeyUsesReport {
  std::string node;  // the follower's --node-name
  std::uint64_t applied_seq = 0;
  std::vector<RecordKeyUse> uses;  // at most one per key
};

// A node name is 1 to 128 of [A-Za-z0-9._:-]: what hostname:port is made of,
// nothing a log, a metric label or a line of this format must escape.
// kInvalidArgument (kBadFlag) naming what is wrong.
Status check_node_name(std::string_view name);

// `report` as messages of at most kMaxKeyUsesMessageBytes and
// kMaxUsesPerMessage uses each, each with the node and applied seq (so at
// least one message, even with no uses: it tells the leader the follower
// is there). Uses whose key id or address could not be decoded (too long,
// or characters outside the format) are left out; the tracker never makes
// such ones.
std::vector<std::string> encode_key_uses(const KeyUsesReport& report);

// Decodes one message: kInvalidArgument (kBadFrame, or kInvalidKeyId /
// kInvalidIp for a use) for anything but a well-formed version-1 message
// within the limits above; a key id twice in one message is refused too.
StatusOr<KeyUsesReport> decode_key_uses(std::string_view message);

}  // namespace keyledger::replication
