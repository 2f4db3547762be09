#include "projections/stored_projection.h"

#include <algorithm>

#include "projections/record_codec.h"

namespace keyledger::projections {

StatusOr<LedgerState> load_stored_state(const EventLog& log) {
  LedgerState state;
  Status failure = Status::ok();
  KEYLEDGER_RETURN_IF_ERROR(log.read_records(RecordTable::kUsers, [&](auto key, auto value) {
    auto user = decode_user_record(value);
    if (!user.is_ok() || user->user_id != key) {
      failure =
          corruption("projection_corrupt", "stored user '" + std::string(key) + "' is damaged");
      return false;
    }
    state.put_user(std::move(user).value());
    return true;
  }));
  KEYLEDGER_RETURN_IF_ERROR(failure);
  // Keys are inserted in creation order so each owner's list is oldest
  // first, exactly as the fold builds it.
  std::vector<KeyRecord> keys;
  KEYLEDGER_RETURN_IF_ERROR(log.read_records(RecordTable::kKeys, [&](auto key, auto value) {
    auto record = decode_key_record(value);
    if (!record.is_ok() || record->key_id != key) {
      failure =
          corruption("projection_corrupt", "stored key '" + std::string(key) + "' is damaged");
      return false;
    }
    keys.push_back(std::move(record).value());
    return true;
  }));
  KEYLEDGER_RETURN_IF_ERROR(failure);
  std::sort(keys.begin(), keys.end(),
            [](const KeyRecord& a, const KeyRecord& b) { return a.created_seq < b.created_seq; });
  // Sized once: growing a map of a million keys rehashes it again and again.
  state.reserve_keys(keys.size());
  for (auto& key : keys) state.put_key(std::move(key));
  std::vector<KeyRecord>().swap(keys);  // give the moved-from records back now
  // Every index entry must name a stored key of that owner, and there must be
  // one per key. Checked against the loaded keys rather than a set of
  // expected entries, which at a million keys cost as much as the keys.
  std::size_t index_entries = 0;
  bool index_matches = true;
  KEYLEDGER_RETURN_IF_ERROR(log.read_records(RecordTable::kOwnerIndex, [&](auto key, auto) {
    ++index_entries;
    const std::size_t split = key.rfind('\0');
    const KeyRecord* record =
        split == std::string_view::npos ? nullptr : state.find_key(key.substr(split + 1));
    index_matches = record != nullptr && record->owner == key.substr(0, split);
    return index_matches;
  }));
  if (!index_matches || index_entries != state.keys().size())
    return corruption("projection_corrupt", "the owner index disagrees with the stored keys");
  return state;
}

StatusOr<Rebuild> rebuild_from_log(const EventLog& log) {
  Rebuild rebuild;
  auto chain = verify_chain(log, [&](const Event& event) { apply_event(rebuild.state, event); });
  if (!chain.is_ok()) return chain.status();
  rebuild.chain = std::move(chain).value();
  return rebuild;
}

std::vector<RecordChange> records_of(const LedgerState& state) {
  std::vector<RecordChange> out;
  for (const auto& [id, user] : state.users()) append_user_records(user, out);
  for (const auto& [id, key] : state.keys()) append_key_records(key, /*new_key=*/true, out);
  return out;
}

void append_user_records(const UserRecord& user, std::vector<RecordChange>& out) {
  out.push_back({RecordTable::kUsers, user.user_id, encode_user_record(user)});
}

void append_key_records(const KeyRecord& key, bool new_key, std::vector<RecordChange>& out) {
  out.push_back({RecordTable::kKeys, key.key_id, encode_key_record(key)});
  if (new_key)
    out.push_back(
        {RecordTable::kOwnerIndex, owner_index_key(key.owner, key.key_id), std::string()});
}

}  // namespace keyledger::projections
