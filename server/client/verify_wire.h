// The client side of the verify protocol, shared by the synchronous and
// asynchronous clients: how a query becomes a frame and how an answer frame
// becomes a VerifyAnswer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/client/verify_client.h"

namespace keyledger::client {

// Answers are small; anything larger means the peer is not keyledgerd.
inline constexpr std::size_t kMaxAnswerBytes = 8 * 1024;

// One framed VerifyRequest; `min_seq` 0 asks for none (and leaves the
// field unset, so the frame is byte for byte what a client older than it
// sends).
std::string encode_verify_request(std::uint64_t id, std::string_view token,
                                  std::string_view client_ip, std::uint64_t min_seq = 0);

// Decodes one complete answer frame, at any alignment, into `answer` (all
// of it replaced). kCorruption ("bad_answer") if it does not decode as a
// VerifyResponse under kCapnpLimits (core/capnp_decode.h), or
// claims a verified key without a user, key id or known privilege; a
// refusal whose reason this client does not know reads as kInvalid.
Status decode_verify_answer(std::string_view frame, VerifyAnswer& answer, std::uint64_t& id);

}  // namespace keyledger::client
