// An event as a JSON object with stable field names, for export. Secret
// hashes and password hashes are never included. Types follow
// tools/output_format.h: seq is a number, time_ns a string of digits (it
// exceeds 2^53) beside time in RFC 3339, and an empty value is null.
#pragma once

#include <nlohmann/json.hpp>

#include "core/event.h"

namespace keyledger::tools {

// Fields in a fixed order: seq, time, time_ns, type, actor, actor_ip,
// request_id, prev_hash, then the payload's own fields.
nlohmann::ordered_json event_to_json(const Event& event);

}  // namespace keyledger::tools
