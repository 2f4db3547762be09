#include "projections/stored_key_loader.h"

#include <algorithm>
#include <utility>

namespace keyledger::projections {

StoredKeyLoader::StoredKeyLoader(LedgerState& state, std::size_t expected_keys) : state_(state) {
  state_.reserve_keys(expected_keys);
}

bool StoredKeyLoader::add(KeyRecord key) {
  if (last_added_ != nullptr && !(last_added_->key_id < key.key_id)) ascending_ = false;
  const KeyRecord* record = state_.add_unlisted_key(std::move(key));
  if (record == nullptr) return false;
  auto owner = owners_.find(record->owner);
  if (owner == owners_.end()) owner = owners_.try_emplace(record->owner, &scratch_).first;
  owner->second.keys.push_back({record->created_seq, record});
  last_added_ = record;
  ++loaded_;
  return true;
}

void StoredKeyLoader::sort_by_key_id() {
  for (auto& [owner, keys] : owners_)
    std::sort(keys.keys.begin(), keys.keys.end(), [](const LoadedKey& a, const LoadedKey& b) {
      return a.record->key_id < b.record->key_id;
    });
  ascending_ = true;
}

bool StoredKeyLoader::match_index_entry(std::string_view owner, std::string_view key_id) {
  if (!ascending_) sort_by_key_id();
  if (current_ == nullptr || owner != current_owner_) {
    auto found = owners_.find(owner);
    if (found == owners_.end()) return false;
    current_owner_ = found->first;  // the map's copy, stable while it lives
    current_ = &found->second;
  }
  OwnerKeys& keys = *current_;
  if (keys.matched == keys.keys.size() || keys.keys[keys.matched].record->key_id != key_id)
    return false;
  ++keys.matched;
  ++matched_;
  return true;
}

void StoredKeyLoader::finish() {
  for (auto& [owner, keys] : owners_) {
    // Ties (impossible in a sound ledger) fall back to key id, so the order
    // never depends on where records happen to sit in memory.
    std::sort(keys.keys.begin(), keys.keys.end(), [](const LoadedKey& a, const LoadedKey& b) {
      if (a.created_seq != b.created_seq) return a.created_seq < b.created_seq;
      return a.record->key_id < b.record->key_id;
    });
    const auto live = static_cast<std::size_t>(std::count_if(
        keys.keys.begin(), keys.keys.end(), [](const LoadedKey& k) { return !k.record->deleted; }));
    if (live == 0) continue;
    std::vector<std::string> key_ids;
    key_ids.reserve(live);  // exactly: a million keys' lists would otherwise carry slack
    for (const LoadedKey& key : keys.keys)
      if (!key.record->deleted) key_ids.push_back(key.record->key_id);
    state_.set_live_key_ids(owner, std::move(key_ids));
  }
  owners_.clear();
  current_ = nullptr;
}

}  // namespace keyledger::projections
