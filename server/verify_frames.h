// Decoding the verify port's request frames (core/verify_protocol.capnp),
// apart from the socket code so the fuzzer reaches it directly.
#pragma once

#include <capnp/common.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace keyledger::server {

// Decodes one complete frame (see complete_frame_size) with a traversal
// limit of `max_frame_bytes` and a nesting limit of 4. kInvalidArgument
// (reason "bad_frame") for a frame that is not a VerifyRequest. The views
// point into `scratch`, which holds the aligned copy of the frame Cap'n
// Proto reads (a session keeps one, so answering a request allocates
// nothing), and stay valid until `scratch` is next used.
struct VerifyPortRequestView {
  std::uint64_t id = 0;
  std::string_view token;
  std::string_view client_ip;
};
StatusOr<VerifyPortRequestView> decode_verify_request(std::string_view frame,
                                                      std::size_t max_frame_bytes,
                                                      std::vector<capnp::word>& scratch);

}  // namespace keyledger::server
