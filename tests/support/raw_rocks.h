// Raw RocksDB access to a CLOSED keyledger database, for tests that tamper
// with what is on disk (events, projection records, meta) behind the
// ledger's back. Opens every column family the database holds; REQUIREs
// success of every operation.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyledger::testing {

class RawRocks {
 public:
  // Opens the database at `path` read-write with all its column families.
  explicit RawRocks(const std::filesystem::path& path);
  // Destroys the column family handles and closes the database.
  ~RawRocks();
  RawRocks(const RawRocks&) = delete;
  RawRocks& operator=(const RawRocks&) = delete;

  // The column families the database holds, as listed on disk.
  std::vector<std::string> families() const;

  std::optional<std::string> get(std::string_view family, std::string_view key) const;
  void put(std::string_view family, std::string_view key, std::string_view value);
  void erase(std::string_view family, std::string_view key);
  // Every (key, value) of `family`, in key order.
  std::vector<std::pair<std::string, std::string>> scan(std::string_view family) const;
  // Flushes every memtable to SST files and compacts every column family,
  // so whatever the log and memtables held is rewritten into table files.
  void flush_and_compact();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The (key, value) pairs of one column family, in key order.
using FamilyRows = std::vector<std::pair<std::string, std::string>>;

// Creates a database at `path` holding exactly these column families and
// rows (a "default" family is created whether listed or not), written in one
// synced batch and closed. How a ledger fixture committed as its rows
// becomes a database again.
void create_rocksdb(const std::filesystem::path& path,
                    const std::vector<std::pair<std::string, FamilyRows>>& families);

// Creates a plain RocksDB database (default column family only) at `path`
// holding one key, like another application's data.
void create_foreign_rocksdb(const std::filesystem::path& path);

}  // namespace keyledger::testing
