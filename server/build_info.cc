#include "server/build_info.h"

// KEYLEDGER_BUILD_COMMIT, regenerated at every build (cmake/build_commit.cmake).
#include "build_commit.h"

#ifndef KEYLEDGER_VERSION
#error "server/CMakeLists.txt defines KEYLEDGER_VERSION for this file"
#endif

namespace keyledger::server {

std::string_view build_version() { return KEYLEDGER_VERSION; }

std::string_view build_commit() { return KEYLEDGER_BUILD_COMMIT; }

}  // namespace keyledger::server
