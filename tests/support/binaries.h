// Where the binaries under test are: the KEYLEDGERD / KEYLEDGER_TOOL
// environment variables if set (to test an installed build), else the ones
// built in this tree.
#pragma once

#include <string>

namespace keyledger::testing {

std::string keyledgerd_path();
std::string keyledger_tool_path();

}  // namespace keyledger::testing
