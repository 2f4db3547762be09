#include "server/verify/verify_frames.h"

#include <capnp/message.h>

#include "core/capnp_decode.h"
#include "core/privileges.h"
#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger::server {
namespace {

// The refusal reason for a verification that failed with `error`, as
// append_response() describes.
wire::VerifyResponse::Reason refusal_reason(const Status& error) {
  switch (error.code()) {
    case StatusCode::kResourceExhausted:
      return wire::VerifyResponse::Reason::RATE_LIMITED;
    case StatusCode::kInvalidArgument:
      return wire::VerifyResponse::Reason::BAD_REQUEST;
    case StatusCode::kUnavailable:
      return wire::VerifyResponse::Reason::UNAVAILABLE;
    default:
      return wire::VerifyResponse::Reason::INVALID;
  }
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
                std::string_view(client_ip.cStr(), client_ip.size()), request.getMinSeq()};
        return Status::ok();
      });
  if (!decoded.is_ok()) return decoded;
  return view;
}

void append_response(std::uint64_t id, const StatusOr<VerifiedKey>& verified,
                     std::int64_t retry_after_seconds, std::string& out) {
  capnp::word first_segment[kAnswerSegmentWords] = {};
  capnp::MallocMessageBuilder message(kj::arrayPtr(first_segment, std::size(first_segment)));
  auto response = message.initRoot<wire::VerifyResponse>();
  response.setId(id);
  if (verified.is_ok()) {
    auto key = response.initVerified();
    key.setUserId(capnp::Text::Reader(verified->user_id.data(), verified->user_id.size()));
    key.setPrivilege(privilege_codes(verified->privilege).on_wire);
    key.setKeyId(capnp::Text::Reader(verified->key_id.data(), verified->key_id.size()));
  } else {
    auto refusal = response.initRefused();
    const auto reason = refusal_reason(verified.status());
    refusal.setReason(reason);
    if (reason == wire::VerifyResponse::Reason::RATE_LIMITED)
      refusal.setRetryAfterSeconds(static_cast<std::uint32_t>(retry_after_seconds));
  }
  append_framed(message, out);
}

Status bad_client_ip() {
  return invalid_argument(Reason::kInvalidIp, "clientIp is not an IP address");
}

}  // namespace keyledger::server
