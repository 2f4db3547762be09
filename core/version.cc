#include "core/version.h"

namespace keyledger {

std::string version_line(std::string_view program) {
  std::string line = std::string(program) + " " + std::string(build_version());
  if (!build_commit().empty()) line += " (commit " + std::string(build_commit()) + ")";
  return line;
}

}  // namespace keyledger
