// The checklist's application layer: importing statistics, recording
// judgements, and evaluating schools, counties and provinces, in domain
// terms. It sees neither gRPC nor RocksDB: the store (store/checklist_store.h)
// and the evidence source (evidence_source.h) are interfaces around it, and
// grpc/ is one transport in front of it.
//
// Every method takes the authenticated caller and authorizes the place the
// request names before anything is read (common/access.h), so an
// out-of-scope name is PERMISSION_DENIED whether it exists or not. Names
// are already parsed by the transport; what is checked here are the rules a
// request must satisfy whatever its transport (a failing judgement needs a
// comment, a standard must be loaded, …).
//
// Thread-safe: every method may be called concurrently.
#ifndef JUNHENG_CHECKLIST_SERVICE_APP_CHECKLIST_H_
#define JUNHENG_CHECKLIST_SERVICE_APP_CHECKLIST_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "checklist_service/app/evidence_source.h"
#include "checklist_service/app/in_order.h"
#include "checklist_service/app/worker_pool.h"
#include "checklist_service/evaluator/input_check.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "checklist_service/standard/standard_check.h"
#include "checklist_service/standard/standard_loader.h"
#include "checklist_service/store/checklist_store.h"
#include "common/access.h"
#include "common/mutex.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng::checklist {

struct ChecklistOptions {
  // Largest CSV file an import accepts.
  int64_t max_import_bytes = int64_t{256} << 20;
  // How long an evaluation waits for the evidence source at most (less if
  // the caller's deadline is nearer).
  absl::Duration archive_timeout = absl::Seconds(2);
  std::string default_standard = "moe-2017-quality";
  // How many parsed county snapshots to keep for repeated evaluations (a
  // province has up to a few hundred counties).
  size_t cached_counties = 256;
  // Threads evaluating a province's counties, shared by every request (a
  // request keeps at most twice as many counties in flight).
  int evaluation_threads = 2;
};

enum class ImportKind { kSchools, kCounties };

struct ImportOutcome {
  RevisionInfo revision;
  int64_t rows = 0;
  // The (county, year) pairs the file touched, as counties/{c}/years/{y}.
  std::set<std::string> touched;
};

// One file being imported: Feed() its bytes in order, then Commit(). All
// rows or none: nothing is stored until Commit() has checked every row.
class ImportSession {
 public:
  virtual ~ImportSession() = default;
  // RESOURCE_EXHAUSTED past max_import_bytes; INVALID_ARGUMENT as soon as
  // the bytes cannot be CSV text (a photo, a spreadsheet, random bytes).
  // After an error the session is spent.
  virtual absl::Status Feed(absl::string_view bytes) = 0;
  // Parses, checks every row (INVALID_ARGUMENT with every bad cell as a
  // field violation "csv:LINE:COLUMN"), authorizes every row's place
  // (PERMISSION_DENIED naming the line), then stores them as one revision.
  virtual absl::StatusOr<ImportOutcome> Commit() = 0;
};

struct JudgementRequest {
  std::string county;
  int year = 0;
  std::string code;
  bool passed = false;
  std::optional<double> score;
  std::string comment;
  std::vector<std::string> evidence;
};

// A school's verdict and what it was judged by.
struct SchoolEvaluation {
  SchoolVerdict verdict;
  const junheng::v1::IndicatorStandard* standard = nullptr;
  int64_t revision = 0;
};

// A county's verdict (evidence included), what it was judged by, and what
// a reader should know about how it was reached.
struct CountyEvaluation {
  CountyVerdict verdict;
  const junheng::v1::IndicatorStandard* standard = nullptr;
  int64_t revision = 0;
  // E.g. "evidence status unknown: the archive did not answer within 2s".
  std::vector<std::string> warnings;
};

struct CountyRequest {
  std::string county;
  int year = 0;
  // standards/{id}; empty: the server's default.
  std::string standard;
  // 0: the latest.
  int64_t as_of = 0;
  bool check_evidence = true;
  // The caller's deadline, if any: the evidence source gets at most half
  // of what is left.
  std::optional<absl::Time> deadline;
};

struct ProvinceRequest {
  std::string province;
  int year = 0;
  const junheng::v1::IndicatorStandard* standard = nullptr;
  // The snapshot every county is evaluated as of (0: the latest, resolved
  // once for the whole stream).
  int64_t as_of = 0;
  // Only counties with a greater code (a resumed stream).
  std::string after_county;
  std::optional<absl::Time> deadline;
};

class Checklist {
 public:
  // `evidence` may be null: evidence status is then unknown.
  Checklist(ChecklistStore& store, std::unique_ptr<EvidenceSource> evidence,
            StandardMap standards, ChecklistOptions options);

  // The loaded standards (each with its content hash), by id.
  const StandardMap& standards() const { return standards_; }
  // standards/{id} (empty: the default). INVALID_ARGUMENT for another shape,
  // NOT_FOUND listing the loaded ones.
  absl::StatusOr<const junheng::v1::IndicatorStandard*> Standard(
      const std::string& name) const;

  // `header`: the import's comment, and its format (CSV text or an .xlsx
  // workbook; unspecified: told by the first bytes) and sheet.
  std::unique_ptr<ImportSession> StartImport(ImportKind kind, Principal who,
                                             const v1::ImportHeader& header);

  // One school's stored row and the revision that stored it.
  absl::StatusOr<std::pair<StoredSchool, std::optional<RevisionInfo>>>
  SchoolReport(const Principal& who, const SchoolRowKey& key, int64_t as_of);

  // INVALID_ARGUMENT with field violations ("name", "comment", "score",
  // "evidence[i]") for a judgement no standard asks for, a failing one
  // without a comment, a score out of 0–100, a malformed evidence name.
  absl::StatusOr<std::pair<StoredJudgement, RevisionInfo>> RecordJudgement(
      const Principal& who, const JudgementRequest& request);

  absl::StatusOr<SchoolEvaluation> EvaluateSchool(const Principal& who,
                                                  const SchoolRowKey& key,
                                                  const std::string& standard,
                                                  int64_t as_of);

  absl::StatusOr<CountyEvaluation> EvaluateCounty(const Principal& who,
                                                  const CountyRequest& request);

  // The standard a province is to be evaluated against, once the caller is
  // known to be allowed to evaluate the province.
  absl::StatusOr<const junheng::v1::IndicatorStandard*> ProvinceStandard(
      const Principal& who, const std::string& province,
      const std::string& standard) const;

  // The counties of a province with data for the year (as of the
  // snapshot), after `after_county`, in code order. Resolves
  // `request.as_of` to the snapshot's revision when it is 0.
  absl::StatusOr<std::vector<std::string>> ProvinceCounties(
      const Principal& who, ProvinceRequest& request);

  // Evaluates `counties` of the province in parallel (bounded by the pool),
  // hands each result to `convert` on a worker thread, and each converted
  // result to `send` in county order on the calling thread, until `send`
  // returns false. A county that cannot be evaluated is a non-OK status in
  // its place; the others still arrive.
  template <typename T>
  void EvaluateProvince(
      const Principal& who, const ProvinceRequest& request,
      const std::vector<std::string>& counties,
      const std::function<T(size_t, absl::StatusOr<CountyEvaluation>)>& convert,
      const std::function<bool(size_t, T&)>& send);

  // One county-year's rows as of a revision, parsed for the evaluator once.
  struct CountyData {
    CountyData() = default;
    // `checked` refers to `input`.
    CountyData(const CountyData&) = delete;
    CountyData& operator=(const CountyData&) = delete;

    CountyInput input;
    // `input` checked once for every evaluation of the snapshot, or why it
    // cannot be evaluated (INVALID_ARGUMENT naming the school and column).
    absl::StatusOr<CheckedCountyInput> checked =
        absl::FailedPreconditionError("not checked");
    bool has_county_row = false;
    int64_t revision = 0;
  };
  // The county's data as of `as_of` (0: the latest), from the snapshot
  // cache. Not authorized: for the application's other parts
  // (rectification.h), which authorize the request first. NOT_FOUND when
  // the county has no statistics for the year.
  absl::StatusOr<std::shared_ptr<const CountyData>> LoadCountyData(
      const std::string& county, int year, int64_t as_of);

  // The verdict of a snapshot against one of the loaded standards, each
  // checked once (the standard when the service starts, the snapshot when
  // it is loaded). The errors of EvaluateCounty (evaluator.h).
  absl::StatusOr<CountyVerdict> EvaluateSnapshot(
      const junheng::v1::IndicatorStandard& standard,
      const CountyData& data) const;

  // The evidence index the caller sees, or nullopt with why in `warnings`.
  std::optional<EvidenceIndex> EvidenceOf(const Principal& who,
                                          const std::string& county, int year,
                                          std::optional<absl::Time> deadline,
                                          std::vector<std::string>& warnings);

  // What the archive holds under each name (EvidenceSource::LookUp).
  // UNAVAILABLE when the service runs without an archive or it does not
  // answer in time.
  absl::StatusOr<std::vector<EvidenceSource::Lookup>> LookUpEvidence(
      const Principal& who, const std::vector<std::string>& names,
      std::optional<absl::Time> deadline);

  // Calls `fn` with each audit entry from sequence `from` on.
  absl::Status ScanAudit(int64_t from,
                         const std::function<bool(const v1::AuditEntry&)>& fn);

 private:
  template <typename Row, typename Stored>
  class Import;

  // The evidence index of the county as `who` sees it, or nullopt with the
  // reason in `warnings` (not asked, no archive, the archive down or
  // refusing); see Evaluate for `evidence_down`.
  std::optional<EvidenceIndex> FetchEvidence(
      const Principal& who, const std::string& county, int year,
      bool check_evidence, std::optional<absl::Time> deadline,
      std::atomic<bool>* evidence_down, std::vector<std::string>& warnings);
  // How long the evidence source may take, given the caller's deadline.
  absl::Duration ArchiveTimeout(std::optional<absl::Time> deadline) const;
  // Evaluates one county; `evidence_down` is set when the evidence source
  // did not answer, and skips asking it again when already set.
  absl::StatusOr<CountyEvaluation> Evaluate(
      const Principal& who, const std::string& county, int year,
      const junheng::v1::IndicatorStandard& standard, int64_t as_of,
      bool check_evidence, std::optional<absl::Time> deadline,
      std::atomic<bool>* evidence_down);

  ChecklistStore& store_;
  const std::unique_ptr<EvidenceSource> evidence_;
  const StandardMap standards_;
  // Those of `standards_` that CheckEvaluable passes (all that the loader
  // gives), by address.
  const std::map<const junheng::v1::IndicatorStandard*, CheckedStandard>
      checked_standards_;
  const ChecklistOptions options_;

  Mutex cache_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const CountyData>> cache_
      ABSL_GUARDED_BY(cache_mu_);
  std::deque<std::string> cache_order_ ABSL_GUARDED_BY(cache_mu_);
  // "county/year/as_of" → the snapshot revision, for an as_of no newer than
  // the newest revision when it was asked: rows are only ever added under
  // new revisions, so that answer never changes, and asking the store
  // scans every row key of the county (a twentieth of a province call).
  absl::flat_hash_map<std::string, int64_t> snapshot_revisions_
      ABSL_GUARDED_BY(cache_mu_);

  // Last: its threads stop before anything they use is destroyed.
  WorkerPool pool_;
};

template <typename T>
void Checklist::EvaluateProvince(
    const Principal& who, const ProvinceRequest& request,
    const std::vector<std::string>& counties,
    const std::function<T(size_t, absl::StatusOr<CountyEvaluation>)>& convert,
    const std::function<bool(size_t, T&)>& send) {
  // Once the evidence source fails to answer for one county, the others do
  // not wait for it again: whichever worker sees it first tells the rest.
  std::atomic<bool> evidence_down{false};
  auto evaluate = [&](size_t i) {
    return convert(
        i, Evaluate(who, counties[i], request.year, *request.standard,
                    request.as_of, true, request.deadline, &evidence_down));
  };
  const size_t window = 2 * static_cast<size_t>(pool_.threads());
  RunInOrder<T>(pool_, counties.size(), window, evaluate, send);
}

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_APP_CHECKLIST_H_
