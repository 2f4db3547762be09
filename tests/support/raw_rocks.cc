#include "tests/support/raw_rocks.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <catch2/catch.hpp>

namespace keyledger::testing {

class RawRocks::Impl {
 public:
  ~Impl() {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    if (db) db->Close().PermitUncheckedError();
  }

  rocksdb::ColumnFamilyHandle* family(std::string_view name) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return handles[i];
    FAIL("no column family '" << std::string(name) << "'");
    return nullptr;
  }

  std::vector<std::string> names;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db;
};

RawRocks::RawRocks(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  rocksdb::DBOptions options;
  rocksdb::Status status = rocksdb::DB::ListColumnFamilies(options, path.string(), &impl_->names);
  INFO(status.ToString());
  REQUIRE(status.ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : impl_->names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* raw = nullptr;
  status = rocksdb::DB::Open(options, path.string(), descriptors, &impl_->handles, &raw);
  INFO(status.ToString());
  REQUIRE(status.ok());
  impl_->db.reset(raw);
}

RawRocks::~RawRocks() = default;

std::vector<std::string> RawRocks::families() const { return impl_->names; }

std::optional<std::string> RawRocks::get(std::string_view family, std::string_view key) const {
  std::string value;
  rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->family(family), rocksdb::Slice(key), &value);
  if (status.IsNotFound()) return std::nullopt;
  INFO(status.ToString());
  REQUIRE(status.ok());
  return value;
}

void RawRocks::put(std::string_view family, std::string_view key, std::string_view value) {
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status status =
      impl_->db->Put(options, impl_->family(family), rocksdb::Slice(key), rocksdb::Slice(value));
  INFO(status.ToString());
  REQUIRE(status.ok());
}

void RawRocks::erase(std::string_view family, std::string_view key) {
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status status = impl_->db->Delete(options, impl_->family(family), rocksdb::Slice(key));
  INFO(status.ToString());
  REQUIRE(status.ok());
}

std::vector<std::pair<std::string, std::string>> RawRocks::scan(std::string_view family) const {
  std::vector<std::pair<std::string, std::string>> out;
  rocksdb::Status status;
  {
    // The iterator must be gone before the database closes.
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->family(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      out.emplace_back(it->key().ToString(), it->value().ToString());
    status = it->status();
  }
  INFO(status.ToString());
  REQUIRE(status.ok());
  return out;
}

void RawRocks::flush_and_compact() {
  rocksdb::Status status = impl_->db->Flush(rocksdb::FlushOptions(), impl_->handles);
  INFO(status.ToString());
  REQUIRE(status.ok());
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* handle : impl_->handles) {
    status = impl_->db->CompactRange(options, handle, nullptr, nullptr);
    INFO(status.ToString());
    REQUIRE(status.ok());
  }
}

void create_rocksdb(const std::filesystem::path& path,
                    const std::vector<std::pair<std::string, FamilyRows>>& families) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  for (const auto& [name, rows] : families)
    if (name != rocksdb::kDefaultColumnFamilyName)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path.string(), descriptors, &handles, &raw);
  INFO(status.ToString());
  REQUIRE(status.ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  for (const auto& [name, rows] : families) {
    std::size_t index = 0;
    while (descriptors[index].name != name) ++index;
    for (const auto& [key, value] : rows) REQUIRE(batch.Put(handles[index], key, value).ok());
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  status = db->Write(synced, &batch);
  INFO(status.ToString());
  REQUIRE(status.ok());
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  REQUIRE(db->Close().ok());
}

void create_foreign_rocksdb(const std::filesystem::path& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path.string(), &raw);
  INFO(status.ToString());
  REQUIRE(status.ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  status = db->Put(rocksdb::WriteOptions(), "some application", "its data");
  REQUIRE(status.ok());
  REQUIRE(db->Close().ok());
}

}  // namespace keyledger::testing
