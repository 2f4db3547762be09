// The verify port's frames (core/verify_protocol.capnp, described in
// docs/VERIFY_PROTOCOL.md): decoding requests and encoding answers, apart
// from the socket code so the fuzzer and the tests reach them directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/aligned_words.h"
#include "core/status.h"
#include "server/verify/credential_verifier.h"

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
  std::uint64_t min_seq = 0;  // 0: none (and what a client older than the field sends)
};
StatusOr<VerifyPortRequestView> decode_verify_request(std::string_view frame, AlignedCopy& scratch);

// Appends the framed VerifyResponse to request `id` to `out`: the key
// `verified`, or the refusal its Status says: kResourceExhausted (the
// verifier's rate limit) is rateLimited with `retry_after_seconds`,
// kInvalidArgument (a clientIp that is no address, see bad_client_ip()) is
// badRequest, kUnavailable (seq_not_reached) is unavailable, and any other
// failure is invalid. The one place a
// verification becomes a wire answer. Allocates nothing beyond growing
// `out`: the message is built in a first segment on the stack.
void append_response(std::uint64_t id, const StatusOr<VerifiedKey>& verified,
                     std::int64_t retry_after_seconds, std::string& out);

// kInvalidArgument (reason invalid_ip): a trusted peer named a client
// address that is not one. Answered badRequest.
Status bad_client_ip();

}  // namespace keyledger::server
