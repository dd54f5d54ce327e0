// Rectification items in the checklist's RocksDB store (store/FORMAT.md):
// ids per county-year, each change a new revision with its audit entry in
// the same write, adoption idempotent by request_id, lost updates refused.
#include <memory>
#include <string>
#include <vector>

#include "checklist_service/store/checklist_store.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng::checklist {
namespace {

using ::junheng::testing::TempDir;

internal::StoredRectificationItem Record(const std::string& school,
                                         const std::string& resource,
                                         double quantity) {
  internal::StoredRectificationItem r;
  r.set_kind(1);
  r.set_school_code(school);
  r.set_resource(resource);
  r.set_quantity(quantity);
  r.set_status(1);
  return r;
}

class RectificationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenRocksChecklistStore(dir_.path() + "/checklist");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::vector<v1::AuditEntry> Audit() {
    std::vector<v1::AuditEntry> out;
    EXPECT_TRUE(store_
                    ->ScanAudit(0,
                                [&](const v1::AuditEntry& e) {
                                  out.push_back(e);
                                  return true;
                                })
                    .ok());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<ChecklistStore> store_;
  const Actor county_{"钱塘示范县教育局", ""};
};

TEST_F(RectificationStoreTest, AdoptionNumbersItemsPerCountyYearInOneRevision) {
  auto first = store_->AddItems("330106", 2025,
                                {Record("2133010614", "backbone_teachers", 2),
                                 Record("2133010626", "teaching_area_m2", 337)},
                                "", county_);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, 1);
  EXPECT_EQ((*first)[1].id, 2);
  EXPECT_EQ((*first)[0].revision, (*first)[1].revision);
  EXPECT_EQ(store_->LatestRevision(), (*first)[0].revision);
  // Another county-year starts at 1; the same one continues.
  auto other = store_->AddItems(
      "330107", 2025, {Record("2133010701", "computers", 3)}, "", county_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)[0].id, 1);
  auto more = store_->AddItems(
      "330106", 2025, {Record("2133010626", "multimedia_classrooms", 2)}, "",
      county_);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ((*more)[0].id, 3);
  auto listed = store_->ListItems("330106", 2025, 0);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[2].record.resource(), "multimedia_classrooms");
  auto after = store_->ListItems("330106", 2025, 2);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].id, 3);
  auto revision = store_->GetRevision((*first)[0].revision);
  ASSERT_TRUE(revision.ok());
  EXPECT_EQ(revision->kind, "adopt_rectification");
}

TEST_F(RectificationStoreTest, ARetriedAdoptionCreatesNothing) {
  auto first = store_->AddItems("330106", 2025,
                                {Record("2133010614", "backbone_teachers", 2)},
                                "req-1", county_);
  ASSERT_TRUE(first.ok()) << first.status();
  const int64_t revision = store_->LatestRevision();
  auto again = store_->AddItems("330106", 2025,
                                {Record("2133010614", "backbone_teachers", 2)},
                                "req-1", county_);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].id, (*first)[0].id);
  EXPECT_EQ(store_->LatestRevision(), revision);
  auto listed = store_->ListItems("330106", 2025, 0);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
  // The id is per county-year: elsewhere it is a new request.
  auto elsewhere = store_->AddItems(
      "330107", 2025, {Record("2133010701", "books", 10)}, "req-1", county_);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(store_->LatestRevision(), revision + 1);
}

TEST_F(RectificationStoreTest, EveryChangeIsARevisionWithItsAuditEntry) {
  auto added = store_->AddItems("330106", 2025,
                                {Record("2133010614", "backbone_teachers", 2)},
                                "", county_);
  ASSERT_TRUE(added.ok());
  StoredItem item = (*added)[0];
  item.record.set_owner("石桥镇中心小学 王校长");
  auto updated = store_->UpdateItem(item, "owner", county_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_GT(updated->revision, item.revision);
  auto got = store_->GetItem("330106", 2025, item.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->record.owner(), "石桥镇中心小学 王校长");
  EXPECT_EQ(got->revision, updated->revision);

  const std::vector<v1::AuditEntry> audit = Audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action(), "adopt_rectification");
  EXPECT_EQ(audit[1].action(), "update_rectification");
  EXPECT_EQ(audit[1].resource(),
            "counties/330106/years/2025/rectificationItems/1");
  EXPECT_NE(audit[1].detail().find("owner"), std::string::npos);
  EXPECT_EQ(audit[1].previous_hash(), audit[0].hash());
}

TEST_F(RectificationStoreTest, AnUpdateFromAStaleReadIsAborted) {
  auto added = store_->AddItems("330106", 2025,
                                {Record("2133010614", "backbone_teachers", 2)},
                                "", county_);
  ASSERT_TRUE(added.ok());
  StoredItem stale = (*added)[0];
  StoredItem first = stale;
  first.record.set_status(2);
  ASSERT_TRUE(store_->UpdateItem(first, "status IN_PROGRESS", county_).ok());
  stale.record.set_owner("someone");
  auto lost = store_->UpdateItem(stale, "owner", county_);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kAborted);
  auto got = store_->GetItem("330106", 2025, stale.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->record.status(), 2);
  EXPECT_EQ(got->record.owner(), "");
}

TEST_F(RectificationStoreTest, UnknownItemsAreNotFound) {
  EXPECT_EQ(store_->GetItem("330106", 2025, 1).status().code(),
            absl::StatusCode::kNotFound);
  StoredItem ghost{"330106", 2025, 9, Record("2133010614", "books", 1), 1};
  EXPECT_EQ(store_->UpdateItem(ghost, "owner", county_).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->LatestRevision(), 0);
}

TEST_F(RectificationStoreTest, ItemsSurviveReopening) {
  ASSERT_TRUE(store_
                  ->AddItems("330106", 2025,
                             {Record("2133010614", "backbone_teachers", 2)},
                             "req-9", county_)
                  .ok());
  store_.reset();
  auto store = OpenRocksChecklistStore(dir_.path() + "/checklist");
  ASSERT_TRUE(store.ok());
  store_ = *std::move(store);
  auto listed = store_->ListItems("330106", 2025, 0);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  // The idempotency record survived too, and ids continue.
  auto again = store_->AddItems("330106", 2025,
                                {Record("2133010614", "backbone_teachers", 2)},
                                "req-9", county_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(store_->LatestRevision(), 1);
  auto next = store_->AddItems("330106", 2025,
                               {Record("2133010614", "books", 5)}, "", county_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)[0].id, 2);
}

}  // namespace
}  // namespace junheng::checklist
