// Bytes arriving on the binary verify port, read as the port reads them
// (core/stream_framing.h splits frames, server/verify/verify_frames.h decodes a
// VerifyRequest), and the same bytes read as answers by the client library
// (server/client/verify_wire.h).
#include "core/stream_framing.h"
#include "core/text.h"
#include "core/token.h"
#include "server/client/verify_wire.h"
#include "server/verify/verify_frames.h"
#include "server/verify/verify_port.h"
#include "tests/fuzz/fuzz_target.h"

using keyledger::fuzz::fuzz_check;

namespace {

// The port's refusal for a request decodes, on the client, as a refusal of
// that request with nothing else in it.
void check_refusal_round_trip(std::uint64_t id) {
  std::string frame;
  keyledger::server::append_response(id, keyledger::server::invalid_credentials(), 0, frame);
  keyledger::client::VerifyAnswer answer;
  std::uint64_t decoded_id = 0;
  fuzz_check(keyledger::client::decode_verify_answer(frame, answer, decoded_id).is_ok(),
             "the port's own refusal decodes");
  fuzz_check(decoded_id == id, "a refusal echoes the request's id");
  fuzz_check(!answer.valid() && answer.privilege.empty(), "a refusal carries no privilege");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = keyledger::fuzz::as_text(data, size);
  const keyledger::server::VerifyPortLimits limits;
  keyledger::AlignedWords<16> scratch;  // as a verify port session keeps it
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    auto frame_size = keyledger::complete_frame_size(bytes.substr(offset), limits.max_frame_bytes);
    if (!frame_size.is_ok() || *frame_size == 0) break;
    fuzz_check(*frame_size <= bytes.size() - offset, "a complete frame lies within the buffer");
    fuzz_check(*frame_size <= limits.max_frame_bytes, "a complete frame is within the limit");
    fuzz_check(*frame_size % 8 == 0, "a frame is whole words");
    const std::string_view frame = bytes.substr(offset, *frame_size);
    auto request = keyledger::server::decode_verify_request(frame, scratch);
    if (request.is_ok()) {
      (void)keyledger::is_valid_ip_address(request->client_ip);
      (void)keyledger::parse_token(request->token, keyledger::kDefaultTokenPrefix).is_ok();
      check_refusal_round_trip(request->id);
    }
    keyledger::client::VerifyAnswer answer;
    std::uint64_t id = 0;
    if (keyledger::client::decode_verify_answer(frame, answer, id).is_ok()) {
      fuzz_check(answer.valid() == !answer.privilege.empty(),
                 "a privilege is read from a verified answer, and from nothing else");
      fuzz_check(answer.valid() || (answer.user_id.empty() && answer.key_id.empty()),
                 "a refused answer names no user and no key");
    }
    offset += *frame_size;
  }
  return 0;
}
