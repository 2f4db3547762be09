#include "core/aligned_words.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using keyledger::AlignedWords;

TEST_CASE("AlignedWords copies whole words to aligned memory, on the stack or the heap", "[core]") {
  AlignedWords<4> aligned;
  for (std::size_t words : {0, 1, 4, 5, 64}) {
    std::string bytes(words * sizeof(capnp::word) + 1, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + words);
    // Misaligned on purpose, as a RocksDB value may be.
    const std::string_view unaligned(bytes.data() + 1, words * sizeof(capnp::word));
    const auto view = aligned.copy(unaligned);
    REQUIRE(view.size() == words);
    if (words == 0) continue;
    CHECK(reinterpret_cast<std::uintptr_t>(view.begin()) % alignof(capnp::word) == 0);
    CHECK(std::string_view(reinterpret_cast<const char*>(view.begin()), unaligned.size()) ==
          unaligned);
  }
}
