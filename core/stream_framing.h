// Cap'n Proto's standard stream framing, read from a byte buffer that
// arrives in pieces: how long is the frame at the front, is it complete,
// and is it within our limits. Shared by the verify port and its client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keyledger {

inline constexpr std::uint32_t kMaxFrameSegments = 16;

// The byte length of the frame starting at `buffer`, or 0 if more bytes are
// needed to know or to complete it. kInvalidArgument (reason
// "frame_too_large" / "too_many_segments") for a frame that breaks the
// limits: the caller should drop the connection.
StatusOr<std::size_t> complete_frame_size(std::string_view buffer, std::size_t max_frame_bytes);

// Serialises a built message into framed bytes.
template <typename Builder>
std::string frame_message(Builder& message);

}  // namespace keyledger

#include <capnp/serialize.h>

template <typename Builder>
std::string keyledger::frame_message(Builder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}
