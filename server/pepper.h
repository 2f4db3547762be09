// The pepper: a secret of at least 32 bytes, kept in a file outside the
// database, that keys the stored hashes of API key secrets. Every stored
// hash depends on it, so a ledger is bound to its pepper: with a lost or
// different pepper file every API key would fail verification while the
// server looked healthy. The ledger therefore keeps the pepper's
// fingerprint, and keyledgerd refuses to start with any other pepper.
#pragma once

#include <filesystem>
#include <string>

#include "core/random.h"
#include "core/secret_hasher.h"
#include "core/status.h"
#include "storage/rocks_event_log.h"

namespace keyledger::server {

// Reads the pepper at `path`; if the file does not exist and `may_create`,
// creates it (mode 0600) with fresh random bytes. Refuses a file that is
// readable by group or others, or shorter than 32 bytes.
StatusOr<std::string> load_or_create_pepper(const std::filesystem::path& path, RandomSource& random,
                                            bool may_create = true);

// Names a pepper without revealing it: HMAC-SHA-256, under the pepper, of a
// fixed label that no key id can equal; lowercase hex.
std::string pepper_fingerprint(const SecretHasher& hasher);

// The keyed hash for the ledger `log`, from the pepper at `path`. While the
// ledger holds no event (so no key hash), the file is created if missing
// and the ledger takes its fingerprint. Afterwards the file must exist and
// match the fingerprint the ledger stores; a ledger that stores none (one
// from before the fingerprint was kept) takes this pepper's, as does any
// ledger when `rebind` (recovery from a binding to a wrong pepper). Refusals
// are kFailedPrecondition (pepper_missing, pepper_mismatch, and those of
// load_or_create_pepper) and change nothing.
StatusOr<SecretHasher> open_ledger_pepper(const std::filesystem::path& path,
                                          storage::RocksEventLog& log, RandomSource& random,
                                          bool rebind = false);

}  // namespace keyledger::server
