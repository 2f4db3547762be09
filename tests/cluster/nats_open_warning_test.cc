// keyledgerd given --nats without credentials warns, once at start, that
// the stream is open to anyone the NATS servers let in; with credentials it
// does not, and the password never reaches the log.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace keyledger::testing {

TEST_CASE("a node given --nats without credentials warns that the stream is open to anyone",
          "[cluster][nats][daemon]") {
  ServerProcess server({"--nats", "nats://127.0.0.1:4222"});
  CHECK(server.output().find("without credentials") != std::string::npos);
}

TEST_CASE("a node given NATS credentials does not warn and never logs the password",
          "[cluster][nats][daemon]") {
  TempDir dir;
  const std::string file = (dir / "nats-password").string();
  std::ofstream(file) << "never-logged-nats-password";
  ::chmod(file.c_str(), 0600);
  ServerProcess server(
      {"--nats", "nats://127.0.0.1:4222", "--nats-user", "leader", "--nats-password-file", file});
  CHECK(server.output().find("without credentials") == std::string::npos);
  CHECK(server.output().find("never-logged-nats-password") == std::string::npos);
}

}  // namespace keyledger::testing
