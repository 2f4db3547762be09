// The README's examples work verbatim. Every shell block the README marks
// with <!-- readme-test --> runs, in order and as one script, against a
// fresh keyledgerd started as tools/run.sh starts it (no password from the
// environment: the one-time password is read where the README says). Only
// the placeholders the README names are filled in: the server's URL, the
// data folder, the keyledger command's path and the password a reader
// chooses; and the verify ports (the server's, and a follower's where none
// runs) with the example client's path. A line "# → TEXT" after a command says what it prints: each
// piece of TEXT between "…" must appear, in order, in that block's output.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/binaries.h"
#include "tests/support/command_runner.h"
#include "tests/support/files.h"
#include "tests/support/server_process.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

using namespace keyledger::testing;
namespace fs = std::filesystem;

namespace {

const fs::path kReadme = KEYLEDGER_README;
constexpr std::string_view kMarker = "<!-- readme-test -->";
constexpr std::string_view kExpect = "# → ";

struct Block {
  std::size_t line = 0;  // of its opening fence, 1-based
  std::string script;
  std::vector<std::string> expected;  // "# → " lines, in order
};

// The marked shell blocks, in README order.
std::vector<Block> marked_blocks(const std::string& readme) {
  std::vector<Block> blocks;
  std::istringstream in(readme);
  std::string line;
  std::size_t number = 0;
  bool marked = false, inside = false;
  while (std::getline(in, line)) {
    ++number;
    if (inside) {
      if (line == "```") {
        inside = false;
        continue;
      }
      if (const auto at = line.find(kExpect); at != std::string::npos)
        blocks.back().expected.push_back(line.substr(at + kExpect.size()));
      blocks.back().script += line + "\n";
    } else if (line == kMarker) {
      marked = true;
    } else if (marked && line.rfind("```sh", 0) == 0) {
      blocks.push_back(Block{number, "", {}});
      inside = true;
      marked = false;
    } else if (!line.empty()) {
      marked = false;  // a marker applies to the block right below it
    }
  }
  return blocks;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Whether every piece of `expected` between "…" appears in `output`, in order.
bool shows(const std::string& output, const std::string& expected) {
  std::size_t from = 0, piece_start = 0;
  const std::string ellipsis = "…";
  while (piece_start <= expected.size()) {
    std::size_t piece_end = expected.find(ellipsis, piece_start);
    if (piece_end == std::string::npos) piece_end = expected.size();
    const std::string piece = expected.substr(piece_start, piece_end - piece_start);
    if (!piece.empty()) {
      const std::size_t found = output.find(piece, from);
      if (found == std::string::npos) return false;
      from = found + piece.size();
    }
    piece_start = piece_end + ellipsis.size();
  }
  return true;
}

// A loopback port nobody listens on (bound once, then released).
unsigned short unused_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

bool on_path(const std::string& program) {
  return run_command("/bin/sh", {"-c", "command -v " + program}).exit_code == 0;
}

}  // namespace

TEST_CASE("the README's marked examples run verbatim against a fresh keyledgerd",
          "[integration][readme]") {
  for (const char* program : {"curl", "jq"})
    if (!on_path(program))
      KEYLEDGER_SKIP(std::string(program) + " is not installed (tools/setup.sh installs it)");
  const std::vector<Block> blocks = marked_blocks(read_file(kReadme));
  REQUIRE(blocks.size() >= 3);

  TempDir scratch;
  const fs::path data = scratch / "keyledger-data";
  // As tools/run.sh starts it: the admin's password is one-time and printed
  // to the file the README reads, not taken from the environment.
  ServerProcess server(data, {"--verify-listen", "127.0.0.1:0"},
                       {{"KEYLEDGER_ADMIN_PASSWORD", ""}});
  const std::map<std::string, std::string> placeholders = {
      {"http://127.0.0.1:8080", "http://127.0.0.1:" + std::to_string(server.port())},
      // The leader's verify port, and a follower's, of which none runs here.
      {"127.0.0.1:7070", "127.0.0.1:" + std::to_string(server.verify_port())},
      {"127.0.0.1:7071", "127.0.0.1:" + std::to_string(unused_port())},
      {"build/server/keyledger_verify_example", KEYLEDGER_VERIFY_EXAMPLE},
      {"./keyledger-data", data.string()},
      {"build/tools/keyledger", keyledger_tool_path()},
      {"<your new password>", "a password of the README test"},
  };
  std::string script = "set -euo pipefail\ncd '" + scratch.path().string() + "'\n";
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    std::string body = blocks[i].script;
    for (const auto& [from, to] : placeholders) body = replace_all(body, from, to);
    script += "echo '@@ block " + std::to_string(i) + " @@'\n" + body;
  }
  script += "echo '@@ end @@'\n";
  const CommandResult ran = run_command("/bin/bash", {"-c", script});
  INFO("script:\n" << script << "\nstdout:\n" << ran.out << "\nstderr:\n" << ran.err);
  REQUIRE(ran.exit_code == 0);
  REQUIRE(ran.out.find("@@ end @@") != std::string::npos);

  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string start = "@@ block " + std::to_string(i) + " @@";
    const std::string next =
        i + 1 < blocks.size() ? "@@ block " + std::to_string(i + 1) + " @@" : "@@ end @@";
    const std::size_t from = ran.out.find(start) + start.size();
    const std::string output = ran.out.substr(from, ran.out.find(next) - from);
    for (const auto& expected : blocks[i].expected) {
      INFO("README line " << blocks[i].line << ": expected " << expected << "\ngot:\n" << output);
      CHECK(shows(output, expected));
    }
  }
}

TEST_CASE("the README test finds its marks and checks what a block prints",
          "[integration][readme]") {
  const std::string readme =
      "text\n<!-- readme-test -->\n```sh\necho hi\n# → h…i\n```\n"
      "```sh\nnot marked\n```\n<!-- readme-test -->\n\nprose breaks the mark\n```sh\nno\n```\n";
  const auto blocks = marked_blocks(readme);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].script == "echo hi\n# → h…i\n");
  CHECK(blocks[0].expected == std::vector<std::string>{"h…i"});
  CHECK(shows("say hi", "h…i"));
  CHECK(shows("{\"a\":1,\"b\":2}", "{\"a\":…,\"b\":…}"));
  CHECK_FALSE(shows("ih", "h…i"));
  CHECK_FALSE(shows("401", "200"));
}
