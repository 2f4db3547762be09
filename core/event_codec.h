// Converts events between their C++ values and the stored bytes (a Cap'n
// Proto flat array of schema::Event, see events.capnp).
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"
#include "core/status.h"

namespace keyledger {

// Upper bound on one encoded event; anything larger read from disk or the
// wire is rejected as corrupt before it is parsed.
inline constexpr std::size_t kMaxEncodedEventBytes = 64 * 1024;

std::string encode_event(const Event& event);

// Decodes untrusted bytes, at any alignment, under kCapnpLimits
// (core/capnp_decode.h). Returns kCorruption (reason "undecodable_event")
// for bytes that are not exactly one event of this schema.
StatusOr<Event> decode_event(std::string_view bytes);

}  // namespace keyledger
