// Whole-file reads and writes for tests (fixtures, damaged files, scans).
#pragma once

#include <filesystem>
#include <string>

namespace keyledger::testing {

// Every byte of `path`; "" if it cannot be read.
std::string read_file(const std::filesystem::path& path);
// Replaces `path` with `bytes`; throws if they cannot all be written.
void write_file(const std::filesystem::path& path, const std::string& bytes);

}  // namespace keyledger::testing
