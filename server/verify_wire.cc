#include "server/verify_wire.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger::client {
namespace {

Status bad_answer(std::string message) { return corruption("bad_answer", std::move(message)); }

std::string_view privilege_text(wire::Privilege privilege) {
  switch (privilege) {
    case wire::Privilege::USER:
      return "user";
    case wire::Privilege::AUDITOR:
      return "auditor";
    case wire::Privilege::ADMIN:
      return "admin";
    case wire::Privilege::NONE:
      break;
  }
  return {};  // none, or one this client does not know
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
    case wire::VerifyResponse::Reason::INVALID:
      break;
  }
  answer.result = VerifyResult::kInvalid;  // invalid, or a reason added after this client
}

}  // namespace

std::string encode_verify_request(std::uint64_t id, std::string_view token,
                                  std::string_view client_ip) {
  capnp::MallocMessageBuilder message(32);
  auto request = message.initRoot<wire::VerifyRequest>();
  request.setId(id);
  request.setToken(capnp::Text::Reader(token.data(), token.size()));
  request.setClientIp(capnp::Text::Reader(client_ip.data(), client_ip.size()));
  return frame_message(message);
}

Status decode_verify_answer(std::string_view frame, VerifyAnswer& answer, std::uint64_t& id) {
  // The frame sits at an arbitrary offset of a byte buffer; Cap'n Proto
  // reads aligned words, so copy it out first.
  std::vector<capnp::word> words(frame.size() / sizeof(capnp::word));
  std::memcpy(words.data(), frame.data(), words.size() * sizeof(capnp::word));
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kMaxAnswerBytes / sizeof(capnp::word);
  options.nestingLimit = 4;
  answer = VerifyAnswer{};
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()), options);
    auto response = reader.getRoot<wire::VerifyResponse>();
    id = response.getId();
    switch (response.which()) {
      case wire::VerifyResponse::REFUSED:
        read_refusal(response.getRefused(), answer);
        return Status::ok();
      case wire::VerifyResponse::VERIFIED:
        return read_verified(response.getVerified(), answer);
    }
    return bad_answer("keyledgerd sent an answer of a kind this client does not know");
  } catch (const kj::Exception&) {
    answer = VerifyAnswer{};
    return bad_answer("keyledgerd sent an answer that does not decode");
  }
}

}  // namespace keyledger::client
