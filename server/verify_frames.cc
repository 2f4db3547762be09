#include "server/verify_frames.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger::server {
namespace {

wire::VerifyResponse::Reason wire_reason(VerifyRefusal reason) {
  switch (reason) {
    case VerifyRefusal::kRateLimited:
      return wire::VerifyResponse::Reason::RATE_LIMITED;
    case VerifyRefusal::kBadRequest:
      return wire::VerifyResponse::Reason::BAD_REQUEST;
    case VerifyRefusal::kInvalid:
      break;
  }
  return wire::VerifyResponse::Reason::INVALID;
}

wire::Privilege wire_privilege(Privilege privilege) {
  switch (privilege) {
    case Privilege::kAdmin:
      return wire::Privilege::ADMIN;
    case Privilege::kAuditor:
      return wire::Privilege::AUDITOR;
    case Privilege::kUser:
      break;
  }
  return wire::Privilege::USER;
}

// An answer is a few dozen words: the first segment lives on the stack
// (Cap'n Proto wants it zeroed) and it never reaches the heap.
constexpr std::size_t kAnswerSegmentWords = 64;

}  // namespace

StatusOr<VerifyPortRequestView> decode_verify_request(std::string_view frame,
                                                      std::size_t max_frame_bytes,
                                                      std::vector<capnp::word>& scratch) {
  // The frame sits at an arbitrary offset of the connection's buffer; Cap'n
  // Proto reads aligned words, so copy it out first.
  const std::size_t words = frame.size() / sizeof(capnp::word);
  // Grown by replacement, not resize(): with clang capnp::word cannot be
  // moved, which resize() needs.
  if (scratch.size() < words) scratch = std::vector<capnp::word>(words);
  std::memcpy(scratch.data(), frame.data(), words * sizeof(capnp::word));
  capnp::ReaderOptions options;
  options.traversalLimitInWords = max_frame_bytes / sizeof(capnp::word);
  options.nestingLimit = 4;
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(scratch.data(), words), options);
    auto request = reader.getRoot<wire::VerifyRequest>();
    // Text readers point into `scratch`, which outlives the reader.
    const auto token = request.getToken();
    const auto client_ip = request.getClientIp();
    return VerifyPortRequestView{request.getId(), std::string_view(token.cStr(), token.size()),
                                 std::string_view(client_ip.cStr(), client_ip.size())};
  } catch (const kj::Exception& exception) {
    return Status(StatusCode::kInvalidArgument, "bad_frame", exception.getDescription().cStr());
  }
}

void append_refused_response(std::uint64_t id, VerifyRefusal reason,
                             std::uint32_t retry_after_seconds, std::string& out) {
  capnp::word first_segment[kAnswerSegmentWords] = {};
  capnp::MallocMessageBuilder message(kj::arrayPtr(first_segment, std::size(first_segment)));
  auto response = message.initRoot<wire::VerifyResponse>();
  response.setId(id);
  auto refusal = response.initRefused();
  refusal.setReason(wire_reason(reason));
  refusal.setRetryAfterSeconds(retry_after_seconds);
  append_framed(message, out);
}

void append_verified_response(std::uint64_t id, std::string_view user_id, Privilege privilege,
                              std::string_view key_id, std::string& out) {
  capnp::word first_segment[kAnswerSegmentWords] = {};
  capnp::MallocMessageBuilder message(kj::arrayPtr(first_segment, std::size(first_segment)));
  auto response = message.initRoot<wire::VerifyResponse>();
  response.setId(id);
  auto verified = response.initVerified();
  verified.setUserId(capnp::Text::Reader(user_id.data(), user_id.size()));
  verified.setPrivilege(wire_privilege(privilege));
  verified.setKeyId(capnp::Text::Reader(key_id.data(), key_id.size()));
  append_framed(message, out);
}

}  // namespace keyledger::server
