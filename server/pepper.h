// The pepper: a 32-byte secret, kept in a file outside the database, that
// keys the stored hashes of API key secrets.
#pragma once

#include <filesystem>
#include <string>

#include "core/random.h"
#include "core/status.h"

namespace keyledger::server {

// Reads the pepper at `path`; if the file does not exist, creates it (mode
// 0600) with fresh random bytes. Refuses a file that is readable by group
// or others, or shorter than 32 bytes.
StatusOr<std::string> load_or_create_pepper(const std::filesystem::path& path,
                                            RandomSource& random);

}  // namespace keyledger::server
