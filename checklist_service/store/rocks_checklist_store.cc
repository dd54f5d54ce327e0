// ChecklistStore on RocksDB. The key layout, its format version and what
// each record holds are in FORMAT.md beside this file; keep the two in step.
//
// Rows are never overwritten: a later import of the same school adds a key
// with a higher revision, and a read "as of" R takes, per school, the last
// key whose revision is ≤ R. A revision's rows and its revisions entry are
// one atomic write batch, synced before it is acknowledged, so a revision is
// either wholly there or absent.
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "checklist_service/store/checklist_store.h"
#include "common/big_endian.h"
#include "common/grpc_status.h"
#include "common/mutex.h"
#include "common/resource_name.h"
#include "common/rocks_audit.h"
#include "common/rocks_status.h"
#include "common/status_macros.h"
#include "junheng/internal/checklist_records.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace junheng::checklist {
namespace {

// The default family's one key: the layout version (FORMAT.md).
constexpr char kFormatVersionKey[] = "format_version";
constexpr char kFormatVersion[] = "2";
// Format 1 lacked the rectification families; they are created empty at
// open, so upgrading it is recording the new version.
constexpr char kUpgradableFormat[] = "1";

constexpr const char* kFamilies[] = {"default",
                                     "schools",
                                     "counties",
                                     "judgements",
                                     "revisions",
                                     "audit",
                                     "rectification_items",
                                     "rectification_adoptions"};
enum Family {
  kDefault,
  kSchools,
  kCounties,
  kJudgements,
  kRevisions,
  kAudit,
  kItems,
  kAdoptions,
  kCount
};

std::string CountyYear(absl::string_view county, int year) {
  std::string key(county);
  PutU32BE(key, static_cast<uint32_t>(year));
  return key;
}

Cells CellsOf(const internal::StoredRow& row) {
  return Cells(row.values().begin(), row.values().end());
}

internal::StoredRow RowOf(const Cells& cells) {
  internal::StoredRow row;
  for (const auto& [k, v] : cells) (*row.mutable_values())[k] = v;
  return row;
}

class RocksChecklistStore final : public ChecklistStore {
 public:
  RocksChecklistStore(std::unique_ptr<rocksdb::DB> db,
                      std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(std::move(db)), cf_(std::move(handles)) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf_[kRevisions]));
    it->SeekToLast();
    if (it->Valid()) latest_ = static_cast<int64_t>(GetU64BE(View(it->key())));
    // An unreadable last entry leaves the chain restarting from genesis,
    // which `junheng audit verify` then reports at that entry.
    RestoreAuditChain(*db_, cf_[kAudit], audit_).IgnoreError();
  }
  // A new directory gets this build's format version (synced, before any
  // revision); one written by another format is refused, not misread.
  absl::Status CheckFormat(const std::string& dir) {
    std::string format;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kDefault],
                                 kFormatVersionKey, &format);
    if (s.IsNotFound()) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      return FromRocks(
          db_->Put(sync, cf_[kDefault], kFormatVersionKey, kFormatVersion),
          "recording the checklist data format");
    }
    RETURN_IF_ERROR(FromRocks(s, "reading the checklist data format"));
    if (format == kUpgradableFormat) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      return FromRocks(
          db_->Put(sync, cf_[kDefault], kFormatVersionKey, kFormatVersion),
          "upgrading the checklist data format");
    }
    if (format != kFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir, " holds checklist data format ", Excerpt(format, 20),
          "; this junheng-checklist reads format ", kFormatVersion,
          " (checklist_service/store/FORMAT.md)"));
    }
    return absl::OkStatus();
  }

  ~RocksChecklistStore() override {
    for (auto* h : cf_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  absl::StatusOr<RevisionInfo> PutSchools(const std::vector<StoredSchool>& rows,
                                          const Actor& submitter,
                                          const std::string& comment) override {
    std::vector<AuditEvent> events;
    for (const StoredSchool& r : rows) {
      events.push_back({.action = "import_schools",
                        .resource = CountyYearName{r.key.county, r.key.year,
                                                   r.key.school, "statistics"}
                                        .ToString()});
    }
    return Commit("import_schools", submitter, comment, std::move(events),
                  [&](rocksdb::WriteBatch& b, int64_t rev) {
                    for (const StoredSchool& r : rows) {
                      std::string key = CountyYear(r.key.county, r.key.year);
                      key += r.key.school;
                      PutU64BE(key, rev);
                      b.Put(cf_[kSchools], key,
                            RowOf(r.cells).SerializeAsString());
                    }
                  });
  }

  absl::StatusOr<RevisionInfo> PutCounties(
      const std::vector<StoredCounty>& rows, const Actor& submitter,
      const std::string& comment) override {
    std::vector<AuditEvent> events;
    for (const StoredCounty& r : rows) {
      events.push_back(
          {.action = "import_counties",
           .resource =
               CountyYearName{r.county, r.year, "", "statistics"}.ToString()});
    }
    return Commit("import_counties", submitter, comment, std::move(events),
                  [&](rocksdb::WriteBatch& b, int64_t rev) {
                    for (const StoredCounty& r : rows) {
                      std::string key = CountyYear(r.county, r.year);
                      PutU64BE(key, rev);
                      b.Put(cf_[kCounties], key,
                            RowOf(r.cells).SerializeAsString());
                    }
                  });
  }

  absl::StatusOr<RevisionInfo> PutJudgement(const StoredJudgement& j,
                                            const Actor& submitter) override {
    std::vector<AuditEvent> events = {
        {.action = "judgement",
         .resource = CountyYearName{j.county, j.year, "",
                                    absl::StrCat("judgements/", j.code)}
                         .ToString(),
         .detail = j.passed ? "passed" : "failed"}};
    if (j.score) absl::StrAppend(&events[0].detail, ", score ", *j.score);
    return Commit("judgement", submitter, j.code, std::move(events),
                  [&](rocksdb::WriteBatch& b, int64_t rev) {
                    internal::StoredJudgement value;
                    value.set_passed(j.passed);
                    if (j.score) value.set_score(*j.score);
                    value.set_comment(j.comment);
                    for (const auto& e : j.evidence) value.add_evidence(e);
                    std::string key = CountyYear(j.county, j.year);
                    key += j.code;
                    key.push_back('\0');
                    PutU64BE(key, rev);
                    b.Put(cf_[kJudgements], key, value.SerializeAsString());
                  });
  }

  absl::StatusOr<std::vector<StoredItem>> AddItems(
      const std::string& county, int year,
      const std::vector<internal::StoredRectificationItem>& records,
      const std::string& request_id, const Actor& submitter) override {
    std::vector<StoredItem> added;
    std::optional<internal::StoredAdoption> earlier;
    const std::string adoption_key = CountyYear(county, year) + request_id;
    auto committed = CommitChecked(
        "adopt_rectification", submitter, request_id,
        [&](rocksdb::WriteBatch& b, int64_t rev,
            std::vector<AuditEvent>& events) -> absl::Status {
          // Under the commit lock: a concurrent retry sees this adoption.
          if (!request_id.empty()) {
            std::string value;
            rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                                         cf_[kAdoptions], adoption_key, &value);
            if (s.ok()) {
              earlier.emplace();
              if (!earlier->ParseFromString(value)) {
                return absl::DataLossError("unreadable adoption record");
              }
              return absl::AbortedError("replayed");
            }
            if (!s.IsNotFound()) {
              return FromRocks(s, "reading an adoption");
            }
          }
          ASSIGN_OR_RETURN(int64_t last, LastItemId(county, year));
          internal::StoredAdoption adoption;
          adoption.set_revision(rev);
          for (const auto& record : records) {
            StoredItem item{county, year, ++last, record, rev};
            b.Put(cf_[kItems], ItemKey(county, year, item.id, rev),
                  record.SerializeAsString());
            events.push_back(
                {.action = "adopt_rectification",
                 .resource =
                     RectificationItemName{county, year, item.id}.ToString(),
                 .request_id = request_id,
                 .detail =
                     absl::StrCat(record.resource(), " ", record.quantity(),
                                  " at ", record.school_code())});
            adoption.add_items(item.id);
            added.push_back(std::move(item));
          }
          if (!request_id.empty()) {
            b.Put(cf_[kAdoptions], adoption_key, adoption.SerializeAsString());
          }
          return absl::OkStatus();
        });
    if (earlier.has_value()) {
      std::vector<StoredItem> items;
      for (int64_t id : earlier->items()) {
        ASSIGN_OR_RETURN(StoredItem item, GetItem(county, year, id));
        items.push_back(std::move(item));
      }
      return items;
    }
    if (!committed.ok()) return committed.status();
    return added;
  }

  absl::StatusOr<StoredItem> UpdateItem(const StoredItem& item,
                                        const std::string& detail,
                                        const Actor& submitter) override {
    StoredItem updated = item;
    auto committed = CommitChecked(
        "update_rectification", submitter, detail,
        [&](rocksdb::WriteBatch& b, int64_t rev,
            std::vector<AuditEvent>& events) -> absl::Status {
          // Under the commit lock, so two updates cannot both pass this.
          ASSIGN_OR_RETURN(StoredItem current,
                           GetItem(item.county, item.year, item.id));
          if (current.revision != item.revision) {
            return absl::AbortedError(absl::StrCat(
                RectificationItemName{item.county, item.year, item.id}
                    .ToString(),
                " was changed (revision ", current.revision,
                ") after it was read (revision ", item.revision,
                "); read it again and repeat the change"));
          }
          updated.revision = rev;
          b.Put(cf_[kItems], ItemKey(item.county, item.year, item.id, rev),
                item.record.SerializeAsString());
          events.push_back(
              {.action = "update_rectification",
               .resource =
                   RectificationItemName{item.county, item.year, item.id}
                       .ToString(),
               .detail = detail});
          return absl::OkStatus();
        });
    if (!committed.ok()) return committed.status();
    return updated;
  }

  absl::StatusOr<StoredItem> GetItem(const std::string& county, int year,
                                     int64_t id) override {
    std::string prefix = CountyYear(county, year);
    PutU64BE(prefix, static_cast<uint64_t>(id));
    std::optional<StoredItem> found;
    RETURN_IF_ERROR(Scan(
        kItems, prefix, [&](absl::string_view key, absl::string_view value) {
          ASSIGN_OR_RETURN(StoredItem item, ItemOf(county, year, key, value));
          found = std::move(item);
          return absl::OkStatus();
        }));
    if (!found) {
      return absl::NotFoundError(absl::StrCat(
          "no ", RectificationItemName{county, year, id}.ToString()));
    }
    return *std::move(found);
  }

  absl::StatusOr<std::vector<StoredItem>> ListItems(const std::string& county,
                                                    int year,
                                                    int64_t after) override {
    std::vector<StoredItem> out;
    RETURN_IF_ERROR(Scan(kItems, CountyYear(county, year),
                         [&](absl::string_view key, absl::string_view value) {
                           ASSIGN_OR_RETURN(StoredItem item,
                                            ItemOf(county, year, key, value));
                           if (item.id <= after) return absl::OkStatus();
                           // Keys sort by id, then revision: the last one of an
                           // id wins.
                           if (!out.empty() && out.back().id == item.id) {
                             out.back() = std::move(item);
                           } else {
                             out.push_back(std::move(item));
                           }
                           return absl::OkStatus();
                         }));
    return out;
  }

  int64_t LatestRevision() override {
    MutexLock lock(&mu_);
    return latest_;
  }

  absl::StatusOr<RevisionInfo> GetRevision(int64_t revision) override {
    std::string key, value;
    PutU64BE(key, static_cast<uint64_t>(revision));
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf_[kRevisions], key, &value);
    if (s.IsNotFound()) {
      return absl::NotFoundError(absl::StrCat("no revision ", revision));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading a revision"));
    internal::RevisionRecord r;
    if (!r.ParseFromString(value)) {
      return absl::DataLossError("unreadable revision record");
    }
    return RevisionInfo{revision, r.time_us(), r.submitter(), r.kind(),
                        r.comment()};
  }

  absl::StatusOr<CountySnapshot> LoadCounty(const std::string& county, int year,
                                            int64_t as_of) override {
    CountySnapshot snap;
    const std::string prefix = CountyYear(county, year);
    const uint64_t limit = Limit(as_of);
    // Schools: keys sort by school, then revision; keep each school's last
    // row at or before the limit.
    RETURN_IF_ERROR(Scan(
        kSchools, prefix, [&](absl::string_view key, absl::string_view value) {
          const uint64_t rev = GetU64BE(key.substr(key.size() - 8));
          if (rev > limit) return absl::OkStatus();
          std::string school(key.substr(prefix.size(), 10));
          internal::StoredRow row;
          if (!row.ParseFromArray(value.data(),
                                  static_cast<int>(value.size()))) {
            return absl::DataLossError("unreadable school row");
          }
          StoredSchool stored{
              {county, year, school}, CellsOf(row), static_cast<int64_t>(rev)};
          if (!snap.schools.empty() &&
              snap.schools.back().key.school == school) {
            snap.schools.back() = std::move(stored);
          } else {
            snap.schools.push_back(std::move(stored));
          }
          return absl::OkStatus();
        }));
    RETURN_IF_ERROR(Scan(
        kCounties, prefix, [&](absl::string_view key, absl::string_view value) {
          const uint64_t rev = GetU64BE(key.substr(key.size() - 8));
          if (rev > limit) return absl::OkStatus();
          internal::StoredRow row;
          if (!row.ParseFromArray(value.data(),
                                  static_cast<int>(value.size()))) {
            return absl::DataLossError("unreadable county row");
          }
          snap.county = StoredCounty{county, year, CellsOf(row),
                                     static_cast<int64_t>(rev)};
          return absl::OkStatus();
        }));
    RETURN_IF_ERROR(Scan(
        kJudgements, prefix,
        [&](absl::string_view key, absl::string_view value) {
          const uint64_t rev = GetU64BE(key.substr(key.size() - 8));
          if (rev > limit) return absl::OkStatus();
          std::string code(
              key.substr(prefix.size(), key.size() - prefix.size() - 9));
          internal::StoredJudgement j;
          if (!j.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            return absl::DataLossError("unreadable judgement");
          }
          StoredJudgement stored{
              county,
              year,
              code,
              j.passed(),
              j.has_score() ? std::optional<double>(j.score()) : std::nullopt,
              j.comment(),
              {j.evidence().begin(), j.evidence().end()},
              static_cast<int64_t>(rev)};
          if (!snap.judgements.empty() && snap.judgements.back().code == code) {
            snap.judgements.back() = std::move(stored);
          } else {
            snap.judgements.push_back(std::move(stored));
          }
          return absl::OkStatus();
        }));
    for (const auto& s : snap.schools)
      snap.revision = std::max(snap.revision, s.revision);
    for (const auto& j : snap.judgements)
      snap.revision = std::max(snap.revision, j.revision);
    if (snap.county)
      snap.revision = std::max(snap.revision, snap.county->revision);
    return snap;
  }

  absl::StatusOr<int64_t> SnapshotRevision(const std::string& county, int year,
                                           int64_t as_of) override {
    const std::string prefix = CountyYear(county, year);
    const uint64_t limit = Limit(as_of);
    uint64_t newest = 0;
    for (Family f : {kSchools, kCounties, kJudgements}) {
      RETURN_IF_ERROR(
          Scan(f, prefix, [&](absl::string_view key, absl::string_view) {
            const uint64_t rev = GetU64BE(key.substr(key.size() - 8));
            if (rev <= limit) newest = std::max(newest, rev);
            return absl::OkStatus();
          }));
    }
    return static_cast<int64_t>(newest);
  }

  absl::StatusOr<StoredSchool> LoadSchool(const SchoolRowKey& k,
                                          int64_t as_of) override {
    const std::string prefix = CountyYear(k.county, k.year) + k.school;
    const uint64_t limit = Limit(as_of);
    std::optional<StoredSchool> found;
    RETURN_IF_ERROR(Scan(
        kSchools, prefix, [&](absl::string_view key, absl::string_view value) {
          const uint64_t rev = GetU64BE(key.substr(key.size() - 8));
          if (rev > limit) return absl::OkStatus();
          internal::StoredRow row;
          if (!row.ParseFromArray(value.data(),
                                  static_cast<int>(value.size()))) {
            return absl::DataLossError("unreadable school row");
          }
          found = StoredSchool{k, CellsOf(row), static_cast<int64_t>(rev)};
          return absl::OkStatus();
        }));
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("no statistics for school ", k.school, " of county ",
                       k.county, " in ", k.year,
                       as_of ? absl::StrCat(" as of revision ", as_of) : ""));
    }
    return *std::move(found);
  }

  absl::StatusOr<std::vector<std::string>> CountiesOfProvince(
      const std::string& province, int year, int64_t as_of) override {
    std::vector<std::string> out;
    for (Family f : {kSchools, kCounties}) {
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), cf_[f]));
      // Visit each county of the province once, jumping to its year.
      for (it->Seek(province);
           it->Valid() && it->key().starts_with(province);) {
        const std::string county(View(it->key()).substr(0, 6));
        const std::string prefix = CountyYear(county, year);
        it->Seek(prefix);
        bool has = false;
        for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
          if (GetU64BE(View(it->key()).substr(it->key().size() - 8)) <=
              Limit(as_of)) {
            has = true;
            break;
          }
        }
        if (has) out.push_back(county);
        // The next county: the smallest key after every key of this one.
        std::string next = county;
        next.push_back('\xff');
        it->Seek(next);
      }
      RETURN_IF_ERROR(FromRocks(it->status(), "listing counties"));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  uint64_t Limit(int64_t as_of) {
    return as_of <= 0 ? UINT64_MAX : static_cast<uint64_t>(as_of);
  }

  template <typename Fn>
  absl::Status Scan(Family f, const std::string& prefix, Fn&& fn) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf_[f]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      RETURN_IF_ERROR(fn(View(it->key()), View(it->value())));
    }
    return FromRocks(it->status(), "reading the checklist data");
  }

  absl::Status ScanAudit(
      int64_t from,
      const std::function<bool(const v1::AuditEntry&)>& fn) override {
    return ScanAuditLog(*db_, cf_[kAudit], from, fn);
  }

  static std::string ItemKey(const std::string& county, int year, int64_t id,
                             int64_t rev) {
    std::string key = CountyYear(county, year);
    PutU64BE(key, static_cast<uint64_t>(id));
    PutU64BE(key, static_cast<uint64_t>(rev));
    return key;
  }

  static absl::StatusOr<StoredItem> ItemOf(const std::string& county, int year,
                                           absl::string_view key,
                                           absl::string_view value) {
    StoredItem item{county, year, 0, {}, 0};
    item.id = static_cast<int64_t>(GetU64BE(key.substr(key.size() - 16, 8)));
    item.revision = static_cast<int64_t>(GetU64BE(key.substr(key.size() - 8)));
    if (!item.record.ParseFromArray(value.data(),
                                    static_cast<int>(value.size()))) {
      return absl::DataLossError("unreadable rectification item");
    }
    return item;
  }

  // The county-year's highest item id (0 for none): one seek to the end of
  // its keys.
  absl::StatusOr<int64_t> LastItemId(const std::string& county, int year) {
    const std::string prefix = CountyYear(county, year);
    std::string end = prefix;
    end.push_back('\xff');
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf_[kItems]));
    it->SeekForPrev(end);
    RETURN_IF_ERROR(FromRocks(it->status(), "reading rectification items"));
    if (!it->Valid() || !it->key().starts_with(prefix)) return 0;
    return static_cast<int64_t>(
        GetU64BE(View(it->key()).substr(prefix.size(), 8)));
  }

  template <typename Fill>
  absl::StatusOr<RevisionInfo> Commit(const std::string& kind,
                                      const Actor& submitter,
                                      const std::string& comment,
                                      std::vector<AuditEvent> events,
                                      Fill&& fill) {
    return CommitChecked(
        kind, submitter, comment,
        [&](rocksdb::WriteBatch& b, int64_t rev, std::vector<AuditEvent>& out) {
          fill(b, rev);
          out = std::move(events);
          return absl::OkStatus();
        });
  }

  // `fill` adds the revision's rows and its audit events, under the lock
  // that orders revisions; an error from it stores nothing.
  template <typename Fill>
  absl::StatusOr<RevisionInfo> CommitChecked(const std::string& kind,
                                             const Actor& submitter,
                                             const std::string& comment,
                                             Fill&& fill) {
    // mu_ orders revisions and the audit chain; the disk sync happens after
    // it is released (the WAL is sequential: a revision acknowledged after
    // its sync has every earlier one durable too).
    ReleasableMutexLock lock(&mu_);
    const int64_t rev = latest_ + 1;
    rocksdb::WriteBatch batch;
    std::vector<AuditEvent> events;
    RETURN_IF_ERROR(fill(batch, rev, events));
    internal::RevisionRecord record;
    const int64_t now = absl::ToUnixMicros(absl::Now());
    // The chain advances only once the batch is stored.
    AuditChain chain = audit_;
    for (AuditEvent& e : events) {
      absl::StrAppend(&e.detail, e.detail.empty() ? "" : ", ", "revision ",
                      rev);
      v1::AuditEntry entry = chain.Next(submitter, e, now);
      PutAuditEntry(batch, cf_[kAudit], entry);
      chain.Advance(entry);
    }
    record.set_time_us(now);
    record.set_submitter(submitter.principal);
    record.set_kind(kind);
    record.set_comment(comment);
    std::string key;
    PutU64BE(key, static_cast<uint64_t>(rev));
    batch.Put(cf_[kRevisions], key, record.SerializeAsString());
    RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch),
                              "storing a revision"));
    latest_ = rev;
    audit_ = chain;
    lock.Release();
    RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "making a revision durable"));
    return RevisionInfo{rev, now, submitter.principal, kind, comment};
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
  Mutex mu_;
  int64_t latest_ ABSL_GUARDED_BY(mu_) = 0;
  AuditChain audit_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<ChecklistStore>> OpenRocksChecklistStore(
    const std::string& dir) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kFamilies) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(options, dir, descriptors, &handles, &raw),
                absl::StrCat("opening the checklist data in ", dir)));
  auto store = std::make_unique<RocksChecklistStore>(
      std::unique_ptr<rocksdb::DB>(raw), std::move(handles));
  RETURN_IF_ERROR(store->CheckFormat(dir));
  return store;
}

}  // namespace junheng::checklist
