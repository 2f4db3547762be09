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
#include "server/http/json_log.h"
#include "storage/rocks_event_log.h"

namespace keyledger::server {

// Names a pepper without revealing it: HMAC-SHA-256, under the pepper, of a
// fixed label that no key id can equal; lowercase hex.
std::string pepper_fingerprint(const SecretHasher& hasher);

// The keyed hash for the ledger `log`, from the pepper at `path`. While the
// ledger holds no event (so no key hash), the file is created if missing
// and the ledger takes its fingerprint. Afterwards the file must exist and
// match the fingerprint the ledger stores; a ledger that stores none (one
// from before the fingerprint was kept) takes this pepper's, as does any
// ledger when `rebind` (recovery from a binding to a wrong pepper). Refusals
// are kFailedPrecondition and change nothing: pepper_missing,
// pepper_mismatch, pepper_permissions (the file is readable by group or
// others) and pepper_too_short (fewer than 32 bytes); a file that cannot be
// read is kUnavailable. A rebinding that replaces another fingerprint is
// logged as a warning to `daemon_log`.
//
// A follower (`follower`) never creates a pepper, even for an empty ledger:
// the key hashes it will apply were made by the leader with the leader's
// pepper, and a new one would make every key fail while the follower looked
// healthy. Its file must exist (pepper_missing otherwise, saying to copy the
// leader's); its ledger is then bound to it like a leader's. That this is
// the leader's pepper cannot be checked yet: the stream carries no
// fingerprint.
StatusOr<SecretHasher> open_ledger_pepper(const std::filesystem::path& path,
                                          storage::RocksEventLog& log, RandomSource& random,
                                          JsonLog& daemon_log, bool rebind = false,
                                          bool follower = false);

}  // namespace keyledger::server
