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

// The same, appended to `out` without an intermediate copy (the verify
// port answers every request this way).
template <typename Builder>
void append_framed(Builder& message, std::string& out);

}  // namespace keyledger

#include <capnp/serialize.h>
#include <kj/io.h>

namespace keyledger::detail {

// A kj::OutputStream that appends to a std::string.
class StringAppender final : public kj::OutputStream {
 public:
  explicit StringAppender(std::string& out) : out_(out) {}
  void write(const void* buffer, size_t size) override {
    out_.append(static_cast<const char*>(buffer), size);
  }

 private:
  std::string& out_;
};

}  // namespace keyledger::detail

template <typename Builder>
void keyledger::append_framed(Builder& message, std::string& out) {
  out.reserve(out.size() + capnp::computeSerializedSizeInWords(message) * sizeof(capnp::word));
  detail::StringAppender appender(out);
  capnp::writeMessage(appender, message);
}

template <typename Builder>
std::string keyledger::frame_message(Builder& message) {
  std::string out;
  append_framed(message, out);
  return out;
}
