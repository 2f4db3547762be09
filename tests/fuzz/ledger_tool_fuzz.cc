// `keyledger` reading a damaged database. A small real ledger is written
// once through the real write path; each input is a list of mutations
// (puts, deletes, flipped bytes, truncations) applied with raw RocksDB to a
// fresh copy of it, then the tool's verify, audit and replay run in-process
// (tools/cli.h) against the copy.
//
// Beyond "never crashes", verify must notice every change that matters: it
// exits 0 exactly when the events, the heads, the format marker and the
// decoded projection records are all as written.
#include <rocksdb/db.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "projections/live_projection.h"
#include "projections/record_codec.h"
#include "projections/stored_projection.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"
#include "tests/fuzz/fuzz_target.h"
#include "tools/cli.h"

namespace {

namespace fs = std::filesystem;
using keyledger::fuzz::fuzz_check;

constexpr const char* kFamilies[] = {"events", "users", "keys", "owner_index", "meta"};
constexpr std::size_t kFamilyCount = std::size(kFamilies);
constexpr std::size_t kMaxMutations = 16;

using Table = std::map<std::string, std::string>;
using Snapshot = std::array<Table, kFamilyCount>;

struct Ledger {
  fs::path root;      // removed at exit
  fs::path pristine;  // the ledger as written
  fs::path work;      // the damaged copy of this input
  Snapshot written;   // every family of the pristine ledger
};

Ledger* ledger = nullptr;

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ledger_tool fuzz set-up: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Users, keys, renames, a delete, a use, a lock: every record kind and most
// event kinds, in 12 events.
void write_history(const fs::path& path) {
  using namespace keyledger;
  auto log = storage::RocksEventLog::open(path);
  if (!log.is_ok()) die("open", log.status().to_string());
  // Stamped as keyledgerd does, so verify compares the records it writes.
  auto upgraded = projections::upgrade_stored_projection(**log);
  if (!upgraded.is_ok()) die("upgrade", upgraded.status().to_string());
  auto projection = projections::LiveProjection::load(**log);
  if (!projection.is_ok()) die("load", projection.status().to_string());
  ManualClock clock;
  SeededRandom random(7);
  PasswordHasher hasher(random, ScryptCost{10, 8, 1});
  auto hash = hasher.hash("correct horse battery");
  if (!hash.is_ok()) die("hash", hash.status().to_string());
  {
    writer::GroupCommitWriter writer(**log, **projection, clock);
    const EventOrigin origin{"admin", "127.0.0.1", "fuzz"};
    std::vector<Command> commands = {
        CreateUser{"admin", Privilege::kAdmin, *hash},
        CreateUser{"alice", Privilege::kUser, *hash},
        CreateUser{"bob", Privilege::kAuditor, *hash},
        CreateKey{"AAAAAAAAAAA1", "alice", "ci deploy", Hash256{1}},
        CreateKey{"AAAAAAAAAAA2", "alice", "laptop", Hash256{2}},
        CreateKey{"AAAAAAAAAAA3", "bob", "reports", Hash256{3}},
        RenameKey{"AAAAAAAAAAA1", "alice", "ci deploy (prod)"},
        RecordKeyUse{"AAAAAAAAAAA2", "10.0.0.7", clock.now_ns()},
        DeleteKey{"AAAAAAAAAAA2", "alice", "rotated"},
        LockUser{"bob", "too many failures"},
        UnlockUser{"bob"},
        ChangePrivilege{"bob", Privilege::kUser},
    };
    for (auto& command : commands) {
      clock.advance(1'000'000'000);
      auto done = writer.execute(std::move(command), origin);
      if (!done.is_ok()) die("history", done.status().to_string());
    }
  }
}

// Raw access to a closed ledger with all its families.
struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // kFamilies order, then default

  explicit RawDb(const fs::path& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : kFamilies) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    rocksdb::DBOptions options;
    options.create_if_missing = false;
    rocksdb::DB* raw = nullptr;
    auto status = rocksdb::DB::Open(options, path.string(), families, &handles, &raw);
    if (!status.ok()) die("raw open", status.ToString());
    db.reset(raw);
  }
  ~RawDb() {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db->Close().PermitUncheckedError();
  }

  Snapshot snapshot() const {
    Snapshot out;
    for (std::size_t f = 0; f < kFamilyCount; ++f) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, handles[f]));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        out[f].emplace(it->key().ToString(), it->value().ToString());
    }
    return out;
  }
};

// Reads the input as mutations:
//   [op] [selector] ...
//   op % 4: 0 put, 1 delete, 2 flip one byte of a value, 3 truncate a value
//   (op / 4) % 5: the family
//   selector < 0xc0: the existing key at selector % count, else a new key
//   of (selector - 0xc0) % 16 bytes read from the input.
//   put: [length] and that many value bytes; flip: [position] [xor mask];
//   truncate: [new length].
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool more() const { return at_ < size_; }
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::string bytes(std::size_t n) {
    n = std::min(n, size_ - at_);
    std::string out(reinterpret_cast<const char*>(data_ + at_), n);
    at_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

void mutate(RawDb& raw, const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  rocksdb::WriteOptions options;
  for (std::size_t n = 0; n < kMaxMutations && in.more(); ++n) {
    const std::uint8_t op = in.byte();
    const std::size_t family = (op / 4) % kFamilyCount;
    const Table& existing = ledger->written[family];
    const std::uint8_t selector = in.byte();
    std::string key;
    if (selector < 0xc0 && !existing.empty()) {
      auto it = existing.begin();
      std::advance(it, selector % existing.size());
      key = it->first;
    } else {
      key = in.bytes((selector - 0xc0u) % 16);
    }
    auto* handle = raw.handles[family];
    std::string value;
    const bool found = raw.db->Get({}, handle, key, &value).ok();
    switch (op % 4) {
      case 0:
        value = in.bytes(in.byte());
        raw.db->Put(options, handle, key, value).PermitUncheckedError();
        break;
      case 1:
        raw.db->Delete(options, handle, key).PermitUncheckedError();
        break;
      case 2:
        if (found && !value.empty()) {
          const std::size_t position = in.byte() % value.size();
          value[position] = static_cast<char>(value[position] ^ (in.byte() | 1));
          raw.db->Put(options, handle, key, value).PermitUncheckedError();
        }
        break;
      case 3:
        if (found) {
          value.resize(std::min<std::size_t>(value.size(), in.byte()));
          raw.db->Put(options, handle, key, value).PermitUncheckedError();
        }
        break;
    }
  }
}

// Projection records compare by what they decode to: another encoding of
// the same record is no damage.
template <typename Decode>
bool same_records(const Table& before, const Table& after, Decode decode) {
  if (before.size() != after.size()) return false;
  for (auto a = before.begin(), b = after.begin(); a != before.end(); ++a, ++b) {
    if (a->first != b->first) return false;
    auto old_record = decode(a->second);
    auto new_record = decode(b->second);
    if (!new_record.is_ok() || !(*old_record == *new_record)) return false;
  }
  return true;
}

bool keys_equal(const Table& a, const Table& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](const auto& x, const auto& y) { return x.first == y.first; });
}

// True when something verify must notice was changed.
bool damaged(const Snapshot& now) {
  namespace p = keyledger::projections;
  const Snapshot& was = ledger->written;
  if (now[0] != was[0]) return true;
  if (!same_records(was[1], now[1], p::decode_user_record)) return true;
  if (!same_records(was[2], now[2], p::decode_key_record)) return true;
  if (!keys_equal(was[3], now[3])) return true;
  for (const char* name : {"format", "head", "projection_head"}) {
    auto a = was[4].find(name);
    auto b = now[4].find(name);
    if ((b == now[4].end()) || a->second != b->second) return true;
  }
  return false;
}

int run_tool(std::vector<const char*> args) {
  args.insert(args.begin(), "keyledger");
  return keyledger::tools::run_keyledger(static_cast<int>(args.size()), args.data());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The tool prints its reports on standard output; only failures matter.
  if (!std::freopen("/dev/null", "w", stdout)) die("stdout", "cannot redirect");
  std::string root = (fs::temp_directory_path() / "keyledger-fuzz-ledger-XXXXXX").string();
  if (mkdtemp(root.data()) == nullptr) die("mkdtemp", root);
  ledger = new Ledger{root, fs::path(root) / "pristine", fs::path(root) / "work", {}};
  write_history(ledger->pristine);
  ledger->written = RawDb(ledger->pristine).snapshot();
  std::atexit([] {
    std::error_code ignored;
    fs::remove_all(ledger->root, ignored);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::error_code error;
  fs::remove_all(ledger->work, error);
  fs::copy(ledger->pristine, ledger->work, fs::copy_options::recursive, error);
  if (error) die("copy", error.message());
  bool changed = false;
  {
    RawDb raw(ledger->work);
    mutate(raw, data, size);
    changed = damaged(raw.snapshot());
  }
  const std::string work = ledger->work.string();
  const int verified = run_tool({"verify", "--data", work.c_str()});
  if (changed) fuzz_check(verified != 0, "verify notices a damaged ledger");
  if (!changed) fuzz_check(verified == 0, "verify passes an undamaged ledger");
  run_tool({"audit", "--data", work.c_str(), "--include-use", "--format", "json"});
  run_tool({"replay", "--data", work.c_str(), "--until-seq", "6", "--format", "csv"});
  return 0;
}
