// docs/VERIFY_PROTOCOL.md is right: its schema is the schema, and the bytes
// of its worked example (made with Debian's `capnp encode`) are what the
// port and the client library read and write.
#include <capnp/common.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/token.h"
#include "server/client/verify_wire.h"
#include "server/verify/verify_frames.h"
#include "tests/support/files.h"

using namespace keyledger;

namespace {

const std::filesystem::path kSourceDir = KEYLEDGER_SOURCE_DIR;
constexpr const char* kExampleToken =
    "kl_AbCdEf123456_ThisIsADocumentationExampleNotARealSecret0000kxGGp";

std::string page() { return testing::read_file(kSourceDir / "docs/VERIFY_PROTOCOL.md"); }

// The lines of the fenced block that follows `marker`.
std::vector<std::string> block_after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  std::istringstream lines(text.substr(at + marker.size()));
  std::vector<std::string> block;
  std::string line;
  std::getline(lines, line);  // the rest of the marker's line
  std::getline(lines, line);
  REQUIRE(line.starts_with("```"));
  while (std::getline(lines, line) && !line.starts_with("```")) block.push_back(line);
  return block;
}

// The bytes of an example table: each row is "offset  8 hex bytes  meaning",
// and each offset must be where the row's bytes are.
std::string example_bytes(const std::string& name) {
  const auto rows = block_after(page(), "<!-- verify-protocol-example: " + name + " -->");
  REQUIRE(rows.size() > 1);
  REQUIRE(rows[0].starts_with("offset"));
  std::string bytes;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO(rows[i]);
    std::istringstream fields(rows[i]);
    std::string offset;
    fields >> offset;
    CHECK(std::stoul(offset, nullptr, 16) == bytes.size());
    for (int b = 0; b < 8; ++b) {
      std::string hex;
      fields >> hex;
      REQUIRE(hex.size() == 2);
      bytes.push_back(static_cast<char>(std::stoul(hex, nullptr, 16)));
    }
  }
  return bytes;
}

}  // namespace

TEST_CASE("the protocol page shows the schema as it is", "[server][verify-wire][docs]") {
  const auto block = block_after(page(), "<!-- verify-protocol-schema: begin -->");
  std::string shown;
  for (const auto& line : block) shown += line + "\n";
  CHECK(shown == testing::read_file(kSourceDir / "core/verify_protocol.capnp"));
  CHECK(testing::read_file(kSourceDir / "README.md").find("docs/VERIFY_PROTOCOL.md") !=
        std::string::npos);
}

TEST_CASE("the page's example request is what the client sends and the port reads",
          "[server][verify-wire][docs]") {
  const std::string frame = example_bytes("request");
  CHECK(parse_token(kExampleToken, kDefaultTokenPrefix).is_ok());
  AlignedWords<16> scratch;
  auto request = server::decode_verify_request(frame, scratch);
  REQUIRE(request.is_ok());
  CHECK(request->id == 1);
  CHECK(request->token == kExampleToken);
  CHECK(request->client_ip == "203.0.113.9");
  CHECK(request->min_seq == 1234);
  CHECK(client::encode_verify_request(1, kExampleToken, "203.0.113.9", 1234) == frame);
}

TEST_CASE("the port reads the page's request from a client older than minSeq, byte for byte",
          "[server][verify-wire][docs]") {
  const std::string frame = example_bytes("request-before-min-seq");
  AlignedWords<16> scratch;
  auto request = server::decode_verify_request(frame, scratch);
  REQUIRE(request.is_ok());
  CHECK(request->id == 1);
  CHECK(request->token == kExampleToken);
  CHECK(request->client_ip == "203.0.113.9");
  CHECK(request->min_seq == 0);
}

TEST_CASE("the page's example answers are what the port sends and the client reads",
          "[server][verify-wire][docs]") {
  SECTION("verified") {
    const std::string frame = example_bytes("verified");
    client::VerifyAnswer answer;
    std::uint64_t id = 0;
    REQUIRE(client::decode_verify_answer(frame, answer, id).is_ok());
    CHECK(id == 1);
    CHECK(answer.valid());
    CHECK(answer.user_id == "alice");
    CHECK(answer.privilege == "admin");
    CHECK(answer.key_id == "AbCdEf123456");
    std::string encoded;
    server::append_response(1, server::VerifiedKey{"alice", Privilege::kAdmin, "AbCdEf123456"}, 0,
                            encoded);
    CHECK(encoded == frame);
  }
  SECTION("refused, rate limited") {
    const std::string frame = example_bytes("refused");
    client::VerifyAnswer answer;
    std::uint64_t id = 0;
    REQUIRE(client::decode_verify_answer(frame, answer, id).is_ok());
    CHECK(id == 2);
    CHECK(answer.result == client::VerifyResult::kRateLimited);
    CHECK(answer.retry_after_seconds == 42);
    CHECK(answer.privilege.empty());
    std::string encoded;
    server::append_response(2, server::rate_limited(), 42, encoded);
    CHECK(encoded == frame);
  }
}
