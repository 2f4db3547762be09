// The version of this build, for --version and for metrics: the project
// version from CMake (project(keyledger VERSION …)) and, when built from a
// git checkout, the commit. keyledgerd and keyledger report the same.
#pragma once

#include <string>
#include <string_view>

namespace keyledger {

// "0.1.0".
std::string_view build_version();

// The commit built: 12 hex digits, with "-dirty" when the checkout had
// uncommitted changes to tracked files; "" when unknown (not built from a
// git checkout and no -DKEYLEDGER_COMMIT given).
std::string_view build_commit();

// "keyledger 0.1.0 (commit 7beface0c0de)" for program "keyledger", or
// "keyledger 0.1.0" when the commit is unknown.
std::string version_line(std::string_view program);

}  // namespace keyledger
