// The libFuzzer entry points every target in tests/fuzz defines. The same
// sources link either with libFuzzer (KEYLEDGER_FUZZ builds: fuzz_<target>)
// or with replay_main.cc (every build: fuzz_replay_<target>, which runs the
// committed corpus and regressions as a ctest test).
//
// A target reports a broken invariant by calling fuzz_check(false, ...),
// which aborts: libFuzzer saves the input, the replay test fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional one-time set-up (declared weak so targets may leave it out).
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace keyledger::fuzz {

inline void fuzz_check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace keyledger::fuzz
