// Cap'n Proto reads messages from word-aligned memory, and RocksDB values
// carry no alignment guarantee, so a stored message is copied before it is
// read: into a buffer on the stack when it fits (typical records and events
// do, so loading or replaying a million of them allocates nothing), else
// onto the heap.
#pragma once

#include <capnp/common.h>
#include <kj/array.h>

#include <cstring>
#include <string_view>

namespace keyledger {

template <std::size_t kStackWords>
class AlignedWords {
 public:
  // `bytes` must be a whole number of words. The view is valid until the
  // next copy() or the end of this object.
  kj::ArrayPtr<const capnp::word> copy(std::string_view bytes) {
    const std::size_t count = bytes.size() / sizeof(capnp::word);
    capnp::word* words = stack_;
    if (count > kStackWords) {
      heap_ = kj::heapArray<capnp::word>(count);
      words = heap_.begin();
    }
    std::memcpy(words, bytes.data(), count * sizeof(capnp::word));
    return kj::ArrayPtr<const capnp::word>(words, count);
  }

 private:
  capnp::word stack_[kStackWords];
  kj::Array<capnp::word> heap_;
};

}  // namespace keyledger
