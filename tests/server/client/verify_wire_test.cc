// The verify protocol's answers (core/verify_protocol.capnp) as the port
// encodes them (server/verify/verify_frames.h) and the client library decodes
// them (server/client/verify_wire.h): a refusal carries no privilege, however it
// is read, and an answer the client cannot trust is an error, not a key.
#include "server/client/verify_wire.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"
#include "server/verify/verify_frames.h"

using namespace keyledger;
using keyledger::client::VerifyAnswer;
using keyledger::client::VerifyResult;

namespace {

struct Decoded {
  Status status;
  VerifyAnswer answer;
  std::uint64_t id = 0;
};

Decoded decode(const std::string& frame) {
  Decoded decoded;
  decoded.status = client::decode_verify_answer(frame, decoded.answer, decoded.id);
  return decoded;
}

// The words of a frame (without its segment table: these answers have one
// segment), for reading them as a careless client in another language would.
std::vector<capnp::word> words_of(const std::string& frame) {
  std::vector<capnp::word> words(frame.size() / sizeof(capnp::word));
  std::memcpy(words.data(), frame.data(), frame.size());
  return words;
}

// The port's answer to request 7 refused for `why`.
std::string refused(const Status& why, std::int64_t retry_after = 0) {
  std::string frame;
  server::append_response(7, why, retry_after, frame);
  return frame;
}

}  // namespace

TEST_CASE("a verified answer decodes to its user, privilege and key", "[server][verify-wire]") {
  for (auto [privilege, text] :
       {std::pair{Privilege::kUser, "user"}, std::pair{Privilege::kAuditor, "auditor"},
        std::pair{Privilege::kAdmin, "admin"}}) {
    std::string frame;
    server::append_response(42, server::VerifiedKey{"alice", privilege, "AbCdEf123456"}, 0, frame);
    const Decoded decoded = decode(frame);
    REQUIRE(decoded.status.is_ok());
    CHECK(decoded.id == 42);
    CHECK(decoded.answer.valid());
    CHECK(decoded.answer.user_id == "alice");
    CHECK(decoded.answer.privilege == text);
    CHECK(decoded.answer.key_id == "AbCdEf123456");
    CHECK(decoded.answer.retry_after_seconds == 0);
  }
}

TEST_CASE("every refusal decodes with its reason and no user, privilege or key",
          "[server][verify-wire]") {
  const std::pair<Status, VerifyResult> cases[] = {
      {server::invalid_credentials(), VerifyResult::kInvalid},
      {server::rate_limited(), VerifyResult::kRateLimited},
      {server::bad_client_ip(), VerifyResult::kBadRequest},
      {server::seq_not_reached(12, 10), VerifyResult::kUnavailable},
      {server::stale_replica(), VerifyResult::kUnavailable}};
  for (const auto& [why, result] : cases) {
    const Decoded decoded = decode(refused(why, 42));
    REQUIRE(decoded.status.is_ok());
    CHECK(decoded.id == 7);
    CHECK(decoded.answer.result == result);
    CHECK_FALSE(decoded.answer.valid());
    CHECK(decoded.answer.user_id.empty());
    CHECK(decoded.answer.privilege.empty());
    CHECK(decoded.answer.key_id.empty());
    CHECK(decoded.answer.retry_after_seconds == (result == VerifyResult::kRateLimited ? 42u : 0u));
  }
}

TEST_CASE("a reader that ignores the union finds no privilege in any refusal",
          "[server][verify-wire]") {
  // What broke: the old schema's `privilege` sat beside `result`, and an
  // enum reads as its first value, `user`, when unset.
  for (const Status& why :
       {server::invalid_credentials(), server::rate_limited(), server::bad_client_ip(),
        server::seq_not_reached(12, 10), server::stale_replica()}) {
    const std::string frame = refused(why, 60);
    std::vector<capnp::word> words = words_of(frame);
    const kj::ArrayPtr<const capnp::word> segment(words.data() + 1,
                                                  words.size() - 1);  // past the table
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&segment, 1));
    // The response's only pointer is `verified`'s: a refusal leaves it
    // null, so reading it as a VerifiedKey gives the defaults.
    auto pointers = reader.getRoot<capnp::AnyStruct>().getPointerSection();
    REQUIRE(pointers.size() == 1);
    CHECK(pointers[0].isNull());
    const auto careless = pointers[0].getAs<wire::VerifiedKey>();
    CHECK(careless.getPrivilege() == wire::Privilege::NONE);
    CHECK(careless.getUserId().size() == 0);
    CHECK(careless.getKeyId().size() == 0);
  }
}

TEST_CASE("a response with nothing set reads as refused, reason invalid", "[server][verify-wire]") {
  capnp::MallocMessageBuilder message;
  message.initRoot<wire::VerifyResponse>().setId(3);
  const Decoded decoded = decode(frame_message(message));
  REQUIRE(decoded.status.is_ok());
  CHECK(decoded.id == 3);
  CHECK(decoded.answer.result == VerifyResult::kInvalid);
  CHECK(decoded.answer.privilege.empty());
}

TEST_CASE("a verified answer without a privilege, user or key id is a bad answer, not a key",
          "[server][verify-wire]") {
  auto verified = [](const char* user, wire::Privilege privilege, const char* key) {
    capnp::MallocMessageBuilder message;
    auto key_builder = message.initRoot<wire::VerifyResponse>().initVerified();
    key_builder.setUserId(user);
    key_builder.setPrivilege(privilege);
    key_builder.setKeyId(key);
    return frame_message(message);
  };
  const std::string cases[] = {
      verified("alice", wire::Privilege::NONE, "AbCdEf123456"),
      verified("alice", static_cast<wire::Privilege>(77), "AbCdEf123456"),  // unknown to us
      verified("", wire::Privilege::ADMIN, "AbCdEf123456"),
      verified("alice", wire::Privilege::ADMIN, ""),
  };
  for (const std::string& frame : cases) {
    const Decoded decoded = decode(frame);
    CHECK(decoded.status.code() == StatusCode::kCorruption);
    CHECK(decoded.status.reason() == "bad_answer");
    CHECK_FALSE(decoded.answer.valid());
    CHECK(decoded.answer.privilege.empty());
  }
}

TEST_CASE("a refusal for a reason this client does not know reads as invalid",
          "[server][verify-wire]") {
  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<wire::VerifyResponse>();
  response.initRefused().setReason(static_cast<wire::VerifyResponse::Reason>(9));
  const Decoded decoded = decode(frame_message(message));
  REQUIRE(decoded.status.is_ok());
  CHECK(decoded.answer.result == VerifyResult::kInvalid);
}

TEST_CASE("an answer that is not a VerifyResponse is a bad answer and leaves nothing behind",
          "[server][verify-wire]") {
  std::string garbage = std::string("\0\0\0\0\x01\0\0\0", 8) + std::string(8, '\xff');
  Decoded decoded;
  decoded.answer.result = VerifyResult::kOk;  // left over from an earlier answer
  decoded.answer.privilege = "admin";
  decoded.status = client::decode_verify_answer(garbage, decoded.answer, decoded.id);
  CHECK(decoded.status.code() == StatusCode::kCorruption);
  CHECK_FALSE(decoded.answer.valid());
  CHECK(decoded.answer.privilege.empty());
}

TEST_CASE("answers appended to one buffer are whole frames one after the other",
          "[server][verify-wire]") {
  // As a verify-port session answers a pipelined batch.
  std::string out;
  server::append_response(1, server::VerifiedKey{"alice", Privilege::kUser, "AbCdEf123456"}, 0,
                          out);
  const std::size_t first = out.size();
  server::append_response(2, server::invalid_credentials(), 0, out);
  auto size = complete_frame_size(out, 8192);
  REQUIRE(size.is_ok());
  CHECK(*size == first);
  const Decoded verified = decode(out.substr(0, first));
  CHECK(verified.status.is_ok());
  CHECK(verified.answer.valid());
  const Decoded refused = decode(out.substr(first));
  CHECK(refused.status.is_ok());
  CHECK(refused.id == 2);
}
