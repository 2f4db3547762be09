#include "core/event_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/events.capnp.h"
#include "tests/core/sample_values.h"

using namespace keyledger;
using keyledger::testing::kSamplePasswordHash;
using keyledger::testing::pattern_hash;

namespace {

// One payload of every type, every field set, with non-ASCII text where
// the field is free text.
std::vector<EventPayload> every_payload() {
  return {
      UserCreated{"alice.smith", Privilege::kAdmin, kSamplePasswordHash, true},
      UserPrivilegeChanged{"bob", Privilege::kAuditor},
      UserDisabled{"carol"},
      UserEnabled{"dave"},
      PasswordChanged{"erin", kSamplePasswordHash + "0", true},
      KeyCreated{"AbCdEfGhIjK1", "alice.smith",
                 "Deploy \xe2\x9c\x93 \xf0\x9f\x94\x91 \xe6\x97\xa5\xe6\x9c\xac caf\xc3\xa9",
                 pattern_hash(42)},
      KeyRenamed{"AbCdEfGhIjK1", "R\xc3\xa9nomm\xc3\xa9 \xf0\x9f\x9a\x80"},
      KeyDeleted{"AbCdEfGhIjK1", "leaked in a log \xe2\x80\x94 rotated"},
      KeyUsed{"AbCdEfGhIjK1", "2001:db8::7", 1'700'000'000'999'000'001},
      UserLocked{"frank", "too_many_failed_sign_ins \xc3\xbc"},
      UserLocked{"frank", "too_many_failed_sign_ins", 1'800'000'000'000},
      UserUnlocked{"frank"},
  };
}

Event make_event(EventPayload payload, std::uint64_t seq = 17) {
  Event event;
  event.seq = seq;
  event.time_ns = 1'700'000'000'123'456'789;
  event.origin = EventOrigin{"alice.smith", "203.0.113.5", "req-\xc3\xbc-0042"};
  event.prev_hash = pattern_hash(static_cast<std::uint8_t>(seq));
  event.payload = std::move(payload);
  return event;
}

std::string outcome(const StatusOr<Event>& decoded) {
  if (decoded.is_ok()) return "ok";
  return std::string(status_code_name(decoded.status().code())) + "/" + decoded.status().reason();
}

constexpr std::string_view kUndecodable = "corruption/undecodable_event";

// Builds a message with Cap'n Proto directly, bypassing encode_event, so
// tests can write what encode_event never would.
std::string encode_raw(const std::function<void(schema::Event::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::Event>();
  fill(root);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

capnp::Data::Reader data_of(const std::vector<std::uint8_t>& bytes) {
  return {bytes.data(), bytes.size()};
}

// A raw event that decodes when `prev_hash_size` is 32.
std::string raw_event_with_prev_hash(std::size_t prev_hash_size) {
  std::vector<std::uint8_t> prev(prev_hash_size, 0xab);
  return encode_raw([&](schema::Event::Builder event) {
    event.setSeq(5);
    event.setTimeNs(1000);
    event.setActor("alice");
    if (prev_hash_size > 0) event.setPrevHash(data_of(prev));
    event.getPayload().initUserDisabled().setUserId("bob");
  });
}

std::string random_bytes(std::mt19937_64& engine, std::size_t size) {
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(engine() >> 56);
  return out;
}

}  // namespace

TEST_CASE("the sample events cover every payload type", "[core][codec]") {
  std::set<std::size_t> covered;
  for (const auto& payload : every_payload()) covered.insert(payload.index());
  CHECK(covered.size() == std::variant_size_v<EventPayload>);
}

TEST_CASE("every payload type survives an encode and decode round trip", "[core][codec]") {
  std::uint64_t seq = 1;
  for (const auto& payload : every_payload()) {
    Event event = make_event(payload, seq++);
    INFO(event_type_name(event.payload));
    std::string bytes = encode_event(event);
    CHECK(bytes.size() % 8 == 0);
    CHECK(bytes.size() <= kMaxEncodedEventBytes);
    auto decoded = decode_event(bytes);
    REQUIRE(decoded.is_ok());
    CHECK(decoded->payload.index() == event.payload.index());
    CHECK(decoded->seq == event.seq);
    CHECK(decoded->time_ns == event.time_ns);
    CHECK(decoded->origin == event.origin);
    CHECK(decoded->prev_hash == event.prev_hash);
    CHECK(decoded->payload == event.payload);
    CHECK(*decoded == event);
    // Re-encoding the decoded event gives the same bytes: the hash chain
    // covers them.
    CHECK(encode_event(*decoded) == bytes);
  }
}

TEST_CASE("every privilege survives a round trip", "[core][codec]") {
  for (Privilege privilege : {Privilege::kUser, Privilege::kAuditor, Privilege::kAdmin}) {
    for (const EventPayload& payload :
         {EventPayload{UserCreated{"alice", privilege, kSamplePasswordHash}},
          EventPayload{UserPrivilegeChanged{"alice", privilege}}}) {
      Event event = make_event(payload);
      auto decoded = decode_event(encode_event(event));
      REQUIRE(decoded.is_ok());
      CHECK(*decoded == event);
    }
  }
}

TEST_CASE("extreme numbers and empty text survive a round trip", "[core][codec]") {
  Event empty;  // all defaults: system actor, zero hash, empty strings
  auto decoded_empty = decode_event(encode_event(empty));
  REQUIRE(decoded_empty.is_ok());
  CHECK(*decoded_empty == empty);

  Event extreme = make_event(KeyUsed{"", "", std::numeric_limits<TimeNs>::min()});
  extreme.seq = std::numeric_limits<std::uint64_t>::max();
  extreme.time_ns = std::numeric_limits<TimeNs>::max();
  extreme.origin = EventOrigin{"", "", ""};
  extreme.prev_hash.fill(0xff);
  auto decoded_extreme = decode_event(encode_event(extreme));
  REQUIRE(decoded_extreme.is_ok());
  CHECK(*decoded_extreme == extreme);

  Event negative = make_event(KeyUsed{"AbCdEfGhIjK1", "::1", -1});
  negative.time_ns = -5;
  auto decoded_negative = decode_event(encode_event(negative));
  REQUIRE(decoded_negative.is_ok());
  CHECK(*decoded_negative == negative);
}

TEST_CASE("encoding the same event twice gives the same bytes", "[core][codec]") {
  for (const auto& payload : every_payload()) {
    Event event = make_event(payload);
    CHECK(encode_event(event) == encode_event(event));
  }
}

TEST_CASE("decode_event accepts bytes that are not word-aligned in memory", "[core][codec]") {
  Event event = make_event(every_payload()[5]);
  std::string bytes = encode_event(event);
  for (std::size_t offset = 1; offset < 8; ++offset) {
    std::string buffer = std::string(offset, 'x') + bytes;
    auto decoded = decode_event(std::string_view(buffer).substr(offset));
    REQUIRE(decoded.is_ok());
    CHECK(*decoded == event);
  }
}

TEST_CASE("decode_event accepts an event of exactly the size limit and rejects one word more",
          "[core][codec]") {
  Event event = make_event(UserUnlocked{"frank"});
  event.origin.request_id.clear();
  const std::size_t base = encode_event(event).size();
  REQUIRE(base < kMaxEncodedEventBytes);
  // Each 8 more bytes of text add one word; find the length that lands on
  // the limit exactly.
  std::string at_limit;
  for (std::size_t length = kMaxEncodedEventBytes - base - 64; length < kMaxEncodedEventBytes;
       ++length) {
    event.origin.request_id.assign(length, 'r');
    std::string bytes = encode_event(event);
    if (bytes.size() == kMaxEncodedEventBytes) {
      at_limit = bytes;
      break;
    }
    REQUIRE(bytes.size() < kMaxEncodedEventBytes);
  }
  REQUIRE(at_limit.size() == kMaxEncodedEventBytes);
  auto decoded = decode_event(at_limit);
  CHECK(outcome(decoded) == "ok");
  if (decoded.is_ok()) CHECK(*decoded == event);

  event.origin.request_id.append(8, 'r');
  std::string over = encode_event(event);
  REQUIRE(over.size() == kMaxEncodedEventBytes + 8);
  CHECK(outcome(decode_event(over)) == kUndecodable);
}

TEST_CASE("decode_event rejects empty bytes", "[core][codec]") {
  auto decoded = decode_event("");
  CHECK(outcome(decoded) == kUndecodable);
}

TEST_CASE("decode_event rejects sizes that are not a multiple of 8", "[core][codec]") {
  std::string bytes = encode_event(make_event(UserDisabled{"carol"}));
  for (std::size_t extra = 1; extra < 8; ++extra) {
    INFO(extra << " extra bytes");
    CHECK(outcome(decode_event(bytes + std::string(extra, '\0'))) == kUndecodable);
    CHECK(outcome(decode_event(bytes.substr(0, bytes.size() - extra))) == kUndecodable);
    CHECK(outcome(decode_event(std::string(extra, '\0'))) == kUndecodable);
  }
}

TEST_CASE("decode_event rejects bytes larger than the limit", "[core][codec]") {
  CHECK(outcome(decode_event(std::string(kMaxEncodedEventBytes + 8, '\0'))) == kUndecodable);
  CHECK(outcome(decode_event(std::string(kMaxEncodedEventBytes * 4, '\0'))) == kUndecodable);
  // A real event padded past the limit.
  std::string bytes = encode_event(make_event(UserDisabled{"carol"}));
  bytes.resize(kMaxEncodedEventBytes + 8, '\0');
  CHECK(outcome(decode_event(bytes)) == kUndecodable);
  // A real event whose text makes it too large.
  Event big = make_event(UserDisabled{"carol"});
  big.origin.request_id.assign(kMaxEncodedEventBytes, 'r');
  CHECK(outcome(decode_event(encode_event(big))) == kUndecodable);
}

TEST_CASE("decode_event returns an error for random garbage", "[core][codec]") {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 engine(seed);
    const std::size_t words = 1 + engine() % 128;
    std::string garbage = random_bytes(engine, words * 8);
    INFO("seed " << seed << ", " << words << " words");
    CHECK(outcome(decode_event(garbage)) == kUndecodable);
  }
}

TEST_CASE("decode_event returns an error for garbage behind a valid segment table",
          "[core][codec]") {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 engine(seed);
    const auto words = static_cast<std::uint32_t>(2 + engine() % 128);
    std::string garbage = random_bytes(engine, words * 8);
    // One segment holding every word after the table.
    const std::uint32_t table[2] = {0, words - 1};
    std::memcpy(garbage.data(), table, sizeof table);
    INFO("seed " << seed << ", " << words << " words");
    CHECK(outcome(decode_event(garbage)) == kUndecodable);
  }
}

TEST_CASE("decode_event never crashes on a valid event with random bytes changed",
          "[core][codec]") {
  const auto payloads = every_payload();
  std::mt19937_64 engine(99);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = encode_event(make_event(payloads[round % payloads.size()]));
    const int changes = 1 + static_cast<int>(engine() % 4);
    for (int i = 0; i < changes; ++i)
      bytes[engine() % bytes.size()] = static_cast<char>(engine() >> 56);
    auto decoded = decode_event(bytes);
    // Changed text still decodes; anything else must be reported, not crash.
    if (!decoded.is_ok()) CHECK(outcome(decoded) == kUndecodable);
  }
}

TEST_CASE("decode_event rejects every word-aligned truncation of a valid encoding",
          "[core][codec]") {
  for (const auto& payload : every_payload()) {
    std::string bytes = encode_event(make_event(payload));
    INFO(event_type_name(payload) << ", " << bytes.size() << " bytes");
    for (std::size_t length = 8; length < bytes.size(); length += 8) {
      INFO("first " << length << " bytes");
      CHECK(outcome(decode_event(bytes.substr(0, length))) == kUndecodable);
    }
  }
}

TEST_CASE("decode_event rejects an encoding followed by extra words", "[core][codec]") {
  std::string bytes = encode_event(make_event(KeyRenamed{"AbCdEfGhIjK1", "name"}));
  REQUIRE(decode_event(bytes).is_ok());
  CHECK(outcome(decode_event(bytes + std::string(8, '\0'))) == kUndecodable);
  CHECK(outcome(decode_event(bytes + std::string(64, '\x5a'))) == kUndecodable);
  // Two events back to back are not one event.
  CHECK(outcome(decode_event(bytes + bytes)) == kUndecodable);
}

TEST_CASE("decode_event rejects a segment table that claims more than is there", "[core][codec]") {
  std::string bytes = encode_event(make_event(UserEnabled{"dave"}));
  std::uint32_t table[2];
  std::memcpy(table, bytes.data(), sizeof table);
  REQUIRE(table[0] == 0);  // one segment

  std::string longer = bytes;
  const std::uint32_t too_many_words[2] = {0, table[1] + 1};
  std::memcpy(longer.data(), too_many_words, sizeof too_many_words);
  CHECK(outcome(decode_event(longer)) == kUndecodable);

  // 1000 segments need a 500-word table alone.
  std::string many_segments = bytes;
  const std::uint32_t many_count[2] = {999, table[1]};
  std::memcpy(many_segments.data(), many_count, sizeof many_count);
  CHECK(outcome(decode_event(many_segments)) == kUndecodable);

  // Two segments, the second one claiming more words than follow.
  std::string two_segments = bytes;
  const std::uint32_t two_count[2] = {1, table[1]};
  std::memcpy(two_segments.data(), two_count, sizeof two_count);
  CHECK(outcome(decode_event(two_segments)) == kUndecodable);
}

TEST_CASE("a message built with Cap'n Proto directly decodes when it is well formed",
          "[core][codec]") {
  // The control for the tests below: the raw builder itself makes events
  // decode_event accepts.
  auto decoded = decode_event(raw_event_with_prev_hash(32));
  REQUIRE(decoded.is_ok());
  CHECK(decoded->seq == 5);
  CHECK(decoded->origin.actor == "alice");
  CHECK(decoded->payload == EventPayload{UserDisabled{"bob"}});
  Hash256 expected;
  expected.fill(0xab);
  CHECK(decoded->prev_hash == expected);
}

TEST_CASE("decode_event rejects a previous hash that is not 32 bytes", "[core][codec]") {
  for (std::size_t size : {0, 1, 31, 33, 64}) {
    INFO("prev hash of " << size << " bytes");
    CHECK(outcome(decode_event(raw_event_with_prev_hash(size))) == kUndecodable);
  }
}

TEST_CASE("decode_event rejects a key secret hash that is not 32 bytes", "[core][codec]") {
  for (std::size_t size : {0, 16, 31, 33}) {
    INFO("secret hash of " << size << " bytes");
    std::vector<std::uint8_t> prev(32, 1), secret(size, 2);
    std::string bytes = encode_raw([&](schema::Event::Builder event) {
      event.setSeq(1);
      event.setPrevHash(data_of(prev));
      auto key = event.getPayload().initKeyCreated();
      key.setKeyId("AbCdEfGhIjK1");
      key.setOwner("alice");
      key.setName("name");
      if (size > 0) key.setSecretHash(data_of(secret));
    });
    CHECK(outcome(decode_event(bytes)) == kUndecodable);
  }
}

TEST_CASE("decode_event rejects a privilege this version does not know", "[core][codec]") {
  std::vector<std::uint8_t> prev(32, 1);
  for (std::uint16_t value : {3, 7, 0xffff}) {
    INFO("privilege " << value);
    auto unknown = static_cast<schema::Privilege>(value);
    std::string created = encode_raw([&](schema::Event::Builder event) {
      event.setPrevHash(data_of(prev));
      auto user = event.getPayload().initUserCreated();
      user.setUserId("alice");
      user.setPrivilege(unknown);
      user.setPasswordHash(kSamplePasswordHash.c_str());
    });
    CHECK(outcome(decode_event(created)) == kUndecodable);
    std::string changed = encode_raw([&](schema::Event::Builder event) {
      event.setPrevHash(data_of(prev));
      auto user = event.getPayload().initUserPrivilegeChanged();
      user.setUserId("alice");
      user.setPrivilege(unknown);
    });
    CHECK(outcome(decode_event(changed)) == kUndecodable);
  }
}

TEST_CASE("decode_event rejects an event type this version does not know", "[core][codec]") {
  // UserDisabled and UserEnabled events with the same user id differ only in
  // the union discriminant; find it and set it to a member no schema has.
  std::string disabled = encode_event(make_event(UserDisabled{"carol"}));
  std::string enabled = encode_event(make_event(UserEnabled{"carol"}));
  REQUIRE(disabled.size() == enabled.size());
  std::vector<std::size_t> differ;
  for (std::size_t i = 0; i < disabled.size(); ++i)
    if (disabled[i] != enabled[i]) differ.push_back(i);
  REQUIRE(differ.size() == 1);
  std::string unknown = disabled;
  unknown[differ[0]] = 0x7f;  // discriminant 127 (little-endian low byte)
  CHECK(outcome(decode_event(unknown)) == kUndecodable);
  unknown[differ[0] + 1] = 0x7f;
  CHECK(outcome(decode_event(unknown)) == kUndecodable);
}
