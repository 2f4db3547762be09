// Stored projection records (projections/record_codec.h): decoding damaged
// bytes never crashes, and a decoded record survives a round trip.
#include "projections/record_codec.h"
#include "tests/fuzz/fuzz_target.h"

using keyledger::fuzz::fuzz_check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = keyledger::fuzz::as_text(data, size);
  namespace p = keyledger::projections;
  if (auto user = p::decode_user_record(bytes); user.is_ok()) {
    auto again = p::decode_user_record(p::encode_user_record(*user));
    fuzz_check(again.is_ok() && *again == *user, "a user record survives a round trip");
  } else {
    fuzz_check(user.status().code() == keyledger::StatusCode::kCorruption,
               "an undecodable user record is kCorruption");
  }
  if (auto key = p::decode_key_record(bytes); key.is_ok()) {
    auto again = p::decode_key_record(p::encode_key_record(*key));
    fuzz_check(again.is_ok() && *again == *key, "a key record survives a round trip");
    (void)p::owner_index_key(key->owner, key->key_id);
  } else {
    fuzz_check(key.status().code() == keyledger::StatusCode::kCorruption,
               "an undecodable key record is kCorruption");
  }
  return 0;
}
