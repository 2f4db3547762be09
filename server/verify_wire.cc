#include "server/verify_wire.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger::client {
namespace {

std::string_view privilege_text(schema::Privilege privilege) {
  switch (privilege) {
    case schema::Privilege::ADMIN:
      return "admin";
    case schema::Privilege::AUDITOR:
      return "auditor";
    default:
      return "user";
  }
}

VerifyResult result_of(wire::VerifyResponse::Result result) {
  switch (result) {
    case wire::VerifyResponse::Result::OK:
      return VerifyResult::kOk;
    case wire::VerifyResponse::Result::RATE_LIMITED:
      return VerifyResult::kRateLimited;
    case wire::VerifyResponse::Result::BAD_REQUEST:
      return VerifyResult::kBadRequest;
    default:
      return VerifyResult::kInvalid;
  }
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
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
    auto response = reader.getRoot<wire::VerifyResponse>();
    id = response.getId();
    answer.result = result_of(response.getResult());
    answer.user_id = response.getUserId().cStr();
    answer.privilege = answer.valid() ? std::string(privilege_text(response.getPrivilege())) : "";
    answer.key_id = response.getKeyId().cStr();
    return Status::ok();
  } catch (const kj::Exception&) {
    return corruption("bad_answer", "keyledgerd sent an answer that does not decode");
  }
}

}  // namespace keyledger::client
