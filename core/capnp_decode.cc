#include "core/capnp_decode.h"

#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <string>

namespace keyledger {
namespace {

bool is_word_aligned(const char* data) {
  return reinterpret_cast<std::uintptr_t>(data) % sizeof(capnp::word) == 0;
}

// The first word of a message starts its segment table with the number of
// segments less one (little-endian, as is x86-64).
std::uint64_t segment_count(kj::ArrayPtr<const capnp::word> words) {
  std::uint32_t count_less_one;
  std::memcpy(&count_less_one, words.begin(), sizeof count_less_one);
  return std::uint64_t{count_less_one} + 1;
}

// "<what> <problem>", e.g. "event size is not a whole number of words".
Status fail(const DecodeFailure& failure, std::string_view problem) {
  std::string message(failure.what);
  message.append(" ").append(problem);
  return Status(failure.code, failure.reason, std::move(message));
}

}  // namespace

Status decode_capnp_message(std::string_view bytes, const CapnpLimits& limits,
                            const DecodeFailure& failure, AlignedCopy& scratch,
                            kj::FunctionParam<Status(capnp::MessageReader&)> read) {
  if (bytes.size() > limits.max_message_bytes)
    return fail(failure, "is larger than the limit of " + std::to_string(limits.max_message_bytes) +
                             " bytes");
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return fail(failure, "size is not a whole number of words");
  const kj::ArrayPtr<const capnp::word> words =
      is_word_aligned(bytes.data())
          ? kj::ArrayPtr<const capnp::word>(reinterpret_cast<const capnp::word*>(bytes.data()),
                                            bytes.size() / sizeof(capnp::word))
          : scratch.copy(bytes);
  if (segment_count(words) > limits.max_segments)
    return fail(failure,
                "has more than the limit of " + std::to_string(limits.max_segments) + " segments");
  capnp::ReaderOptions options;
  options.traversalLimitInWords = limits.traversal_limit_words;
  options.nestingLimit = limits.nesting_limit;
  try {
    capnp::FlatArrayMessageReader reader(words, options);
    if (reader.getEnd() != words.end()) return fail(failure, "is followed by trailing bytes");
    return read(reader);
  } catch (const kj::Exception& exception) {
    return fail(failure, std::string("could not be decoded: ") + exception.getDescription().cStr());
  }
}

}  // namespace keyledger
