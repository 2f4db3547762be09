#include "server/verify/verify_frames.h"

#include <capnp/message.h>

#include "core/capnp_decode.h"
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

constexpr DecodeFailure kBadFrame{StatusCode::kInvalidArgument, Reason::kBadFrame,
                                  "verify request"};

// An answer is a few dozen words: the first segment lives on the stack
// (Cap'n Proto wants it zeroed) and it never reaches the heap.
constexpr std::size_t kAnswerSegmentWords = 64;

}  // namespace

StatusOr<VerifyPortRequestView> decode_verify_request(std::string_view frame,
                                                      AlignedCopy& scratch) {
  VerifyPortRequestView view;
  Status decoded = decode_capnp<wire::VerifyRequest>(
      frame, kBadFrame, scratch, [&view](wire::VerifyRequest::Reader request) {
        // Text readers point into the frame or `scratch`, which outlive the
        // reader.
        const auto token = request.getToken();
        const auto client_ip = request.getClientIp();
        view = {request.getId(), std::string_view(token.cStr(), token.size()),
                std::string_view(client_ip.cStr(), client_ip.size())};
        return Status::ok();
      });
  if (!decoded.is_ok()) return decoded;
  return view;
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
