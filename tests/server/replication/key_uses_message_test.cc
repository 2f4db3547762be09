// The key uses message a follower sends its leader (issue 20): what the
// encoder makes, how it splits a long report, and how the decoder refuses
// anything outside the format and its limits (it never trusts a message).
#include "server/replication/key_uses_message.h"

#include <catch2/catch.hpp>
#include <string>

using namespace keyledger;
using namespace keyledger::replication;

namespace {

// A valid key id (12 base62 characters) numbered `i`.
std::string key_id(std::size_t i) {
  std::string id = "AAAAAAAAAAAA";
  const std::string digits = std::to_string(i);
  id.replace(id.size() - digits.size(), digits.size(), digits);
  return id;
}

KeyUsesReport report_with(std::size_t uses) {
  KeyUsesReport report{"follower-1:8081", 42, {}};
  for (std::size_t i = 0; i < uses; ++i)
    report.uses.push_back(RecordKeyUse{key_id(i), "2001:db8::1", 1'700'000'000'000'000'000 + 1});
  return report;
}

const std::string kHeader = "keyledger-uses 1\nnode f1\napplied 7\n";

}  // namespace

TEST_CASE("a report is encoded and decoded back with its node, applied seq and uses",
          "[replication][key_uses]") {
  KeyUsesReport report{"f1.example:8081", 42, {}};
  report.uses.push_back(RecordKeyUse{"AAAAAAAAAAAA", "10.0.0.1", 1'700'000'000'000'000'001});
  report.uses.push_back(RecordKeyUse{"BBBBBBBBBBBB", "::1", 5});
  const auto messages = encode_key_uses(report);
  REQUIRE(messages.size() == 1);
  auto decoded = decode_key_uses(messages[0]);
  INFO(decoded.status().to_string());
  REQUIRE(decoded.is_ok());
  CHECK(decoded->node == "f1.example:8081");
  CHECK(decoded->applied_seq == 42);
  REQUIRE(decoded->uses.size() == 2);
  CHECK(decoded->uses[0].key_id == "AAAAAAAAAAAA");
  CHECK(decoded->uses[0].client_ip == "10.0.0.1");
  CHECK(decoded->uses[0].used_at_ns == 1'700'000'000'000'000'001);
  CHECK(decoded->uses[1].client_ip == "::1");
}

TEST_CASE("a report without uses is still one message: the leader hears the follower",
          "[replication][key_uses]") {
  const auto messages = encode_key_uses(report_with(0));
  REQUIRE(messages.size() == 1);
  auto decoded = decode_key_uses(messages[0]);
  REQUIRE(decoded.is_ok());
  CHECK(decoded->uses.empty());
  CHECK(decoded->applied_seq == 42);
}

TEST_CASE("a long report is split into messages within the limits, losing no use",
          "[replication][key_uses]") {
  const auto messages = encode_key_uses(report_with(1300));
  CHECK(messages.size() == 3);  // 512 uses a message at most
  std::size_t uses = 0;
  for (const std::string& message : messages) {
    CHECK(message.size() <= kMaxKeyUsesMessageBytes);
    auto decoded = decode_key_uses(message);
    REQUIRE(decoded.is_ok());
    CHECK(decoded->node == "follower-1:8081");
    uses += decoded->uses.size();
  }
  CHECK(uses == 1300);
}

TEST_CASE("uses the format cannot carry are left out of the message", "[replication][key_uses]") {
  KeyUsesReport report{"f1", 1, {}};
  report.uses.push_back(RecordKeyUse{"not a key id", "10.0.0.1", 5});
  report.uses.push_back(RecordKeyUse{"AAAAAAAAAAAA", "10.0.0.1 \nuse", 5});
  report.uses.push_back(RecordKeyUse{"BBBBBBBBBBBB", "10.0.0.2", 5});
  auto decoded = decode_key_uses(encode_key_uses(report).at(0));
  REQUIRE(decoded.is_ok());
  REQUIRE(decoded->uses.size() == 1);
  CHECK(decoded->uses[0].key_id == "BBBBBBBBBBBB");
}

TEST_CASE("the decoder refuses every message outside the format", "[replication][key_uses]") {
  const std::string use = "use AAAAAAAAAAAA 5 10.0.0.1\n";
  const std::string bad[] = {
      "",
      "keyledger-uses 2\nnode f1\napplied 7\n",                     // another version
      "keyledger-uses 1\nnode f1\n",                                // no applied line
      "keyledger-uses 1\nnode f1\napplied -7\n",                    // a sign
      "keyledger-uses 1\nnode f1\napplied 07\n",                    // a leading zero
      "keyledger-uses 1\nnode f1\napplied 99999999999999999999\n",  // too long
      "keyledger-uses 1\nnode f 1\napplied 7\n",                    // a space in the name
      "keyledger-uses 1\nnode \napplied 7\n",                       // an empty name
      "keyledger-uses 1\nnode f\"1\napplied 7\n",                   // a quote in the name
      "keyledger-uses 1\nnode " + std::string(129, 'a') + "\napplied 7\n",
      kHeader + "use AAAAAAAAAAAA 5 10.0.0.1",      // no last newline
      kHeader + "use AAAAAAAAAAAA 5\n",             // no address
      kHeader + "use AAAAAAAAAAAA 0 10.0.0.1\n",    // time zero
      kHeader + "use AAAAAAAAAAAA x 10.0.0.1\n",    // no number
      kHeader + "use AAAAAAAAAAA! 5 10.0.0.1\n",    // no key id
      kHeader + "use AAAAAAAAAAAA 5 10.0.0.256\n",  // no address
      kHeader + "use AAAAAAAAAAAA 5 10.0.0.1 x\n",  // a field too many
      kHeader + "uses AAAAAAAAAAAA 5 10.0.0.1\n",   // no use line
      kHeader + use + use,                          // a key twice
      kHeader + "\n",                               // an empty line
      std::string("keyledger-uses 1\nnode f1\napplied 7\0\n", 36),
  };
  for (const std::string& message : bad) {
    INFO(message);
    auto decoded = decode_key_uses(message);
    CHECK_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("the decoder refuses more uses or bytes than one message may hold",
          "[replication][key_uses]") {
  std::string many = kHeader;
  for (std::size_t i = 0; i <= kMaxUsesPerMessage; ++i)
    many += "use " + key_id(i) + " 5 10.0.0.1\n";
  CHECK_FALSE(decode_key_uses(many).is_ok());
  std::string big = kHeader + std::string(kMaxKeyUsesMessageBytes, 'u');
  CHECK_FALSE(decode_key_uses(big).is_ok());
}

TEST_CASE("a node name is 1 to 128 letters, digits and . _ : -", "[replication][key_uses]") {
  CHECK(check_node_name("follower-1.eu_west:8081").is_ok());
  CHECK(check_node_name(std::string(128, 'a')).is_ok());
  for (const std::string& bad : {std::string(), std::string(129, 'a'), std::string("a b"),
                                 std::string("a/b"), std::string("é"), std::string("a\"b")}) {
    INFO(bad);
    CHECK(check_node_name(bad).reason() == std::string("bad_flag"));
  }
}
