// Cap'n Proto reads messages from word-aligned memory, and bytes from
// RocksDB or a socket buffer carry no alignment guarantee, so a message
// that is not aligned is copied before it is read (decode_capnp_message in
// core/capnp_decode.h decides when). The copy goes into room its owner
// keeps: a buffer inside the object when the message fits (on the stack
// for a local AlignedWords, so loading or replaying a million typical
// records and events allocates nothing), else the heap, which is kept for
// the next copy, so a long-lived owner (a verify-port session) allocates
// only for a message larger than any before.
#pragma once

#include <capnp/common.h>
#include <kj/array.h>

#include <cstddef>
#include <cstring>
#include <string_view>

namespace keyledger {

// The room itself, whatever its inline size: what decoders take.
class AlignedCopy {
 public:
  AlignedCopy(const AlignedCopy&) = delete;
  AlignedCopy& operator=(const AlignedCopy&) = delete;

  // `bytes` must be a whole number of words. The view is valid until the
  // next copy() or the end of this object.
  kj::ArrayPtr<const capnp::word> copy(std::string_view bytes) {
    const std::size_t count = bytes.size() / sizeof(capnp::word);
    capnp::word* words = inline_words_;
    if (count > inline_count_) {
      if (heap_.size() < count) heap_ = kj::heapArray<capnp::word>(count);
      words = heap_.begin();
    }
    std::memcpy(words, bytes.data(), count * sizeof(capnp::word));
    return kj::ArrayPtr<const capnp::word>(words, count);
  }

 protected:
  AlignedCopy(capnp::word* inline_words, std::size_t inline_count)
      : inline_words_(inline_words), inline_count_(inline_count) {}
  ~AlignedCopy() = default;

 private:
  capnp::word* const inline_words_;
  const std::size_t inline_count_;
  kj::Array<capnp::word> heap_;
};

// AlignedCopy with room for kInlineWords words inside the object.
template <std::size_t kInlineWords>
class AlignedWords final : public AlignedCopy {
 public:
  AlignedWords() : AlignedCopy(inline_, kInlineWords) {}

 private:
  capnp::word inline_[kInlineWords];
};

}  // namespace keyledger
