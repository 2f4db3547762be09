// keyledger --version and keyledgerd --version: the project version from
// CMake and the commit, the same for both binaries.
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"

using namespace keyledger::testing;

TEST_CASE("keyledger and keyledgerd --version print the same project version and commit",
          "[tools][version]") {
  auto tool = run_command(keyledger_tool_path(), {"--version"});
  auto server = run_command(keyledgerd_path(), {"--version"});
  INFO(tool.out << tool.err << server.out << server.err);
  CHECK(tool.exit_code == 0);
  CHECK(server.exit_code == 0);
  CHECK(tool.err.empty());
  CHECK(server.err.empty());
  // KEYLEDGER_PROJECT_VERSION is CMake's PROJECT_VERSION (tests/tools/CMakeLists.txt).
  const std::string version = KEYLEDGER_PROJECT_VERSION;
  const std::regex dot("\\.");
  const std::string pattern =
      " " + std::regex_replace(version, dot, "\\.") + "( \\(commit [0-9a-f]{12}(-dirty)?\\))?\n";
  CHECK(std::regex_match(tool.out, std::regex("keyledger" + pattern)));
  CHECK(std::regex_match(server.out, std::regex("keyledgerd" + pattern)));
  REQUIRE(tool.out.rfind("keyledger ", 0) == 0);
  REQUIRE(server.out.rfind("keyledgerd ", 0) == 0);
  CHECK(tool.out.substr(std::string("keyledger").size()) ==
        server.out.substr(std::string("keyledgerd").size()));
  // Nothing else runs: no subcommand needed, no data folder touched.
  CHECK(tool.out.find("audit") == std::string::npos);
}

TEST_CASE("both binaries' help lists --version", "[tools][version]") {
  CHECK(run_command(keyledger_tool_path(), {"--help"}).out.find("--version") != std::string::npos);
  CHECK(run_command(keyledgerd_path(), {"--help"}).out.find("--version") != std::string::npos);
}
