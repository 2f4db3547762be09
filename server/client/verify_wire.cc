#include "server/client/verify_wire.h"

#include <capnp/message.h>

#include "core/capnp_decode.h"
#include "core/privileges.h"
#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger::client {
namespace {

Status bad_answer(std::string message) {
  return corruption(Reason::kBadAnswer, std::move(message));
}

// Empty for `none`, or a privilege this client does not know.
std::string_view privilege_text(wire::Privilege on_wire) {
  const std::optional<Privilege> privilege = privilege_from_wire(on_wire);
  return privilege ? privilege_codes(*privilege).name : std::string_view();
}

Status read_verified(wire::VerifiedKey::Reader verified, VerifyAnswer& answer) {
  const std::string_view privilege = privilege_text(verified.getPrivilege());
  const auto user_id = verified.getUserId();
  const auto key_id = verified.getKeyId();
  if (privilege.empty() || user_id.size() == 0 || key_id.size() == 0)
    return bad_answer("keyledgerd sent a verified key without a user, key id or known privilege");
  answer.user_id.assign(user_id.cStr(), user_id.size());
  answer.privilege = std::string(privilege);
  answer.key_id.assign(key_id.cStr(), key_id.size());
  answer.result = VerifyResult::kOk;  // last: only a complete answer is valid
  return Status::ok();
}

void read_refusal(wire::VerifyResponse::Refused::Reader refusal, VerifyAnswer& answer) {
  switch (refusal.getReason()) {
    case wire::VerifyResponse::Reason::RATE_LIMITED:
      answer.result = VerifyResult::kRateLimited;
      answer.retry_after_seconds = refusal.getRetryAfterSeconds();
      return;
    case wire::VerifyResponse::Reason::BAD_REQUEST:
      answer.result = VerifyResult::kBadRequest;
      return;
    case wire::VerifyResponse::Reason::UNAVAILABLE:
      answer.result = VerifyResult::kUnavailable;
      return;
    case wire::VerifyResponse::Reason::INVALID:
      break;
  }
  answer.result = VerifyResult::kInvalid;  // invalid, or a reason added after this client
}

Status read_response(wire::VerifyResponse::Reader response, VerifyAnswer& answer,
                     std::uint64_t& id) {
  id = response.getId();
  switch (response.which()) {
    case wire::VerifyResponse::REFUSED:
      read_refusal(response.getRefused(), answer);
      return Status::ok();
    case wire::VerifyResponse::VERIFIED:
      return read_verified(response.getVerified(), answer);
  }
  return bad_answer("keyledgerd sent an answer of a kind this client does not know");
}

constexpr DecodeFailure kBadAnswer{StatusCode::kCorruption, Reason::kBadAnswer,
                                   "answer from keyledgerd"};

}  // namespace

std::string encode_verify_request(std::uint64_t id, std::string_view token,
                                  std::string_view client_ip, std::uint64_t min_seq) {
  capnp::MallocMessageBuilder message(32);
  auto request = message.initRoot<wire::VerifyRequest>();
  request.setId(id);
  request.setToken(capnp::Text::Reader(token.data(), token.size()));
  request.setClientIp(capnp::Text::Reader(client_ip.data(), client_ip.size()));
  if (min_seq != 0) request.setMinSeq(min_seq);
  return frame_message(message);
}

Status decode_verify_answer(std::string_view frame, VerifyAnswer& answer, std::uint64_t& id) {
  AlignedWords<64> scratch;  // an answer is about a dozen words
  answer = VerifyAnswer{};
  Status decoded = decode_capnp<wire::VerifyResponse>(
      frame, kBadAnswer, scratch,
      [&](wire::VerifyResponse::Reader response) { return read_response(response, answer, id); });
  if (!decoded.is_ok()) answer = VerifyAnswer{};  // nothing half-read is left behind
  return decoded;
}

}  // namespace keyledger::client
