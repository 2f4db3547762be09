#include "tests/support/binaries.h"

#include <cstdlib>

namespace keyledger::testing {

std::string keyledgerd_path() {
  if (const char* path = std::getenv("KEYLEDGERD")) return path;
  return KEYLEDGER_KEYLEDGERD_PATH;
}

std::string keyledger_tool_path() {
  if (const char* path = std::getenv("KEYLEDGER_TOOL")) return path;
  return KEYLEDGER_TOOL_PATH;
}

}  // namespace keyledger::testing
