#include "core/capnp_decode.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace keyledger {
namespace {

constexpr DecodeFailure kFailure{StatusCode::kCorruption, Reason::kUndecodableRecord, "thing"};

std::string to_bytes(capnp::MessageBuilder& message) {
  const kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  const auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// A root struct whose one pointer holds `data_bytes` bytes of Data, in one
// segment. Cap'n Proto counts 3 + ceil(data_bytes / 8) words against the
// traversal limit when DataReader reads it: 3 for the pointers it follows,
// and the data.
std::string message_with_data(std::size_t data_bytes) {
  capnp::MallocMessageBuilder message(data_bytes / sizeof(capnp::word) + 8,
                                      capnp::AllocationStrategy::FIXED_SIZE);
  auto root = message.initRoot<capnp::AnyPointer>().initAsAnyStruct(0, 1);
  auto data = root.getPointerSection()[0].initAs<capnp::Data>(data_bytes);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<capnp::byte>(i * 7 + 1);
  return to_bytes(message);
}

std::string data_of(capnp::MessageReader& message) {
  const auto data = message.getRoot<capnp::AnyStruct>().getPointerSection()[0].getAs<capnp::Data>();
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

// Reads the Data of message_with_data, and keeps where it lay.
struct DataReader {
  std::string data;
  const char* where = nullptr;
  Status operator()(capnp::MessageReader& message) {
    const auto blob =
        message.getRoot<capnp::AnyStruct>().getPointerSection()[0].getAs<capnp::Data>();
    where = reinterpret_cast<const char*>(blob.begin());
    data.assign(where, blob.size());
    return Status::ok();
  }
};

// `depth` structs, each the one pointer of the one before (the root is the
// first).
std::string nested_structs(int depth) {
  capnp::MallocMessageBuilder message;
  auto level = message.initRoot<capnp::AnyPointer>().initAsAnyStruct(0, 1);
  for (int i = 1; i < depth; ++i) level = level.getPointerSection()[0].initAsAnyStruct(0, 1);
  return to_bytes(message);
}

// Follows the chain of nested_structs to its end.
Status read_every_level(capnp::MessageReader& message) {
  auto level = message.getRoot<capnp::AnyStruct>();
  while (!level.getPointerSection()[0].isNull())
    level = level.getPointerSection()[0].getAs<capnp::AnyStruct>();
  return Status::ok();
}

// A message of `segments` segments: each segment holds one word, so the
// root pointer fills the first, the root struct (segments - 2 pointers) the
// second, and each Data of one word (with its landing pad) one more.
std::string message_of_segments(unsigned segments) {
  capnp::MallocMessageBuilder message(1, capnp::AllocationStrategy::FIXED_SIZE);
  auto root = message.initRoot<capnp::AnyPointer>().initAsAnyStruct(0, segments - 2);
  for (unsigned i = 0; i + 2 < segments; ++i)
    root.getPointerSection()[i].initAs<capnp::Data>(sizeof(capnp::word));
  REQUIRE(message.getSegmentsForOutput().size() == segments);
  return to_bytes(message);
}

// `bytes` copied to an address that is `offset` bytes past a word boundary.
struct Placed {
  std::vector<capnp::word> storage;
  std::string_view bytes;
  Placed(std::string_view message, std::size_t offset)
      : storage(message.size() / sizeof(capnp::word) + 2) {
    char* start = reinterpret_cast<char*>(storage.data()) + offset;
    std::memcpy(start, message.data(), message.size());
    bytes = std::string_view(start, message.size());
  }
  bool contains(const char* p) const {
    return p >= bytes.data() && p < bytes.data() + bytes.size();
  }
};

Status decode(std::string_view bytes, const CapnpLimits& limits = kCapnpLimits) {
  AlignedWords<8> scratch;
  DataReader reader;
  return decode_capnp_message(bytes, limits, kFailure, scratch, reader);
}

void check_failed(const Status& status, std::string_view why) {
  INFO(status.to_string());
  CHECK(status.code() == kFailure.code);
  CHECK(status.is(kFailure.reason));
  CHECK(status.message().rfind("thing ", 0) == 0);
  CHECK(status.message().find(why) != std::string::npos);
}

}  // namespace

TEST_CASE("a message that reads one word more than the traversal limit does not decode",
          "[core][capnp-decode]") {
  CapnpLimits limits = kCapnpLimits;
  limits.traversal_limit_words = 64;
  // 3 words of pointers and 61 of data read: exactly the limit.
  CHECK(decode(message_with_data(61 * 8), limits).is_ok());
  check_failed(decode(message_with_data(62 * 8), limits), "traversal limit");
}

TEST_CASE("the largest message the limits admit is read whole, but not read twice over",
          "[core][capnp-decode]") {
  // 1 word of segment table, 2 of pointers, and data up to the byte limit.
  const std::string largest = message_with_data(kCapnpLimits.max_message_bytes - 3 * 8);
  REQUIRE(largest.size() == kCapnpLimits.max_message_bytes);
  AlignedWords<8> scratch;
  DataReader reader;
  REQUIRE(decode_capnp_message(largest, kCapnpLimits, kFailure, scratch, reader).is_ok());
  CHECK(reader.data.size() == kCapnpLimits.max_message_bytes - 3 * 8);
  // Pointers that share their target make a reader read words again: the
  // traversal limit counts every read, so an amplified read stops.
  bool second_read_finished = false;
  const Status twice = decode_capnp_message(largest, kCapnpLimits, kFailure, scratch,
                                            [&](capnp::MessageReader& message) {
                                              (void)data_of(message);
                                              (void)data_of(message);
                                              second_read_finished = true;
                                              return Status::ok();
                                            });
  check_failed(twice, "traversal limit");
  CHECK_FALSE(second_read_finished);
}

TEST_CASE("structs nested deeper than the nesting limit do not decode", "[core][capnp-decode]") {
  AlignedWords<8> scratch;
  const auto nested = [&](int depth) {
    return decode_capnp_message(nested_structs(depth), kCapnpLimits, kFailure, scratch,
                                read_every_level);
  };
  CHECK(nested(kCapnpLimits.nesting_limit).is_ok());
  check_failed(nested(kCapnpLimits.nesting_limit + 1), "too deeply-nested");
}

TEST_CASE("a message of more segments than the limit does not decode", "[core][capnp-decode]") {
  CHECK(decode(message_of_segments(kCapnpLimits.max_segments)).is_ok());
  check_failed(decode(message_of_segments(kCapnpLimits.max_segments + 1)),
               "has more than the limit of 16 segments");
  // A segment table that claims billions of segments is refused before
  // anything reads it.
  check_failed(decode(std::string("\xff\xff\xff\x7f\x00\x00\x00\x00", 8) + std::string(32, 'x')),
               "has more than the limit of 16 segments");
}

TEST_CASE("a message larger than the byte limit does not decode", "[core][capnp-decode]") {
  const std::string over = message_with_data(kCapnpLimits.max_message_bytes - 2 * 8);
  REQUIRE(over.size() == kCapnpLimits.max_message_bytes + 8);
  check_failed(decode(over), "is larger than the limit of 65536 bytes");
  check_failed(decode(std::string(4 * kCapnpLimits.max_message_bytes, '\0')),
               "is larger than the limit of 65536 bytes");
}

TEST_CASE("bytes after the message, or a message cut short, do not decode",
          "[core][capnp-decode]") {
  const std::string message = message_with_data(40);
  REQUIRE(decode(message).is_ok());
  check_failed(decode(message + std::string(8, '\0')), "is followed by trailing bytes");
  check_failed(decode(message + message), "is followed by trailing bytes");
  check_failed(decode(message.substr(0, message.size() - 8)), "could not be decoded: ");
}

TEST_CASE("empty bytes, or bytes that are not whole words, do not decode", "[core][capnp-decode]") {
  check_failed(decode(""), "size is not a whole number of words");
  check_failed(decode("garbage"), "size is not a whole number of words");
  check_failed(decode(message_with_data(40) + "x"), "size is not a whole number of words");
}

TEST_CASE("a message at any alignment reads the same; only a misaligned one is copied",
          "[core][capnp-decode]") {
  const std::string message = message_with_data(200);  // more than the scratch holds inline
  std::string expected;
  for (std::size_t i = 0; i < 200; ++i) expected.push_back(static_cast<char>(i * 7 + 1));
  AlignedWords<4> scratch;
  for (std::size_t offset = 0; offset < sizeof(capnp::word); ++offset) {
    INFO("offset " << offset);
    const Placed placed(message, offset);
    REQUIRE(reinterpret_cast<std::uintptr_t>(placed.bytes.data()) % sizeof(capnp::word) == offset);
    DataReader reader;
    REQUIRE(decode_capnp_message(placed.bytes, kCapnpLimits, kFailure, scratch, reader).is_ok());
    CHECK(reader.data == expected);
    // Read in place when aligned, from the scratch copy when not.
    CHECK(placed.contains(reader.where) == (offset == 0));
  }
}

TEST_CASE("a bad pointer met while reading fields is an error, not an exception",
          "[core][capnp-decode]") {
  // One segment of two words: the root pointer, to a struct of no data and
  // one pointer, which points to a list far outside the segment.
  const std::uint32_t words[] = {0,
                                 2,  // segment table: one segment, two words long
                                 0,
                                 0x00010000,  // root: a struct at offset 0, 0 data words, 1 pointer
                                 (1000u << 2) | 1,
                                 66};  // a list of 8 bytes 1,000 words further on
  const std::string_view bytes(reinterpret_cast<const char*>(words), sizeof words);
  AlignedWords<8> scratch;
  bool root_read = false;
  bool field_read = false;
  Status decoded = Status::ok();
  REQUIRE_NOTHROW(decoded = decode_capnp_message(
                      bytes, kCapnpLimits, kFailure, scratch, [&](capnp::MessageReader& message) {
                        auto root = message.getRoot<capnp::AnyStruct>();
                        root_read = true;
                        (void)root.getPointerSection()[0].getAs<capnp::Data>();
                        field_read = true;
                        return Status::ok();
                      }));
  check_failed(decoded, "could not be decoded: ");
  CHECK(root_read);
  CHECK_FALSE(field_read);
}

TEST_CASE("a status the reader returns comes back as it is", "[core][capnp-decode]") {
  AlignedWords<8> scratch;
  const Status decoded = decode_capnp_message(
      message_with_data(8), kCapnpLimits, kFailure, scratch, [](capnp::MessageReader&) {
        return Status(StatusCode::kNotFound, Reason::kUserNotFound, "what the reader said",
                      "field");
      });
  CHECK(decoded.code() == StatusCode::kNotFound);
  CHECK(decoded.reason() == "user_not_found");
  CHECK(decoded.message() == "what the reader said");
  CHECK(decoded.field() == "field");
}

TEST_CASE("decode_capnp hands the reader the message's root as a typed reader",
          "[core][capnp-decode]") {
  AlignedWords<8> scratch;
  std::size_t pointers = 0;
  const Status decoded = decode_capnp<capnp::AnyStruct>(
      message_with_data(16), kFailure, scratch, [&](capnp::AnyStruct::Reader root) {
        pointers = root.getPointerSection().size();
        return Status::ok();
      });
  REQUIRE(decoded.is_ok());
  CHECK(pointers == 1);
}

}  // namespace keyledger
