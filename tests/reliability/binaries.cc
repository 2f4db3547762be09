#include "tests/reliability/binaries.h"

#include <cstdlib>

namespace keyledger::reliability {

std::string keyledgerd_binary() {
  if (const char* path = std::getenv("KEYLEDGERD")) return path;
  return KEYLEDGER_KEYLEDGERD_BINARY;
}

std::string keyledger_cli_binary() {
  if (const char* path = std::getenv("KEYLEDGER_CLI")) return path;
  return KEYLEDGER_CLI_BINARY;
}

}  // namespace keyledger::reliability
