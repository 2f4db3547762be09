#include "storage/rocks_event_log.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/event_codec.h"

namespace keyledger::storage {
namespace {

constexpr std::string_view kFormat = "keyledger/1";
constexpr std::size_t kWriteBufferPerFamily = 8u << 20;  // see open()
constexpr std::size_t kWriteBufferBudget = 16u << 20;
constexpr std::array<const char*, 5> kFamilyNames = {"events", "users", "keys", "owner_index",
                                                     "meta"};
enum Family { kEvents = 0, kUsers, kKeys, kOwnerIndex, kMeta };

Status from_rocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::ok();
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return corruption(Reason::kStorageCorruption, message);
  if (status.IsIOError() || status.IsBusy() || status.IsTimedOut() || status.IsIncomplete() ||
      status.IsTryAgain() || status.IsAborted())
    return unavailable(Reason::kStorageUnavailable, message);
  if (status.IsInvalidArgument() || status.IsNotSupported())
    return failed_precondition(Reason::kNotAKeyledgerDatabase, message);
  return unavailable(Reason::kStorageUnavailable, message);
}

std::string encode_head(const LogHead& head) {
  std::string out = event_key(head.seq);
  out.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return out;
}

std::optional<LogHead> decode_head(std::string_view bytes) {
  LogHead head;
  if (bytes.size() != 8 + head.hash.size()) return std::nullopt;
  for (int i = 0; i < 8; ++i) head.seq = head.seq << 8 | static_cast<std::uint8_t>(bytes[i]);
  std::memcpy(head.hash.data(), bytes.data() + 8, head.hash.size());
  return head;
}

std::uint64_t decode_seq(std::string_view key) {
  std::uint64_t seq = 0;
  for (char c : key) seq = seq << 8 | static_cast<std::uint8_t>(c);
  return seq;
}

int family_of(RecordTable table) {
  switch (table) {
    case RecordTable::kUsers:
      return kUsers;
    case RecordTable::kKeys:
      return kKeys;
    case RecordTable::kOwnerIndex:
      return kOwnerIndex;
  }
  return kKeys;
}

// RocksDB's own diagnostics go to RocksOptions::diagnostics (or standard
// error) rather than a LOG file in the data folder: a disk that fills up
// must not also take away the record of why (RocksDB's file logger aborts
// on a failed write), and the log never competes with the ledger for the
// last bytes of space. Warnings and worse only; RocksDB's info chatter is
// not for operators.
class DiagnosticsRocksLogger final : public rocksdb::Logger {
 public:
  explicit DiagnosticsRocksLogger(std::function<void(std::string_view)> sink)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), sink_(std::move(sink)) {}
  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    if (sink_)
      sink_(line);
    else
      std::fprintf(stderr, "keyledger storage (rocksdb): %s\n", line);
  }

 private:
  std::function<void(std::string_view)> sink_;
};

bool folder_is_empty(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return true;
  if (!std::filesystem::is_directory(path, error)) return false;
  std::filesystem::directory_iterator first(path, error);
  return !error && first == std::filesystem::directory_iterator();  // unlistable is not empty
}

// Checks, without opening (or locking, or writing anything into) the
// folder, that it holds a RocksDB database with all of our column families.
// A folder with no RocksDB manifest is not a database at all; one whose
// manifest cannot be listed is a damaged database.
Status check_keyledger_families(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error))
    return failed_precondition(Reason::kNotAKeyledgerDatabase, path.string() + " is not a folder");
  bool has_manifest = false;
  for (const auto& entry : std::filesystem::directory_iterator(path, error))
    has_manifest = has_manifest || entry.path().filename().string().rfind("MANIFEST-", 0) == 0;
  if (error)
    return unavailable(Reason::kStorageUnavailable,
                       "cannot list " + path.string() + ": " + error.message());
  // Made only when returned: a Status made and dropped aborts a debug build.
  const auto not_ours = [&path] {
    return failed_precondition(Reason::kNotAKeyledgerDatabase,
                               path.string() + " is not empty and holds no keyledger database");
  };
  if (!has_manifest) return not_ours();
  std::vector<std::string> names;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path.string(), &names);
  if (!listed.ok())
    return corruption(Reason::kStorageCorruption,
                      "the database at " + path.string() + " is damaged: " + listed.ToString());
  for (const char* wanted : kFamilyNames)
    if (std::find(names.begin(), names.end(), wanted) == names.end()) return not_ours();
  return Status::ok();
}

}  // namespace

std::string event_key(std::uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[i] = static_cast<char>(seq & 0xff);
  return key;
}

class RocksEventLog::Impl {
 public:
  ~Impl() {
    if (db) {
      for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
      db->Close().PermitUncheckedError();
      db.reset();
    }
    if (!secondary_path.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(secondary_path, ignored);
    }
  }

  Status open(const std::filesystem::path& db_path, const RocksOptions& rocks_options) {
    options = rocks_options;
    path = db_path;
    const bool fresh = folder_is_empty(path);
    if (fresh && options.mode == OpenMode::kReadOnly)
      return failed_precondition(Reason::kNotAKeyledgerDatabase,
                                 "no keyledger database at " + path.string());
    if (!fresh) KEYLEDGER_RETURN_IF_ERROR(check_keyledger_families(path));
    std::error_code ignored;  // RocksDB reports a folder it cannot create
    if (fresh) std::filesystem::create_directories(path, ignored);
    KEYLEDGER_RETURN_IF_ERROR(open_database(fresh));
    if (fresh) KEYLEDGER_RETURN_IF_ERROR(initialise());
    return load_head(path);
  }

  // The options of the database at `path`, creating it when `fresh`.
  rocksdb::Options database_options(bool fresh) const {
    rocksdb::Options db_options;
    db_options.create_if_missing = fresh;
    db_options.create_missing_column_families = fresh;
    db_options.IncreaseParallelism(2);
    db_options.keep_log_file_num = 4;
    if (options.mode == OpenMode::kReadWrite)
      db_options.info_log = std::make_shared<DiagnosticsRocksLogger>(options.diagnostics);
    // Events are a few hundred bytes and the projection is held in memory
    // anyway: RocksDB's default 64 MiB memtable per family only grows the
    // resident size (the 10-minute soak saw +0.9 KiB per change) and makes
    // recovery from a full disk wait for that much free space. One small
    // budget for all families keeps memory flat; flushing more often costs
    // nothing visible at our write rates.
    db_options.db_write_buffer_size = kWriteBufferBudget;
    return db_options;
  }

  // The default family and keyledger's, each with the small memtable above.
  static std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors() {
    rocksdb::ColumnFamilyOptions family_options;
    family_options.write_buffer_size = kWriteBufferPerFamily;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
    for (const char* name : kFamilyNames) families.emplace_back(name, family_options);
    return families;
  }

  // Opens the database at `path` as options.mode says, filling `db` and
  // `handles`.
  Status open_database(bool fresh) {
    rocksdb::Options db_options = database_options(fresh);
    const std::vector<rocksdb::ColumnFamilyDescriptor> families = family_descriptors();
    std::vector<rocksdb::ColumnFamilyHandle*> opened;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status status;
    if (options.mode == OpenMode::kReadOnly) {
      // A secondary instance follows a live primary (keyledgerd) safely; it
      // keeps its own info log in a private scratch folder.
      std::string scratch =
          (std::filesystem::temp_directory_path() / "keyledger-reader-XXXXXX").string();
      if (mkdtemp(scratch.data()) == nullptr)
        return unavailable(Reason::kStorageUnavailable,
                           "cannot create a scratch folder for reading");
      secondary_path = scratch;
      db_options.max_open_files = -1;  // required by secondary instances
      status = rocksdb::DB::OpenAsSecondary(db_options, path.string(), secondary_path.string(),
                                            families, &opened, &raw);
      if (status.ok()) status = raw->TryCatchUpWithPrimary();
    } else {
      status = rocksdb::DB::Open(db_options, path.string(), families, &opened, &raw);
    }
    if (!status.ok()) {
      if (status.IsInvalidArgument())
        return failed_precondition(
            Reason::kNotAKeyledgerDatabase,
            path.string() + " is not a keyledger database: " + status.ToString());
      return from_rocks(status, "opening " + path.string());
    }
    db.reset(raw);
    handles = opened;
    return Status::ok();
  }

  // Writes a new database's format and empty heads, synced.
  Status initialise() {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    rocksdb::WriteBatch batch;
    batch.Put(meta(), "format", std::string(kFormat)).PermitUncheckedError();
    batch.Put(meta(), "head", encode_head({})).PermitUncheckedError();
    batch.Put(meta(), "projection_head", encode_head({})).PermitUncheckedError();
    return from_rocks(db->Write(write_options, &batch), "initialising");
  }

  Status load_head(const std::filesystem::path& path) {
    std::string format, head_bytes, projection_bytes;
    if (!db->Get({}, meta(), "format", &format).ok() || format != kFormat)
      return failed_precondition(
          Reason::kNotAKeyledgerDatabase,
          path.string() + " is not a keyledger database (format '" + format + "')");
    KEYLEDGER_RETURN_IF_ERROR(read_meta("head", "the stored head", head_bytes));
    KEYLEDGER_RETURN_IF_ERROR(
        read_meta("projection_head", "the stored projection's head", projection_bytes));
    auto stored_head = decode_head(head_bytes);
    auto projection_head = decode_head(projection_bytes);
    if (!stored_head || !projection_head)
      return corruption(Reason::kBadHead, "the stored head is damaged");
    head_ = *stored_head;
    projection_head_ = *projection_head;
    KEYLEDGER_RETURN_IF_ERROR(load_projection_version());
    if (options.skip_head_check) return Status::ok();
    if (!(*projection_head == head_))
      return corruption(Reason::kProjectionMismatch,
                        "the stored projection is at seq " + std::to_string(projection_head->seq) +
                            " but the log head is seq " + std::to_string(head_.seq));
    return check_last_event();
  }

  // One write; a failure leaves RocksDB in its error state, which the next
  // write first tries to leave (recover_after_failed_write).
  Status write(rocksdb::WriteBatch& batch, bool sync, std::string_view what) {
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    const rocksdb::Status written = db->Write(write_options, &batch);
    if (!written.ok()) write_failed = true;
    return from_rocks(written, what);
  }

  // Erases every record of the persisted projection, a batch at a time.
  Status erase_projection() {
    for (RecordTable table : {RecordTable::kUsers, RecordTable::kKeys, RecordTable::kOwnerIndex}) {
      auto* column = family(family_of(table));
      rocksdb::WriteBatch batch;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, column));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        batch.Delete(column, it->key()).PermitUncheckedError();
        if (batch.Count() == kRewriteBatch) {
          KEYLEDGER_RETURN_IF_ERROR(write(batch, false, "erasing the stored projection"));
          batch.Clear();
        }
      }
      KEYLEDGER_RETURN_IF_ERROR(from_rocks(it->status(), "reading the stored projection"));
      it.reset();
      KEYLEDGER_RETURN_IF_ERROR(write(batch, false, "erasing the stored projection"));
    }
    return Status::ok();
  }

  Status put_records(std::span<const RecordChange> records) {
    rocksdb::WriteBatch batch;
    for (const auto& change : records) {
      if (!change.value) continue;
      batch.Put(family(family_of(change.table)), change.key, *change.value).PermitUncheckedError();
      if (batch.Count() == kRewriteBatch) {
        KEYLEDGER_RETURN_IF_ERROR(write(batch, false, "writing the stored projection"));
        batch.Clear();
      }
    }
    return write(batch, false, "writing the stored projection");
  }
  static constexpr std::uint32_t kRewriteBatch = 10'000;

  // meta/projection_version; absent in ledgers from before it was kept,
  // whose projection the first fold wrote.
  Status load_projection_version() {
    std::string text;
    const rocksdb::Status status = db->Get({}, meta(), "projection_version", &text);
    if (status.IsNotFound()) {
      projection_version = 1;
      return Status::ok();
    }
    KEYLEDGER_RETURN_IF_ERROR(from_rocks(status, "reading the projection's version"));
    std::uint32_t version = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (error != std::errc() || end != text.data() + text.size() || version == 0)
      return corruption(Reason::kBadProjectionVersion,
                        "the stored projection's version '" + text + "' is not a number");
    projection_version = version;
    return Status::ok();
  }

  // A missing entry is damage, named as such (RocksDB would say only
  // "NotFound").
  Status read_meta(std::string_view key, std::string_view what, std::string& value) {
    rocksdb::Status status = db->Get({}, meta(), rocksdb::Slice(key.data(), key.size()), &value);
    if (status.IsNotFound()) return corruption(Reason::kBadHead, std::string(what) + " is missing");
    return from_rocks(status, "reading " + std::string(what));
  }

  // The head must name the last stored event, and that event's recomputed
  // chain hash must equal the head hash. (A full chain check is
  // `keyledger verify`; this is the cheap check at every open.)
  Status check_last_event() {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, events()));
    it->SeekToLast();
    KEYLEDGER_RETURN_IF_ERROR(from_rocks(it->status(), "reading the last event"));
    if (!it->Valid()) {
      if (head_.seq != 0)
        return corruption(Reason::kHeadMismatch, "the head names seq " + std::to_string(head_.seq) +
                                                     " but the log is empty");
      return Status::ok();
    }
    const std::uint64_t last_seq = decode_seq(it->key().ToStringView());
    if (last_seq != head_.seq)
      return corruption(Reason::kHeadMismatch, "the head names seq " + std::to_string(head_.seq) +
                                                   " but the last event is seq " +
                                                   std::to_string(last_seq));
    auto event = decode_event(it->value().ToStringView());
    if (!event.is_ok())
      return corruption(Reason::kHeadMismatch,
                        "the last event (seq " + std::to_string(last_seq) + ") does not decode");
    if (chain_hash(event->prev_hash, it->value().ToStringView()) != head_.hash)
      return corruption(Reason::kHeadMismatch, "the last event (seq " + std::to_string(last_seq) +
                                                   ") does not match the head hash");
    return Status::ok();
  }

  // After a failed write RocksDB refuses every write (its background error)
  // until it is resumed. This tries once per append, so the ledger takes
  // writes again, without a restart, as soon as RocksDB can recover (after a
  // full disk its own recovery first waits for room for new memtables;
  // meanwhile Resume answers Busy and the append fails as unavailable).
  Status recover_after_failed_write() {
    if (!write_failed) return Status::ok();
    KEYLEDGER_RETURN_IF_ERROR(from_rocks(db->Resume(), "recovering after a failed write"));
    write_failed = false;
    return Status::ok();
  }

  rocksdb::ColumnFamilyHandle* family(int index) const { return handles[index + 1]; }
  rocksdb::ColumnFamilyHandle* events() const { return family(kEvents); }
  rocksdb::ColumnFamilyHandle* meta() const { return family(kMeta); }

  LogHead head() const {
    std::lock_guard lock(head_mutex_);
    return head_;
  }
  LogHead projection_head() const {
    std::lock_guard lock(head_mutex_);
    return projection_head_;
  }
  // Every append moves both heads together.
  void set_head(const LogHead& head) {
    std::lock_guard lock(head_mutex_);
    head_ = head;
    projection_head_ = head;
  }

  RocksOptions options;
  std::filesystem::path path;
  std::filesystem::path secondary_path;  // scratch folder of a read-only instance
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  bool write_failed = false;             // the writer thread's only
  std::uint32_t projection_version = 1;  // the writer thread's only, after open

 private:
  mutable std::mutex head_mutex_;
  LogHead head_;
  LogHead projection_head_;
};

StatusOr<std::unique_ptr<RocksEventLog>> RocksEventLog::open(const std::filesystem::path& path,
                                                             RocksOptions options) {
  auto impl = std::make_unique<Impl>();
  KEYLEDGER_RETURN_IF_ERROR(impl->open(path, options));
  return std::unique_ptr<RocksEventLog>(new RocksEventLog(std::move(impl)));
}

RocksEventLog::RocksEventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksEventLog::~RocksEventLog() = default;

LogHead RocksEventLog::head() const { return impl_->head(); }

LogHead RocksEventLog::projection_head() const { return impl_->projection_head(); }

Status RocksEventLog::append(std::span<const EncodedEvent> events,
                             std::span<const RecordChange> changes, const LogHead& new_head) {
  if (impl_->options.mode == OpenMode::kReadOnly)
    return failed_precondition(Reason::kReadOnly, "the ledger is open read-only");
  const LogHead current = impl_->head();
  std::uint64_t expected = current.seq;
  for (const auto& event : events)
    if (event.seq != ++expected)
      return internal_error(Reason::kSeqGap, "append does not continue the head");
  if (new_head.seq != expected)
    return internal_error(Reason::kSeqGap, "new head does not match events");
  rocksdb::WriteBatch batch;
  for (const auto& event : events)
    batch.Put(impl_->events(), event_key(event.seq), event.bytes).PermitUncheckedError();
  for (const auto& change : changes) {
    auto* family = impl_->family(family_of(change.table));
    if (change.value)
      batch.Put(family, change.key, *change.value).PermitUncheckedError();
    else
      batch.Delete(family, change.key).PermitUncheckedError();
  }
  const std::string head_bytes = encode_head(new_head);
  batch.Put(impl_->meta(), "head", head_bytes).PermitUncheckedError();
  batch.Put(impl_->meta(), "projection_head", head_bytes).PermitUncheckedError();
  rocksdb::WriteOptions write_options;
  write_options.sync = impl_->options.sync;
  KEYLEDGER_RETURN_IF_ERROR(impl_->recover_after_failed_write());
  const rocksdb::Status written = impl_->db->Write(write_options, &batch);
  if (!written.ok()) {
    impl_->write_failed = true;
    return from_rocks(written, "appending");
  }
  impl_->set_head(new_head);
  return Status::ok();
}

std::uint32_t RocksEventLog::projection_version() const { return impl_->projection_version; }

Status RocksEventLog::replace_projection(std::span<const RecordChange> records,
                                         std::uint32_t version) {
  if (impl_->options.mode == OpenMode::kReadOnly)
    return failed_precondition(Reason::kReadOnly, "the ledger is open read-only");
  KEYLEDGER_RETURN_IF_ERROR(impl_->recover_after_failed_write());
  // In batches, so a large ledger never needs one write as big as itself.
  // Only the last batch stamps the version: a crash before it leaves the
  // old version on a mix of records, which the next start rebuilds again.
  KEYLEDGER_RETURN_IF_ERROR(impl_->erase_projection());
  KEYLEDGER_RETURN_IF_ERROR(impl_->put_records(records));
  rocksdb::WriteBatch batch;
  batch.Put(impl_->meta(), "projection_version", std::to_string(version)).PermitUncheckedError();
  batch.Put(impl_->meta(), "projection_head", encode_head(impl_->head())).PermitUncheckedError();
  KEYLEDGER_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true, "stamping the projection"));
  impl_->set_head(impl_->head());
  impl_->projection_version = version;
  return Status::ok();
}

StatusOr<std::optional<std::string>> RocksEventLog::pepper_check() const {
  std::string value;
  const rocksdb::Status status = impl_->db->Get({}, impl_->meta(), "pepper_check", &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  KEYLEDGER_RETURN_IF_ERROR(from_rocks(status, "reading the pepper's fingerprint"));
  return std::optional<std::string>(std::move(value));
}

Status RocksEventLog::store_pepper_check(std::string_view fingerprint) {
  if (impl_->options.mode == OpenMode::kReadOnly)
    return failed_precondition(Reason::kReadOnly, "the ledger is open read-only");
  rocksdb::WriteOptions write_options;
  write_options.sync = true;  // the binding must outlive a crash like the keys it protects
  return from_rocks(impl_->db->Put(write_options, impl_->meta(), "pepper_check",
                                   rocksdb::Slice(fingerprint.data(), fingerprint.size())),
                    "storing the pepper's fingerprint");
}

Status RocksEventLog::read_events(
    std::uint64_t from_seq,
    const std::function<bool(std::uint64_t, std::string_view)>& visit) const {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // a full scan should not evict the hot set
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read_options, impl_->events()));
  for (it->Seek(event_key(from_seq)); it->Valid(); it->Next()) {
    if (it->key().size() != 8)
      return corruption(Reason::kBadEventKey, "an event key is not 8 bytes");
    if (!visit(decode_seq(it->key().ToStringView()), it->value().ToStringView())) break;
  }
  return from_rocks(it->status(), "reading events");
}

Status RocksEventLog::read_records(
    RecordTable table, const std::function<bool(std::string_view, std::string_view)>& visit) const {
  // A full scan (loading the projection at start-up): its blocks would
  // evict the hot set and, filling the block cache, stay resident (~30 bytes
  // per key at a million keys) although nothing reads them again.
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->family(family_of(table))));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
  return from_rocks(it->status(), "reading records");
}

std::uint64_t RocksEventLog::estimate_record_count(RecordTable table) const {
  std::uint64_t count = 0;
  if (!impl_->db->GetIntProperty(impl_->family(family_of(table)), "rocksdb.estimate-num-keys",
                                 &count))
    return 0;
  return count;
}

std::uint64_t RocksEventLog::approximate_size_bytes() const {
  // Every file of the database: tables, write-ahead log, manifest.
  std::uint64_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->path, error))
    if (entry.is_regular_file(error)) total += entry.file_size(error);
  return total;
}

}  // namespace keyledger::storage
