// No secret is ever stored or printed: after a scripted history (users,
// sign-ins, keys created, used, renamed and deleted, password changes (the
// first admin's one-time password included), failed sign-ins and
// verifications with wrong secrets), every token,
// password, session id and CSRF token ever issued or tried is looked for —
// plainly, in hex and in base64 — in every raw file of the data folder
// (live, then after a flush and full compaction), every record of every
// column family, the server's output (log and access log), /metrics, and
// every output of the keyledger tools. None may be found.
#include <catch2/catch.hpp>
#include <random>

#include "core/token.h"
#include "server/client/verify_client.h"
#include "tests/security/security_support.h"
#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/raw_rocks.h"
#include "tests/support/secret_scan.h"

using namespace keyledger::testing;
using nlohmann::json;

namespace {

// A password no other byte sequence in the scanned places could equal by
// chance.
std::string random_password(std::mt19937_64& random) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string password;
  for (int i = 0; i < 24; ++i) password += kAlphabet[pick(random)];
  return password;
}

// The secrets of one history, with labels that say where each came from.
struct Secrets {
  SecretScanner scanner;
  int tokens = 0, passwords = 0, sessions = 0;

  void token(const std::string& label, const std::string& text) {
    auto parsed = keyledger::parse_token(text, "kl");
    REQUIRE(parsed.is_ok());
    scanner.add(label + " (secret part)", parsed->secret);
    ++tokens;
  }
  void password(const std::string& label, const std::string& text) {
    scanner.add(label, text);
    ++passwords;
  }
  void session(const std::string& label, const HttpResult& login) {
    const std::string cookie = login.headers.at("set-cookie");
    scanner.add(label + " session id", cookie.substr(11, cookie.find(';') - 11));
    scanner.add(label + " CSRF token", login.json()["csrf_token"].get<std::string>());
    ++sessions;
  }
};

struct History {
  int users = 0, keys_created = 0, renames = 0, deletes = 0, password_changes = 0,
      failed_sign_ins = 0, failed_verifications = 0, verifications = 0;
  std::string first_token_response;  // a body that must hold a token (positive control)
};

// The first admin's one-time password, read from the file the first start
// wrote it to, is replaced by kAdminPassword; the file must go with it. It
// stays a secret to look for: the log and the data folder must not hold it.
void replace_one_time_password(ServerProcess& server, Secrets& secrets) {
  const auto file = server.data_dir() / "initial-admin-password";
  std::string one_time = read_file(file);
  REQUIRE(!one_time.empty());
  one_time.pop_back();  // the newline
  secrets.password("admin one-time password (initial-admin-password)", one_time);
  HttpClient admin(server.port());
  auto login = admin.login("admin", one_time);
  REQUIRE(login.status == 200);
  secrets.session("admin with the one-time password", login);
  REQUIRE(admin
              .post_json("/v1/password",
                         {{"current_password", one_time}, {"new_password", kAdminPassword}})
              .status == 204);
  REQUIRE_FALSE(std::filesystem::exists(file));
}

History run_history(ServerProcess& server, Secrets& secrets, std::mt19937_64& random) {
  History history;
  HttpClient admin(server.port());
  auto admin_login = admin.login("admin", kAdminPassword);
  REQUIRE(admin_login.status == 200);
  secrets.password("admin password", kAdminPassword);
  secrets.session("admin", admin_login);
  keyledger::client::VerifyClient verify_port("127.0.0.1", server.verify_port());

  const int kUsers = 6 * abuse_scale(), kKeysPerUser = 4;
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = "user" + std::to_string(u);
    const std::string password = random_password(random);
    secrets.password(user + " first password", password);
    create_user(admin, user, u == 0 ? "auditor" : "user", password);
    ++history.users;
    // Wrong passwords first: they are secrets too (often a real one, mistyped).
    for (int attempt = 0; attempt < 3; ++attempt) {
      const std::string wrong = password + "x" + std::to_string(attempt);
      secrets.password(user + " wrong password " + std::to_string(attempt), wrong);
      CHECK(HttpClient(server.port()).login(user, wrong).status == 401);
      ++history.failed_sign_ins;
    }
    HttpClient client(server.port());
    auto login = client.login(user, password);
    REQUIRE(login.status == 200);
    secrets.session(user, login);

    std::vector<std::pair<std::string, std::string>> keys;  // (id, token)
    for (int k = 0; k < kKeysPerUser; ++k) {
      auto created = client.post_json("/v1/keys", {{"name", user + " app " + std::to_string(k)}});
      REQUIRE(created.status == 201);
      if (history.first_token_response.empty()) history.first_token_response = created.body;
      keys.emplace_back(created.json()["id"], created.json()["key"]);
      secrets.token(user + " key " + std::to_string(k), keys.back().second);
      ++history.keys_created;
    }
    for (const auto& [id, token] : keys) {
      REQUIRE(HttpClient(server.port())
                  .get("/v1/verify", {{"Authorization", "Bearer " + token}})
                  .status == 200);
      auto answer = verify_port.verify(token, "203.0.113.5");
      REQUIRE(answer.is_ok());
      CHECK(answer->valid());
      history.verifications += 2;
      // A mistyped copy still holds the whole secret: it must not be echoed
      // or logged either.
      std::string mistyped = token;
      mistyped.back() = mistyped.back() == 'A' ? 'B' : 'A';
      CHECK(HttpClient(server.port()).get("/v1/verify", {{"MC-Api-Key", mistyped}}).status == 401);
      ++history.failed_verifications;
    }
    // A key is used to manage keys, renamed, and one is deleted.
    CHECK(HttpClient(server.port())
              .patch_json("/v1/keys/" + keys[1].first, {{"name", "renamed by key"}},
                          {{"MC-Api-Key", keys[0].second}})
              .status == 200);
    CHECK(client.patch_json("/v1/keys/" + keys[2].first, {{"name", "renamed"}}).status == 200);
    history.renames += 2;
    CHECK(client.del("/v1/keys/" + keys[3].first).status == 204);
    ++history.deletes;
    CHECK(HttpClient(server.port()).get("/v1/verify", {{"MC-Api-Key", keys[3].second}}).status ==
          401);

    // Password changes: a wrong current password, then a right one.
    const std::string next = random_password(random);
    secrets.password(user + " second password", next);
    const std::string wrong_current = random_password(random);
    secrets.password(user + " wrong current password", wrong_current);
    CHECK(client
              .post_json("/v1/password",
                         {{"current_password", wrong_current}, {"new_password", next}})
              .status == 400);
    CHECK(client.post_json("/v1/password", {{"current_password", password}, {"new_password", next}})
              .status == 204);
    ++history.password_changes;
    HttpClient again(server.port());
    auto second = again.login(user, next);
    REQUIRE(second.status == 200);
    secrets.session(user + " second", second);
    CHECK(again.request("POST", "/v1/logout").status == 204);
  }
  // An unknown user signing in, and admin changes to users.
  const std::string unknown_password = random_password(random);
  secrets.password("password of an unknown user", unknown_password);
  CHECK(HttpClient(server.port()).login("nobody", unknown_password).status == 401);
  ++history.failed_sign_ins;
  CHECK(admin.patch_json("/v1/users/user1", {{"privilege", "auditor"}}).status == 200);
  CHECK(admin.patch_json("/v1/users/user2", {{"disabled", true}}).status == 200);
  CHECK(admin.patch_json("/v1/users/user2", {{"disabled", false}}).status == 200);
  return history;
}

}  // namespace

TEST_CASE("the secret scanner finds a secret in each spelling it claims", "[security][secrets]") {
  SecretScanner scanner;
  const std::string secret = "kl-secret-0123456789abcdefXYZ";
  scanner.add("planted", secret);
  CHECK(scanner.scan("nothing", std::string(4096, 'q')).empty());
  const std::string hex_lower = [&] {
    std::string out;
    char byte[3];
    for (unsigned char c : secret) {
      std::snprintf(byte, sizeof byte, "%02x", c);
      out += byte;
    }
    return out;
  }();
  // base64 of "ABC" + secret, "?" + secret + "!!" and "??" + secret: the
  // secret at each of the three byte alignments inside a longer blob.
  const std::vector<std::pair<std::string, std::string>> spellings = {
      {"plain", "prefix " + secret + " suffix"},
      {"hex", "0x" + hex_lower + "00"},
      {"base64", "QUJDa2wtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWZYWVo="},
      {"base64", "P2tsLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmWFlaISE="},
      {"base64", "Pz9rbC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZlhZWg=="},
  };
  for (const auto& [form, text] : spellings) {
    INFO(form);
    auto found = scanner.scan(form, text);
    REQUIRE_FALSE(found.empty());
    CHECK(found[0].form == form);
  }
  CHECK_THROWS(scanner.add("too short", "short"));
}

TEST_CASE("no token or password ever issued appears in the data, logs, metrics or tool output",
          "[security][secrets]") {
  // Limits high enough that the failures the history scripts are answered
  // as failures, not rate-limited.
  // No admin password in the environment: the first start makes a
  // one-time one.
  TempDir scratch;
  ServerProcess server(
      scratch / "data",
      {"--verify-listen", "127.0.0.1:0", "--flush-interval", "1", "--max-failed-verifications",
       "1000", "--max-failed-sign-ins-per-ip", "1000"},
      {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  std::mt19937_64 random(std::random_device{}());
  Secrets secrets;
  replace_one_time_password(server, secrets);
  const History history = run_history(server, secrets, random);
  INFO("secrets: " << secrets.scanner.secret_count());

  // The scan can fail: the one response that must hold a token does.
  {
    SecretScanner& scanner = secrets.scanner;
    CHECK_FALSE(scanner.scan("the create-key response", history.first_token_response).empty());
  }

  std::vector<SecretFinding> findings;
  auto scan = [&](const std::string& where, const std::string& bytes) {
    auto found = secrets.scanner.scan(where, bytes);
    findings.insert(findings.end(), found.begin(), found.end());
  };
  auto scan_tree = [&](const std::filesystem::path& folder) {
    auto found = secrets.scanner.scan_tree(folder);
    findings.insert(findings.end(), found.begin(), found.end());
  };

  // While the server runs: the raw files as they are (write-ahead log,
  // memtables not yet flushed), /metrics, and the tools beside it.
  scan_tree(server.data_dir());
  scan("/metrics", HttpClient(server.port()).get("/metrics").body);
  const std::string data = server.data_dir().string();
  const std::vector<std::vector<std::string>> tool_runs = {
      {"audit", "--format", "table", "--data", data},
      {"audit", "--format", "json", "--data", data},
      {"audit", "--format", "csv", "--data", data},
      {"audit", "--format", "json", "--action", "used", "--data", data},
      {"export", "--data", data},
      {"replay", "--format", "table", "--data", data},
      {"replay", "--format", "json", "--data", data},
      {"replay", "--format", "csv", "--data", data},
      {"verify", "--data", data},
      {"stats", "--format", "json", "--data", data},
  };
  TempDir replayed;
  int tool_outputs = 0;
  for (const auto& args : tool_runs) {
    auto result = run_command(keyledger_tool_path(), args);
    std::string name = "keyledger";
    for (const auto& arg : args) name += " " + arg;
    INFO(name << "\n" << result.err);
    CHECK(result.exit_code == 0);
    scan("stdout of " + name, result.out);
    scan("stderr of " + name, result.err);
    tool_outputs += 2;
  }
  auto copy = run_command(keyledger_tool_path(),
                          {"replay", "--out", (replayed.path() / "copy").string(), "--data", data});
  CHECK(copy.exit_code == 0);
  scan_tree(replayed.path());

  // Stopped cleanly (last use flushed), then every record of every column
  // family, and the raw files again after everything was flushed and
  // compacted into table files.
  REQUIRE(server.stop() == 0);
  scan("server output (log and access log)", server.output());
  std::size_t records = 0;
  {
    RawRocks rocks(server.data_dir() / "ledger");
    for (const auto& family : rocks.families()) {
      for (const auto& [key, value] : rocks.scan(family)) {
        scan("column family " + family + " key", key);
        scan("column family " + family + " value", value);
        ++records;
      }
    }
    rocks.flush_and_compact();
  }
  scan_tree(server.data_dir());

  INFO(describe(findings));
  CHECK(findings.empty());
  CHECK(records > 0);
  // The figures the reliability page reports.
  WARN("secrets scan: " << history.users << " users, " << history.keys_created << " keys, "
                        << history.renames << " renames, " << history.deletes << " deletes, "
                        << history.password_changes << " password changes, "
                        << history.failed_sign_ins << " failed sign-ins, " << history.verifications
                        << " verifications, " << history.failed_verifications
                        << " failed verifications; " << secrets.tokens << " tokens, "
                        << secrets.passwords << " passwords, " << secrets.sessions
                        << " sessions = " << secrets.scanner.secret_count() << " secrets in "
                        << secrets.scanner.pattern_count() << " spellings; "
                        << secrets.scanner.places_scanned() << " places (" << records
                        << " records, " << tool_outputs << " tool outputs), "
                        << secrets.scanner.bytes_scanned() << " bytes scanned");
}
