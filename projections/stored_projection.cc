#include "projections/stored_projection.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/batch_channel.h"
#include "projections/record_codec.h"
#include "projections/stored_key_loader.h"

namespace keyledger::projections {
namespace {

Status damaged(std::string_view what, std::string_view key) {
  return corruption(Reason::kProjectionCorrupt,
                    "stored " + std::string(what) + " '" + std::string(key) + "' is damaged");
}

Status load_users(const EventLog& log, LedgerState& state) {
  Status failure = Status::ok();
  KEYLEDGER_RETURN_IF_ERROR(log.read_records(RecordTable::kUsers, [&](auto key, auto value) {
    auto user = decode_user_record(value);
    if (!user.is_ok() || user->user_id != key) {
      failure = damaged("user", key);
      return false;
    }
    state.put_user(std::move(user).value());
    return true;
  }));
  return failure;
}

// The key table is sized from the owner index's count: index entries are
// written once per key and never changed, so RocksDB's estimate for them is
// close, while the keys table's counts every not yet compacted update (each
// flushed key use rewrites a record). Capped at the head seq (every key
// took an event) so that a wild estimate cannot reserve wildly.
std::size_t expected_keys(const EventLog& log) {
  return static_cast<std::size_t>(
      std::min(log.estimate_record_count(RecordTable::kOwnerIndex), log.head().seq));
}

// Decoded key records handed from the reading thread to the loading one.
struct KeyBatch {
  std::vector<KeyRecord> records;
  std::optional<std::string> damaged_key;  // the record the reader stopped at
};

constexpr std::size_t kBatchKeys = 512;

// Two stages on two cores: a reader thread iterates the keys table and
// decodes each record while this thread adds them to the state (hashing
// into a table of a million keys costs about as much as reading and
// decoding them).
Status load_keys(const EventLog& log, StoredKeyLoader& keys) {
  BatchChannel<KeyBatch> channel;
  Status read_status;
  std::thread reader([&] {
    KeyBatch batch;
    read_status = log.read_records(RecordTable::kKeys, [&](auto key, auto value) {
      auto record = decode_key_record(value);
      if (!record.is_ok() || record->key_id != key) {
        batch.damaged_key = std::string(key);
        return false;
      }
      batch.records.push_back(std::move(record).value());
      if (batch.records.size() < kBatchKeys) return true;
      return channel.push(std::exchange(batch, KeyBatch{}));
    });
    if (!batch.records.empty() || batch.damaged_key) channel.push(std::move(batch));
    channel.close();
  });
  Status failure = Status::ok();
  while (failure.is_ok()) {
    auto batch = channel.pop();
    if (!batch) break;
    for (const KeyRecord& record : batch->records) {
      if (!keys.add(record)) {
        failure = damaged("key", record.key_id);
        break;
      }
    }
    if (failure.is_ok() && batch->damaged_key) failure = damaged("key", *batch->damaged_key);
  }
  channel.cancel();
  reader.join();
  KEYLEDGER_RETURN_IF_ERROR(read_status);
  return failure;
}

// Every index entry must name a stored key of that owner, and there must be
// one per key.
Status check_owner_index(const EventLog& log, StoredKeyLoader& keys) {
  bool index_matches = true;
  KEYLEDGER_RETURN_IF_ERROR(log.read_records(RecordTable::kOwnerIndex, [&](auto key, auto) {
    const std::size_t split = key.rfind('\0');
    index_matches = split != std::string_view::npos &&
                    keys.match_index_entry(key.substr(0, split), key.substr(split + 1));
    return index_matches;
  }));
  if (!index_matches || !keys.index_complete())
    return corruption(Reason::kProjectionCorrupt, "the owner index disagrees with the stored keys");
  return Status::ok();
}

}  // namespace

StatusOr<LedgerState> load_stored_state(const EventLog& log) {
  LedgerState state;
  KEYLEDGER_RETURN_IF_ERROR(load_users(log, state));
  StoredKeyLoader keys(state, expected_keys(log));
  KEYLEDGER_RETURN_IF_ERROR(load_keys(log, keys));
  KEYLEDGER_RETURN_IF_ERROR(check_owner_index(log, keys));
  keys.finish();
  return state;
}

StatusOr<Rebuild> rebuild_from_log(const EventLog& log) {
  Rebuild rebuild;
  auto chain = verify_chain(log, [&](const Event& event) { apply_event(rebuild.state, event); });
  if (!chain.is_ok()) return chain.status();
  rebuild.chain = std::move(chain).value();
  return rebuild;
}

StatusOr<ProjectionUpgrade> upgrade_stored_projection(EventLog& log) {
  ProjectionUpgrade upgrade{log.projection_version(), 0};
  if (upgrade.from_version == kProjectionVersion) return upgrade;
  if (upgrade.from_version > kProjectionVersion)
    return failed_precondition(
        Reason::kProjectionTooNew,
        "the stored projection was written by a newer keyledger (projection version " +
            std::to_string(upgrade.from_version) + ", this build knows up to " +
            std::to_string(kProjectionVersion) + "); run that version or newer");
  auto rebuilt = rebuild_from_log(log);
  if (!rebuilt.is_ok()) return rebuilt.status();
  if (!rebuilt->chain.ok())
    return corruption(Reason::kChainBroken, "cannot rebuild the stored projection: event " +
                                                std::to_string(rebuilt->chain.problem->seq) + ": " +
                                                rebuilt->chain.problem->description);
  if (!(rebuilt->chain.head == log.head()))
    return corruption(Reason::kHeadMismatch, "the log's head is not the last event's chain hash");
  upgrade.events = rebuilt->chain.events;
  KEYLEDGER_RETURN_IF_ERROR(log.replace_projection(records_of(rebuilt->state), kProjectionVersion));
  return upgrade;
}

std::vector<RecordChange> records_of(const LedgerState& state) {
  std::vector<RecordChange> out;
  for (const auto& [id, user] : state.users()) append_user_records(user, out);
  state.for_each_key([&](const KeyRecord& key) { append_key_records(key, /*new_key=*/true, out); });
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
