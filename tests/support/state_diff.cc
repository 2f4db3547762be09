#include "tests/support/state_diff.h"

#include <map>
#include <set>
#include <sstream>

namespace keyledger::testing {
namespace {

constexpr int kMaxReported = 5;

std::string describe(const UserRecord& u) {
  std::ostringstream out;
  out << "{user " << u.user_id << " privilege " << privilege_name(u.privilege) << " disabled "
      << u.disabled << " locked " << u.locked << " created " << u.created_at_ns << " hash "
      << u.password_hash.size() << " bytes must_change_password " << u.must_change_password << "}";
  return out.str();
}

std::string describe(const KeyRecord& k) {
  std::ostringstream out;
  out << "{key " << k.key_id << " owner " << k.owner << " name '" << k.name << "' created "
      << k.created_at_ns << " seq " << k.created_seq << " deleted " << k.deleted << " at "
      << k.deleted_at_ns << " used " << k.last_used_ip << " at " << k.last_used_at_ns << "}";
  return out.str();
}

std::string join(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (const auto& id : ids) out += (out.size() > 1 ? " " : "") + id;
  return out + "]";
}

template <typename Map>
void compare_maps(const Map& a, const Map& b, const std::string& what, const std::string& a_name,
                  const std::string& b_name, std::ostringstream& out, int& reported) {
  for (const auto& [id, record] : a) {
    if (reported >= kMaxReported) return;
    auto it = b.find(id);
    if (it == b.end()) {
      out << what << " " << id << " is in " << a_name << " only: " << describe(record) << "\n";
      ++reported;
    } else if (!(it->second == record)) {
      out << what << " " << id << " differs: " << a_name << " " << describe(record) << " vs "
          << b_name << " " << describe(it->second) << "\n";
      ++reported;
    }
  }
  for (const auto& [id, record] : b) {
    if (reported >= kMaxReported) return;
    if (a.find(id) == a.end()) {
      out << what << " " << id << " is in " << b_name << " only: " << describe(record) << "\n";
      ++reported;
    }
  }
}

std::map<std::string, KeyRecord> keys_of(const projections::LedgerState& state) {
  std::map<std::string, KeyRecord> keys;
  state.for_each_key([&](const KeyRecord& key) { keys.emplace(key.key_id, key); });
  return keys;
}

}  // namespace

std::string state_difference(const projections::LedgerState& a, const projections::LedgerState& b,
                             const std::string& a_name, const std::string& b_name) {
  std::ostringstream out;
  int reported = 0;
  compare_maps(a.users(), b.users(), "user", a_name, b_name, out, reported);
  const auto a_keys = keys_of(a);
  const auto b_keys = keys_of(b);
  compare_maps(a_keys, b_keys, "key", a_name, b_name, out, reported);
  std::set<std::string> owners;
  for (const auto& [id, key] : a_keys) owners.insert(key.owner);
  for (const auto& [id, key] : b_keys) owners.insert(key.owner);
  for (const auto& owner : owners) {
    if (reported >= kMaxReported) break;
    if (a.live_key_ids_of(owner) != b.live_key_ids_of(owner)) {
      out << "keys of " << owner << " differ: " << a_name << " " << join(a.live_key_ids_of(owner))
          << " vs " << b_name << " " << join(b.live_key_ids_of(owner)) << "\n";
      ++reported;
    }
  }
  if (reported == 0 && !(a == b)) out << "the states differ (operator==)\n";
  return out.str();
}

}  // namespace keyledger::testing
