// Files embedded into keyledgerd at build time (server/web/assets/), by path
// relative to that folder, e.g. "openapi.json".
#pragma once

#include <optional>
#include <string_view>

namespace keyledger::server {

std::optional<std::string_view> embedded_asset(std::string_view path);

}  // namespace keyledger::server
