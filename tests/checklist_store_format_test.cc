// The checklist store's format version (checklist_service/store/FORMAT.md):
// a new directory gets this build's version; another is refused, not
// misread.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "checklist_service/store/checklist_store.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/test_util.h"

namespace junheng::checklist {
namespace {

using ::junheng::testing::TempDir;

// Format 1's families: a directory written by a format-1 build has these.
constexpr const char* kFamilies[] = {"default",    "schools",   "counties",
                                     "judgements", "revisions", "audit"};
constexpr const char* kFormat2Families[] = {"rectification_items",
                                            "rectification_adoptions"};

// Reads or (with `value`) writes the default family's format_version
// behind the store's back.
std::string FormatKey(const std::string& dir, const std::string* value) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : kFamilies) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<std::string> present;
  rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &present)
      .PermitUncheckedError();
  for (const char* name : kFormat2Families) {
    if (std::find(present.begin(), present.end(), name) != present.end()) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  EXPECT_TRUE(
      rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &db).ok());
  std::string out;
  if (db != nullptr) {
    if (value != nullptr) {
      EXPECT_TRUE(
          db->Put(rocksdb::WriteOptions(), handles[0], "format_version", *value)
              .ok());
    }
    db->Get(rocksdb::ReadOptions(), handles[0], "format_version", &out)
        .PermitUncheckedError();
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  return out;
}

TEST(ChecklistStoreFormat, NewDirectoryGetsVersionTwo) {
  TempDir dir;
  const std::string path = dir.path() + "/checklist";
  {
    auto store = OpenRocksChecklistStore(path);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(FormatKey(path, nullptr), "2");
  // And it opens again.
  EXPECT_TRUE(OpenRocksChecklistStore(path).ok());
}

TEST(ChecklistStoreFormat, AnotherVersionIsRefusedSayingWhich) {
  TempDir dir;
  const std::string path = dir.path() + "/checklist";
  ASSERT_TRUE(OpenRocksChecklistStore(path).ok());
  const std::string three = "3";
  FormatKey(path, &three);
  auto store = OpenRocksChecklistStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(store.status().message());
  EXPECT_NE(message.find("holds checklist data format 3"), std::string::npos)
      << message;
  EXPECT_NE(message.find("reads format 2"), std::string::npos) << message;
  EXPECT_NE(message.find("FORMAT.md"), std::string::npos) << message;
  // Nothing was rewritten by the refusal.
  EXPECT_EQ(FormatKey(path, nullptr), "3");
}

// A directory written by a format-1 build (six families, version "1") is
// upgraded: the rectification families are added empty, the version
// becomes 2, and what it held reads as before.
TEST(ChecklistStoreFormat, FormatOneIsUpgradedKeepingItsData) {
  TempDir dir;
  const std::string path = dir.path() + "/checklist";
  {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : kFamilies) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path, cfs, &handles, &db).ok());
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), handles[0], "format_version", "1")
            .ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto store = OpenRocksChecklistStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->LatestRevision(), 0);
  auto items = (*store)->ListItems("330106", 2025, 0);
  ASSERT_TRUE(items.ok()) << items.status();
  EXPECT_TRUE(items->empty());
  store->reset();
  EXPECT_EQ(FormatKey(path, nullptr), "2");
}

}  // namespace
}  // namespace junheng::checklist
