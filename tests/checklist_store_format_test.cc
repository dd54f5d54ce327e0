// The checklist store's format version (checklist_service/store/FORMAT.md):
// a new directory gets this build's version; another is refused, not
// misread.
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

constexpr const char* kFamilies[] = {"default",    "schools",   "counties",
                                     "judgements", "revisions", "audit"};

// Reads or (with `value`) writes the default family's format_version
// behind the store's back.
std::string FormatKey(const std::string& dir, const std::string* value) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : kFamilies) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
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

TEST(ChecklistStoreFormat, NewDirectoryGetsVersionOne) {
  TempDir dir;
  const std::string path = dir.path() + "/checklist";
  {
    auto store = OpenRocksChecklistStore(path);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(FormatKey(path, nullptr), "1");
  // And it opens again.
  EXPECT_TRUE(OpenRocksChecklistStore(path).ok());
}

TEST(ChecklistStoreFormat, AnotherVersionIsRefusedSayingWhich) {
  TempDir dir;
  const std::string path = dir.path() + "/checklist";
  ASSERT_TRUE(OpenRocksChecklistStore(path).ok());
  const std::string two = "2";
  FormatKey(path, &two);
  auto store = OpenRocksChecklistStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(store.status().message());
  EXPECT_NE(message.find("holds checklist data format 2"), std::string::npos)
      << message;
  EXPECT_NE(message.find("reads format 1"), std::string::npos) << message;
  EXPECT_NE(message.find("FORMAT.md"), std::string::npos) << message;
  // Nothing was rewritten by the refusal.
  EXPECT_EQ(FormatKey(path, nullptr), "2");
}

}  // namespace
}  // namespace junheng::checklist
