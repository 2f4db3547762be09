// Stored form of the persisted projection (records.capnp) and the
// owner-index key.
#pragma once

#include <string>
#include <string_view>

#include "core/records.h"
#include "core/status.h"

namespace keyledger::projections {

std::string encode_user_record(const UserRecord& user);
std::string encode_key_record(const KeyRecord& key);
// kCorruption (reason "undecodable_record") for bytes that are not exactly
// one record; read at any alignment, under kCapnpLimits (core/capnp_decode.h).
StatusOr<UserRecord> decode_user_record(std::string_view bytes);
StatusOr<KeyRecord> decode_key_record(std::string_view bytes);

// owner "\0" key id: user ids never hold NUL, so keys sort by owner.
std::string owner_index_key(std::string_view owner, std::string_view key_id);

}  // namespace keyledger::projections
