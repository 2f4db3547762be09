#include "projections/stored_key_loader.h"

#include <algorithm>
#include <utility>

namespace keyledger::projections {

StoredKeyLoader::StoredKeyLoader(LedgerState& state, std::size_t expected_keys) : state_(state) {
  state_.reserve_keys(expected_keys);
}

std::string_view StoredKeyLoader::key_id(const LoadedKey& key) const {
  return state_.key_table().key_id(key.position);
}

bool StoredKeyLoader::add(const KeyRecord& key) {
  const KeyTable& table = state_.key_table();
  if (last_added_ && !(table.key_id(*last_added_) < key.key_id)) ascending_ = false;
  const auto position = state_.add_unlisted_key(key);
  if (!position) return false;
  const KeyTable::OwnerIndex owner = table.owner(*position);
  while (owners_.size() <= owner) owners_.emplace_back(&scratch_);
  owners_[owner].keys.push_back({key.created_seq, *position});
  last_added_ = position;
  ++loaded_;
  return true;
}

void StoredKeyLoader::sort_by_key_id() {
  for (auto& owner : owners_)
    std::sort(owner.keys.begin(), owner.keys.end(),
              [this](const LoadedKey& a, const LoadedKey& b) { return key_id(a) < key_id(b); });
  ascending_ = true;
}

bool StoredKeyLoader::match_index_entry(std::string_view owner, std::string_view key_id) {
  if (!ascending_) sort_by_key_id();
  if (!current_ || owner != current_owner_) {
    const auto index = state_.key_table().find_owner(owner);
    if (!index || *index >= owners_.size()) return false;
    current_owner_ = owner;
    current_ = *index;
  }
  OwnerKeys& keys = owners_[*current_];
  if (keys.matched == keys.keys.size() || this->key_id(keys.keys[keys.matched]) != key_id)
    return false;
  ++keys.matched;
  ++matched_;
  return true;
}

void StoredKeyLoader::finish() {
  const KeyTable& table = state_.key_table();
  for (std::size_t owner = 0; owner < owners_.size(); ++owner) {
    auto& keys = owners_[owner].keys;
    // Ties (impossible in a sound ledger) fall back to key id, so the order
    // never depends on where records happen to sit in the table.
    std::sort(keys.begin(), keys.end(), [this](const LoadedKey& a, const LoadedKey& b) {
      if (a.created_seq != b.created_seq) return a.created_seq < b.created_seq;
      return key_id(a) < key_id(b);
    });
    std::vector<KeyTable::Position> live;
    // Sized exactly: a million keys' lists would otherwise carry slack.
    live.reserve(static_cast<std::size_t>(std::count_if(
        keys.begin(), keys.end(), [&](const LoadedKey& k) { return !table.deleted(k.position); })));
    for (const LoadedKey& key : keys)
      if (!table.deleted(key.position)) live.push_back(key.position);
    if (!live.empty())
      state_.set_live_keys(static_cast<KeyTable::OwnerIndex>(owner), std::move(live));
  }
  owners_.clear();
  current_.reset();
}

}  // namespace keyledger::projections
