// The file that holds the first admin's one-time password
// (server/api/first_admin.h): private, never written over or through anything
// already at its path, removed only when asked, with a line that names the
// file and never holds the password.
#include "server/api/first_admin.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/server/captured_log.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

using keyledger::server::InitialPasswordFile;
using keyledger::testing::CapturedLog;
using keyledger::testing::read_file;
using keyledger::testing::TempDir;
using keyledger::testing::write_file;

TEST_CASE("the one-time password file is private and holds the password and a newline",
          "[server][first-admin]") {
  TempDir scratch;
  CapturedLog captured;
  const InitialPasswordFile file(scratch / "initial-admin-password", captured.log);
  CHECK(file.path().is_absolute());
  CHECK_FALSE(file.exists());
  REQUIRE(file.write("s3cret-one-time-pw").is_ok());
  CHECK(file.exists());
  CHECK(read_file(file.path()) == "s3cret-one-time-pw\n");
  struct stat info {};
  REQUIRE(::stat(file.path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(captured.out.str().empty());  // writing says nothing; the caller names the file
}

TEST_CASE("the one-time password file is never written over or through what is at its path",
          "[server][first-admin]") {
  TempDir scratch;
  CapturedLog captured;
  const InitialPasswordFile file(scratch / "initial-admin-password", captured.log);
  SECTION("a file") {
    write_file(file.path(), "someone else's\n");
    auto refused = file.write("s3cret-one-time-pw");
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.reason() == "password_file_unwritable");
    CHECK(read_file(file.path()) == "someone else's\n");
  }
  SECTION("a link to a file elsewhere") {
    const auto target = scratch / "target";
    write_file(target, "kept\n");
    std::filesystem::create_symlink(target, file.path());
    CHECK(file.exists());
    REQUIRE_FALSE(file.write("s3cret-one-time-pw").is_ok());
    CHECK(read_file(target) == "kept\n");
  }
}

TEST_CASE("the one-time password file goes when the first admin chooses a password",
          "[server][first-admin]") {
  TempDir scratch;
  CapturedLog captured;
  const InitialPasswordFile file(scratch / "initial-admin-password", captured.log);
  REQUIRE(file.write("s3cret-one-time-pw").is_ok());
  file.password_chosen("alice");
  CHECK(file.exists());
  CHECK(captured.lines().empty());
  file.password_chosen("admin");
  CHECK_FALSE(file.exists());
  const auto lines = captured.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["msg"] == "removed the one-time password file");
  CHECK(lines[0]["password_file"] == file.path().string());
  CHECK(captured.out.str().find("s3cret-one-time-pw") == std::string::npos);
  // Again, or with no file at all: nothing to do, nothing said.
  file.password_chosen("admin");
  CHECK(file.remove("test").is_ok());
  CHECK(captured.lines().size() == 1);
}
