// Which keyledgerd this is, for /metrics (keyledger_build_info).
#pragma once

#include <string_view>

namespace keyledger::server {

// The project's version, from CMake's project() (e.g. "0.1.0").
std::string_view build_version();
// The git commit built, abbreviated to 12 hex digits; "unknown" for a
// build outside a git checkout.
std::string_view build_commit();

}  // namespace keyledger::server
