#include "core/stream_framing.h"

#include <cstring>

namespace keyledger {
namespace {

std::uint32_t read_u32(std::string_view buffer, std::size_t offset) {
  std::uint32_t value;
  std::memcpy(&value, buffer.data() + offset, 4);  // the format is little-endian, as is x86-64
  return value;
}

}  // namespace

StatusOr<std::size_t> complete_frame_size(std::string_view buffer, std::size_t max_frame_bytes) {
  if (buffer.size() < 4) return std::size_t{0};
  const std::uint64_t segments = std::uint64_t{read_u32(buffer, 0)} + 1;
  if (segments > kMaxFrameSegments)
    return invalid_argument(Reason::kTooManySegments, "the frame has too many segments");
  const std::size_t table_bytes = ((4 + 4 * segments) + 7) / 8 * 8;
  if (buffer.size() < 4 + 4 * segments) return std::size_t{0};
  std::uint64_t total = table_bytes;
  for (std::uint64_t i = 0; i < segments; ++i)
    total += std::uint64_t{read_u32(buffer, 4 + 4 * i)} * 8;
  if (total > max_frame_bytes)
    return invalid_argument(Reason::kFrameTooLarge, "the frame is larger than the limit");
  if (buffer.size() < total) return std::size_t{0};
  return static_cast<std::size_t>(total);
}

}  // namespace keyledger
