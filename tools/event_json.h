// An event as a JSON object with stable field names, for export. Secret
// hashes and password hashes are never included.
#pragma once

#include <nlohmann/json.hpp>

#include "core/event.h"

namespace keyledger::tools {

nlohmann::json event_to_json(const Event& event);

}  // namespace keyledger::tools
