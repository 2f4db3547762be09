#include "server/verify_frames.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "core/verify_protocol.capnp.h"

namespace keyledger::server {

StatusOr<VerifyPortRequest> decode_verify_request(std::string_view frame,
                                                  std::size_t max_frame_bytes) {
  // The frame sits at an arbitrary offset of the connection's buffer; Cap'n
  // Proto reads aligned words, so copy it out first.
  std::vector<capnp::word> words(frame.size() / sizeof(capnp::word));
  std::memcpy(words.data(), frame.data(), words.size() * sizeof(capnp::word));
  capnp::ReaderOptions options;
  options.traversalLimitInWords = max_frame_bytes / sizeof(capnp::word);
  options.nestingLimit = 4;
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()), options);
    auto request = reader.getRoot<wire::VerifyRequest>();
    VerifyPortRequest decoded;
    decoded.id = request.getId();
    decoded.token.assign(request.getToken().cStr(), request.getToken().size());
    decoded.client_ip.assign(request.getClientIp().cStr(), request.getClientIp().size());
    return decoded;
  } catch (const kj::Exception& exception) {
    return Status(StatusCode::kInvalidArgument, "bad_frame", exception.getDescription().cStr());
  }
}

}  // namespace keyledger::server
