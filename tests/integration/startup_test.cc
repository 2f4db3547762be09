// keyledgerd's start, through the real binary: the data folder and every
// file in it are private, a folder others may write to is refused, an old
// readable ledger folder is made private; a start that cannot bind its
// ports creates nothing; the first admin's one-time password is in a
// private file (never in the log) that goes once the admin chooses their
// own; and every line keyledgerd writes is one JSON object with one time
// format.
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "server/daemon/start_failure.h"
#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;
namespace fs = std::filesystem;
namespace server = keyledger::server;

namespace {

constexpr const char* kPasswordFile = "initial-admin-password";

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

// Every entry under `folder`, with its mode and (for files) its bytes: what
// "unchanged" compares.
std::map<std::string, std::pair<mode_t, std::string>> snapshot(const fs::path& folder) {
  std::map<std::string, std::pair<mode_t, std::string>> entries;
  entries[""] = {mode_of(folder), ""};
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    const std::string bytes = entry.is_regular_file() ? read_file(entry.path()) : "";
    entries[fs::relative(entry.path(), folder).string()] = {mode_of(entry.path()), bytes};
  }
  return entries;
}

// Sets (or, with nullopt, unsets) one variable of this process's
// environment, which run_command's children inherit, until destroyed.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnvironment() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A loopback port some other program listens on.
class TakenPort {
 public:
  TakenPort() : acceptor_(io_) {
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

CommandResult start_keyledgerd(const fs::path& data, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--data", data.string(), "--scrypt-cost", "10", "--no-sync"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_command(keyledgerd_path(), args);
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    INFO("line: " << line);
    json parsed;
    REQUIRE_NOTHROW(parsed = json::parse(line));
    REQUIRE(parsed.is_object());
    lines.push_back(parsed);
  }
  return lines;
}

// The first line whose msg is `msg`, or null.
json line_with_msg(const std::string& output, const std::string& msg) {
  for (const auto& line : json_lines(output))
    if (line.value("msg", "") == msg) return line;
  return nullptr;
}

std::string one_time_password(const fs::path& data) {
  std::string text = read_file(data / kPasswordFile);
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  text.pop_back();
  return text;
}

// The refusal of a start: exit `code`, and on stderr one JSON error line
// whose reason is `reason`.
json expect_refused(const CommandResult& result, int code, const std::string& reason) {
  INFO("stdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.exit_code == code);
  const auto lines = json_lines(result.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["level"] == "error");
  CHECK(lines[0]["reason"] == reason);
  CHECK(lines[0]["exit_code"] == code);
  return lines[0];
}

}  // namespace

TEST_CASE("a first start makes the data folder and everything in it private to keyledgerd",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  SECTION("with the admin's password from the environment") {
    ServerProcess server(data, {});
    REQUIRE(server.stop() == 0);
    CHECK_FALSE(fs::exists(data / kPasswordFile));
  }
  SECTION("with a one-time password") {
    ServerProcess server(data, {}, {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
    REQUIRE(server.stop() == 0);
    CHECK(mode_of(data / kPasswordFile) == 0600);
  }
  CHECK(mode_of(data) == 0700);
  CHECK(mode_of(data / "ledger") == 0700);
  CHECK(mode_of(data / "pepper") == 0600);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    INFO(entry.path());
    CHECK((mode_of(entry.path()) & 077) == 0);
    files += entry.is_regular_file() ? 1 : 0;
  }
  CHECK(files > 5);  // RocksDB's files were looked at too
}

TEST_CASE("keyledgerd refuses a data folder that other users may write to and changes nothing",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  fs::path loose;  // the folder others may write to
  SECTION("an empty data folder open to everyone") {
    fs::create_directory(data);
    loose = data;
    REQUIRE(::chmod(data.c_str(), 0777) == 0);
  }
  SECTION("a data folder the group may write to") {
    fs::create_directory(data);
    loose = data;
    REQUIRE(::chmod(data.c_str(), 0775) == 0);
  }
  SECTION("a ledger folder open to everyone") {
    { ServerProcess server(data, {}); }
    loose = data / "ledger";
    REQUIRE(::chmod(loose.c_str(), 0777) == 0);
  }
  const auto before = snapshot(data);
  auto refused = start_keyledgerd(data, {"--listen", "127.0.0.1:0"});
  const json line = expect_refused(refused, server::kExitDataNotPrivate, "data_folder_not_private");
  CHECK(line["msg"].get<std::string>().find(loose.string()) != std::string::npos);
  CHECK(line["msg"].get<std::string>().find("chmod 700") != std::string::npos);
  CHECK(snapshot(data) == before);
}

TEST_CASE("a ledger folder an older build left readable by others is made private at start",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  ServerProcess server(data, {});
  REQUIRE(server.stop() == 0);
  // As an older build left it under the usual umask.
  REQUIRE(::chmod(data.c_str(), 0755) == 0);
  REQUIRE(::chmod((data / "ledger").c_str(), 0755) == 0);

  server.restart();
  CHECK(mode_of(data / "ledger") == 0700);
  CHECK(mode_of(data) == 0755);  // the operator's own folder keeps its mode
  const json said =
      line_with_msg(server.output(), "made the ledger folder private: other users could read it");
  REQUIRE(said.is_object());
  CHECK(said["path"] == (data / "ledger").string());
  CHECK(said["mode_was"] == "0755");
  CHECK(said["mode"] == "0700");
  HttpClient admin(server.port());
  CHECK(admin.login("admin", kAdminPassword).status == 200);

  // Once private, nothing more to say.
  server.restart();
  CHECK(line_with_msg(server.output(), "made the ledger folder private: other users could read it")
            .is_null());
}

TEST_CASE("a start whose address is taken creates nothing and says which address and why",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  TakenPort taken;
  // No password from the environment: a start that went too far would
  // create the admin and its password file.
  ScopedEnvironment no_password("KEYLEDGER_ADMIN_PASSWORD", std::nullopt);
  const bool verify_port = GENERATE(false, true);  // else the HTTP port is taken
  const std::string flag = verify_port ? "--verify-listen" : "--listen";
  const std::vector<std::string> flags =
      verify_port ? std::vector<std::string>{"--listen", "127.0.0.1:0", flag, taken.address()}
                  : std::vector<std::string>{flag, taken.address()};
  INFO("taken: " << flag);
  auto check_refused = [&] {
    const json line = expect_refused(start_keyledgerd(data, flags), server::kExitAddressUnavailable,
                                     "address_in_use");
    CHECK(line["address"] == taken.address());
    CHECK(line["flag"] == flag);
    CHECK(line["msg"].get<std::string>().find(
              "cannot listen on " + taken.address() +
              ": address already in use; is another keyledgerd running? choose another with " +
              flag) != std::string::npos);
  };
  SECTION("with no data folder yet") {
    check_refused();
    CHECK_FALSE(fs::exists(data));
  }
  SECTION("with an empty data folder") {
    fs::create_directory(data);
    REQUIRE(::chmod(data.c_str(), 0700) == 0);
    check_refused();
    CHECK(snapshot(data) == decltype(snapshot(data)){{"", {0700, ""}}});
  }
  SECTION("with a ledger") {
    {
      ServerProcess first(data, {}, {{"KEYLEDGER_ADMIN_PASSWORD", kAdminPassword}});
      REQUIRE(first.stop() == 0);
    }
    const auto before = snapshot(data);
    check_refused();
    CHECK(snapshot(data) == before);
  }
}

TEST_CASE("a first start refused for a flag it could only fail on later creates nothing",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  ScopedEnvironment no_password("KEYLEDGER_ADMIN_PASSWORD", std::nullopt);
  SECTION("--unlock of a user a new ledger cannot hold") {
    expect_refused(start_keyledgerd(data, {"--listen", "127.0.0.1:0", "--unlock", "carol"}),
                   server::kExitUsage, "user_not_found");
  }
  SECTION("--pepper-file in a folder that does not exist") {
    expect_refused(start_keyledgerd(data, {"--listen", "127.0.0.1:0", "--pepper-file",
                                           (scratch / "no-such-folder" / "pepper").string()}),
                   server::kExitUsage, "pepper_folder_missing");
  }
  CHECK_FALSE(fs::exists(data));
}

TEST_CASE("a start refused for a taken port leaves the next start to create the admin as usual",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  {
    TakenPort taken;
    ScopedEnvironment no_password("KEYLEDGER_ADMIN_PASSWORD", std::nullopt);
    auto refused = start_keyledgerd(data, {"--listen", taken.address()});
    REQUIRE(refused.exit_code == server::kExitAddressUnavailable);
  }
  ServerProcess server(data, {}, {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  const json created =
      line_with_msg(server.output(), "created user admin with a one-time password");
  REQUIRE(created.is_object());
  CHECK(created["password_file"] == fs::absolute(data / kPasswordFile).lexically_normal().string());
  HttpClient admin(server.port());
  auto signed_in = admin.login("admin", one_time_password(data));
  REQUIRE(signed_in.status == 200);
  CHECK(signed_in.json()["password_change_required"] == true);
}

TEST_CASE("the one-time password is in a private file that goes once the admin chooses their own",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  ServerProcess server(data, {}, {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  const fs::path file = data / kPasswordFile;
  REQUIRE(mode_of(file) == 0600);
  const std::string password = one_time_password(data);
  CHECK(password.size() >= 16);
  CHECK(server.output().find(password) == std::string::npos);  // never in the log

  SECTION("a restart before the admin chose keeps the file and names it again") {
    server.kill_hard();
    server.restart();
    const json again = line_with_msg(server.output(),
                                     "user admin still has the one-time password in password_file");
    REQUIRE(again.is_object());
    CHECK(again["password_file"] == fs::absolute(file).lexically_normal().string());
    CHECK(one_time_password(data) == password);
  }
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", password).status == 200);
  // A refused change keeps the file: the password still is the one-time one.
  auto reused =
      admin.post_json("/v1/password", {{"current_password", password}, {"new_password", password}});
  CHECK(reused.status == 400);
  CHECK(fs::exists(file));
  REQUIRE(admin
              .post_json("/v1/password",
                         {{"current_password", password}, {"new_password", "the-admins-own"}})
              .status == 204);
  CHECK_FALSE(fs::exists(file));
  const json removed = line_with_msg(server.output(), "removed the one-time password file");
  REQUIRE(removed.is_object());
  CHECK(removed["why"] == "user admin chose their own password");

  REQUIRE(server.stop() == 0);
  server.restart();
  CHECK_FALSE(fs::exists(file));
  CHECK(HttpClient(server.port()).login("admin", "the-admins-own").status == 200);
  CHECK(server.output().find(password) == std::string::npos);
}

TEST_CASE("a password file left behind after the admin chose their own is removed at start",
          "[integration][startup]") {
  // As if keyledgerd died between committing the admin's new password and
  // removing the file.
  TempDir scratch;
  const fs::path data = scratch / "data";
  ServerProcess server(data, {}, {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  const std::string password = one_time_password(data);
  HttpClient admin(server.port());
  REQUIRE(admin.login("admin", password).status == 200);
  REQUIRE(admin
              .post_json("/v1/password",
                         {{"current_password", password}, {"new_password", "the-admins-own"}})
              .status == 204);
  REQUIRE(server.stop() == 0);
  write_file(data / kPasswordFile, password + "\n");

  server.restart();
  CHECK_FALSE(fs::exists(data / kPasswordFile));
  const json removed = line_with_msg(server.output(), "removed the one-time password file");
  REQUIRE(removed.is_object());
  CHECK(removed["why"] == "user admin chose their own password");
}

TEST_CASE("a password file left by a start that died before creating the admin is replaced",
          "[integration][startup]") {
  TempDir scratch;
  const fs::path data = scratch / "data";
  fs::create_directory(data);
  REQUIRE(::chmod(data.c_str(), 0700) == 0);
  write_file(data / kPasswordFile, "nobody-has-this-password\n");
  ServerProcess server(data, {}, {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  const std::string password = one_time_password(data);
  CHECK(password != "nobody-has-this-password");
  CHECK(HttpClient(server.port()).login("admin", password).status == 200);
}

TEST_CASE("every line keyledgerd writes is one JSON object with its time in one format",
          "[integration][startup]") {
  const std::regex rfc3339_ms(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  auto check_lines = [&](const std::string& output) {
    const auto lines = json_lines(output);
    for (const auto& line : lines) {
      INFO(line.dump());
      REQUIRE(line["time"].is_string());
      CHECK(std::regex_match(line["time"].get<std::string>(), rfc3339_ms));
      CHECK((line["level"] == "info" || line["level"] == "warn" || line["level"] == "error"));
      CHECK(line["msg"].is_string());
    }
    // time, level and msg come first, in that order (json above sorts keys).
    const std::regex first_fields(R"(^\{"time":"[^"]*","level":"[a-z]+","msg":".*)");
    std::istringstream text(output);
    for (std::string raw; std::getline(text, raw);) CHECK(std::regex_match(raw, first_fields));
    return lines;
  };

  TempDir scratch;
  const fs::path data = scratch / "data";
  ServerProcess server(data, {"--verify-listen", "127.0.0.1:0"},
                       {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  HttpClient client(server.port());
  CHECK(client.get("/healthz").status == 200);
  CHECK(client.get("/v1/verify", {{"MC-Api-Key", "kl_nothing"}}).status == 401);
  REQUIRE(server.stop() == 0);
  server.restart();  // a second start, and an unlock, say more
  REQUIRE(server.stop() == 0);

  // ServerProcess keeps each start's output beside the data folder.
  const std::string first_output = read_file(scratch / "server-0.log");
  std::set<std::string> messages;
  for (const auto& output : {first_output, server.output()})
    for (const auto& line : check_lines(output)) messages.insert(line["msg"].get<std::string>());
  for (const char* expected :
       {"created user admin with a one-time password", "verify port listening", "listening",
        "request", "shutting down", "stopped cleanly",
        "user admin still has the one-time password in password_file"}) {
    INFO(expected);
    CHECK(messages.count(expected) == 1);
  }
  const json request = line_with_msg(first_output, "request");
  REQUIRE(request.is_object());
  CHECK(request["route"].is_string());
  CHECK(request["status"].is_number());

  // A start that fails, and a bad flag, are JSON lines too (on stderr).
  check_lines(start_keyledgerd(data, {"--listen", "127.0.0.1:0", "--token-prefix", "no way"}).err);
  auto bad_flag = run_command(keyledgerd_path(), {"--no-such-flag"});
  CHECK(bad_flag.exit_code != 0);
  REQUIRE(check_lines(bad_flag.err).size() == 1);
  // --help is not a log: text for people.
  auto help = run_command(keyledgerd_path(), {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--listen") != std::string::npos);
  CHECK(help.out.rfind("{", 0) != 0);
}
