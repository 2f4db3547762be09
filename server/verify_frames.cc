#include "server/verify_frames.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "core/verify_protocol.capnp.h"

namespace keyledger::server {

StatusOr<VerifyPortRequestView> decode_verify_request(std::string_view frame,
                                                      std::size_t max_frame_bytes,
                                                      std::vector<capnp::word>& scratch) {
  // The frame sits at an arbitrary offset of the connection's buffer; Cap'n
  // Proto reads aligned words, so copy it out first.
  const std::size_t words = frame.size() / sizeof(capnp::word);
  // Grown by replacement, not resize(): with clang capnp::word cannot be
  // moved, which resize() needs.
  if (scratch.size() < words) scratch = std::vector<capnp::word>(words);
  std::memcpy(scratch.data(), frame.data(), words * sizeof(capnp::word));
  capnp::ReaderOptions options;
  options.traversalLimitInWords = max_frame_bytes / sizeof(capnp::word);
  options.nestingLimit = 4;
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(scratch.data(), words), options);
    auto request = reader.getRoot<wire::VerifyRequest>();
    // Text readers point into `scratch`, which outlives the reader.
    const auto token = request.getToken();
    const auto client_ip = request.getClientIp();
    return VerifyPortRequestView{request.getId(), std::string_view(token.cStr(), token.size()),
                                 std::string_view(client_ip.cStr(), client_ip.size())};
  } catch (const kj::Exception& exception) {
    return Status(StatusCode::kInvalidArgument, "bad_frame", exception.getDescription().cStr());
  }
}

}  // namespace keyledger::server
