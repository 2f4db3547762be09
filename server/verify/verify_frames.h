// The verify port's frames (core/verify_protocol.capnp, described in
// docs/VERIFY_PROTOCOL.md): decoding requests and encoding answers, apart
// from the socket code so the fuzzer and the tests reach them directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/aligned_words.h"
#include "core/event.h"
#include "core/status.h"

namespace keyledger::server {

// Decodes one complete frame (see complete_frame_size) under kCapnpLimits
// (core/capnp_decode.h). kInvalidArgument (reason "bad_frame") for a frame
// that is not a VerifyRequest. The views point into `frame` when it is
// word-aligned (a session's frames are), else into `scratch`, which then
// holds the aligned copy Cap'n Proto reads (a session keeps one, so
// answering a request allocates nothing); they stay valid while `frame`
// does and until `scratch` is next used.
struct VerifyPortRequestView {
  std::uint64_t id = 0;
  std::string_view token;
  std::string_view client_ip;
};
StatusOr<VerifyPortRequestView> decode_verify_request(std::string_view frame, AlignedCopy& scratch);

// Why a request was not verified; the wire's Refusal.Reason.
enum class VerifyRefusal { kInvalid, kRateLimited, kBadRequest };

// Append one framed VerifyResponse to `out`. Neither allocates beyond
// growing `out`: the message is built in a first segment on the stack.
void append_refused_response(std::uint64_t id, VerifyRefusal reason,
                             std::uint32_t retry_after_seconds, std::string& out);
void append_verified_response(std::uint64_t id, std::string_view user_id, Privilege privilege,
                              std::string_view key_id, std::string& out);

}  // namespace keyledger::server
