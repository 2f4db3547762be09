// The one way keyledger reads a Cap'n Proto message that came from outside
// the process (an event or a record from disk, a verify request or answer
// from the network): under one set of limits, so that no reader believes a
// size, a segment count, a pointer or a depth the bytes claim.
#pragma once

#include <capnp/message.h>
#include <kj/function.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/aligned_words.h"
#include "core/status.h"

namespace keyledger {

struct CapnpLimits {
  std::size_t max_message_bytes;        // the whole message, segment table included
  std::uint32_t max_segments;           // segments in the table
  std::uint64_t traversal_limit_words;  // words read, a word read twice counting twice
  int nesting_limit;                    // structs and lists within one another
};

// The limits of every decode, and why:
// - 64 KiB: the largest message is an event, capped at kMaxEncodedEventBytes
//   (core/event_codec.h; event_codec.cc checks the two agree). A stored
//   record holds a few fields of a few events (under 1 KiB today), and a
//   verify request or answer is cut from its stream at 8 KiB by its framing
//   (core/stream_framing.h) before it gets here: all fit with room.
// - 16 segments: what the verify protocol allows (kMaxFrameSegments, checked
//   already by the framing); encode_event writes a 64 KiB event in about 7,
//   a record or a verify message in 1.
// - 8,192 words (64 KiB): every message within the byte limit, read once.
//   Reading a message once counts no more words than it has (its segment
//   table is never read; tests/core/capnp_decode_test.cc reads the largest
//   at exactly the limit, and event_codec_test an event of 64 KiB), and our
//   readers read each field once, so only a message whose pointers share
//   their targets (an amplification attack) reads more.
// - nesting 8: our deepest messages are 2 structs deep (an event and its
//   payload's struct; a verify answer and its VerifiedKey; a record is 1),
//   so lists and structs can still be added to any of them.
inline constexpr CapnpLimits kCapnpLimits{
    .max_message_bytes = 64 * 1024,
    .max_segments = 16,
    .traversal_limit_words = 64 * 1024 / sizeof(capnp::word),
    .nesting_limit = 8,
};

// How a decode that fails is reported: the caller's status code and reason
// (Reason::kUndecodableEvent, kBadFrame, …), and what the message is, which
// starts the text ("event" gives "event size is not a whole number of
// words", the wording stored-event damage reports have always had).
struct DecodeFailure {
  StatusCode code;
  Reason reason;
  std::string_view what;
};

// Reads the one message that `bytes` holds and calls `read` with it.
// `bytes` may sit at any address: an aligned message is read in place and
// one that is not is first copied into `scratch`, so what `read` sees
// points into `bytes` or `scratch`, and lasts as long as both do.
// Fails, with `failure`'s code and reason, for bytes that are empty, not a
// whole number of words, over `limits`, followed by anything else, or that
// Cap'n Proto cannot read, which includes a bad pointer `read` follows
// while it reads fields (Cap'n Proto throws a kj::Exception then, which
// never escapes this function). A Status that `read` returns comes back
// as it is. A decode that succeeds allocates nothing beyond what `read`
// does, Cap'n Proto's table for a message of more than one segment, and
// `scratch` growing (see AlignedCopy).
Status decode_capnp_message(std::string_view bytes, const CapnpLimits& limits,
                            const DecodeFailure& failure, AlignedCopy& scratch,
                            kj::FunctionParam<Status(capnp::MessageReader&)> read);

// The form every decoder uses: kCapnpLimits, and `read` given the root as a
// Root::Reader.
template <typename Root, typename Read>
Status decode_capnp(std::string_view bytes, const DecodeFailure& failure, AlignedCopy& scratch,
                    Read&& read) {
  return decode_capnp_message(
      bytes, kCapnpLimits, failure, scratch,
      [&read](capnp::MessageReader& message) -> Status { return read(message.getRoot<Root>()); });
}

}  // namespace keyledger
