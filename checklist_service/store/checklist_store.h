// ChecklistStore: the checklist service's data, behind one narrow interface.
//
// Every submission (an import of schools or counties, a judgement) becomes a
// numbered revision, written with one synced, atomic RocksDB batch; nothing
// is ever overwritten. Reads take `as_of` (0: the latest) and see exactly
// the rows of revisions ≤ as_of, so an evaluation can be reproduced later.
//
// Thread-safety: every method may be called concurrently.
// Errors: NOT_FOUND (no such row or revision), RESOURCE_EXHAUSTED (disk
// full), DATA_LOSS (unreadable records), INTERNAL (other storage failures).
#ifndef JUNHENG_CHECKLIST_SERVICE_STORE_CHECKLIST_STORE_H_
#define JUNHENG_CHECKLIST_SERVICE_STORE_CHECKLIST_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/audit_chain.h"
#include "junheng/internal/checklist_records.pb.h"
#include "junheng/v1/audit.pb.h"

namespace junheng::checklist {

// A row's non-blank cells by CSV contract column.
using Cells = std::map<std::string, std::string>;

struct RevisionInfo {
  int64_t revision = 0;
  int64_t time_us = 0;
  std::string submitter;
  std::string kind;  // "import_schools", "import_counties", "judgement"
  std::string comment;
};

struct SchoolRowKey {
  std::string county;
  int year = 0;
  std::string school;
};

struct StoredSchool {
  SchoolRowKey key;
  Cells cells;
  int64_t revision = 0;
};

struct StoredCounty {
  std::string county;
  int year = 0;
  Cells cells;
  int64_t revision = 0;
};

struct StoredJudgement {
  std::string county;
  int year = 0;
  std::string code;
  bool passed = false;
  std::optional<double> score;
  std::string comment;
  std::vector<std::string> evidence;
  int64_t revision = 0;
};

// One revision of a rectification item (FORMAT.md, `rectification_items`).
struct StoredItem {
  std::string county;
  int year = 0;
  // 1, 2, 3, … per county and year, in adoption order; never reused.
  int64_t id = 0;
  internal::StoredRectificationItem record;
  int64_t revision = 0;
};

// Everything known about one county and year as of a revision.
struct CountySnapshot {
  std::optional<StoredCounty> county;
  std::vector<StoredSchool> schools;        // by school code
  std::vector<StoredJudgement> judgements;  // by code
  // The newest revision among the rows returned (0 if none).
  int64_t revision = 0;
};

class ChecklistStore {
 public:
  virtual ~ChecklistStore() = default;

  // Store every row as one new revision, atomically and durably, with one
  // audit entry per row (or judgement) in the same write.
  virtual absl::StatusOr<RevisionInfo> PutSchools(
      const std::vector<StoredSchool>& rows, const Actor& submitter,
      const std::string& comment) = 0;
  virtual absl::StatusOr<RevisionInfo> PutCounties(
      const std::vector<StoredCounty>& rows, const Actor& submitter,
      const std::string& comment) = 0;
  virtual absl::StatusOr<RevisionInfo> PutJudgement(
      const StoredJudgement& judgement, const Actor& submitter) = 0;

  // Stores `records` as new items of the county and year (ids assigned
  // here, consecutive, after the county-year's last) in one revision, with
  // one audit entry per item. With a non-empty `request_id` that an earlier
  // adoption of the county-year carried, stores nothing and returns that
  // adoption's items as they are now.
  virtual absl::StatusOr<std::vector<StoredItem>> AddItems(
      const std::string& county, int year,
      const std::vector<internal::StoredRectificationItem>& records,
      const std::string& request_id, const Actor& submitter) = 0;
  // Stores `item.record` as a new revision of item `item.id`, with one
  // audit entry saying `detail`. ABORTED when the item's newest revision is
  // no longer `item.revision` (someone changed it meanwhile: read it again);
  // NOT_FOUND for an item that does not exist.
  virtual absl::StatusOr<StoredItem> UpdateItem(const StoredItem& item,
                                                const std::string& detail,
                                                const Actor& submitter) = 0;
  // The newest revision of one item; NOT_FOUND if there is none.
  virtual absl::StatusOr<StoredItem> GetItem(const std::string& county,
                                             int year, int64_t id) = 0;
  // The newest revision of every item of the county and year with an id
  // greater than `after`, in id order.
  virtual absl::StatusOr<std::vector<StoredItem>> ListItems(
      const std::string& county, int year, int64_t after) = 0;

  // Calls `fn` with each audit entry from sequence `from` on, in order,
  // until it returns false.
  virtual absl::Status ScanAudit(
      int64_t from, const std::function<bool(const v1::AuditEntry&)>& fn) = 0;

  // The newest revision (0 for an empty store).
  virtual int64_t LatestRevision() = 0;
  virtual absl::StatusOr<RevisionInfo> GetRevision(int64_t revision) = 0;

  virtual absl::StatusOr<CountySnapshot> LoadCounty(const std::string& county,
                                                    int year,
                                                    int64_t as_of) = 0;
  // The `revision` LoadCounty would report, from keys alone: cheap, and
  // enough to tell whether an earlier snapshot is still current (rows are
  // only ever added, under new revisions).
  virtual absl::StatusOr<int64_t> SnapshotRevision(const std::string& county,
                                                   int year, int64_t as_of) = 0;
  // NOT_FOUND if the school has no row for the year as of the revision.
  virtual absl::StatusOr<StoredSchool> LoadSchool(const SchoolRowKey& key,
                                                  int64_t as_of) = 0;
  // Counties whose code starts with `province` (2 digits) and that have a
  // school or county row for the year, in code order.
  virtual absl::StatusOr<std::vector<std::string>> CountiesOfProvince(
      const std::string& province, int year, int64_t as_of) = 0;
};

absl::StatusOr<std::unique_ptr<ChecklistStore>> OpenRocksChecklistStore(
    const std::string& dir);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_STORE_CHECKLIST_STORE_H_
