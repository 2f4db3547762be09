// Paths of the programs under test: from the environment (KEYLEDGERD,
// KEYLEDGER_CLI) or the build tree.
#pragma once

#include <string>

namespace keyledger::reliability {

std::string keyledgerd_binary();
std::string keyledger_cli_binary();

}  // namespace keyledger::reliability
