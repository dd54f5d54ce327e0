#include "checklist_service/app/checklist.h"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/csv/cell_collector.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/evaluator/evidence.h"
#include "checklist_service/standard/standard_digest.h"
#include "checklist_service/xlsx/import_source.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

}  // namespace

// One import of schools.csv (Row = SchoolStats, Stored = StoredSchool) or
// counties.csv, as CSV text or an .xlsx workbook (xlsx/import_source.h).
template <typename Row, typename Stored>
class Checklist::Import final : public ImportSession {
 public:
  Import(Checklist& checklist, Principal who, const v1::ImportHeader& header)
      : checklist_(checklist),
        who_(std::move(who)),
        comment_(header.comment()),
        source_(&importer_, &cells_) {
    failed_ = source_.SetHeader(header);
  }

  absl::Status Feed(absl::string_view bytes) override {
    RETURN_IF_ERROR(failed_);
    bytes_ += static_cast<int64_t>(bytes.size());
    if (bytes_ > checklist_.options_.max_import_bytes) {
      return Fail(absl::ResourceExhaustedError(
          absl::StrCat(source_.What(), " is larger than this server accepts (",
                       checklist_.options_.max_import_bytes,
                       " bytes); split it by county")));
    }
    if (absl::Status s = source_.Feed(bytes); !s.ok()) return Fail(s);
    return absl::OkStatus();
  }

  absl::StatusOr<ImportOutcome> Commit() override {
    RETURN_IF_ERROR(failed_);
    RETURN_IF_ERROR(source_.Finish());
    auto result = importer_.Finish();
    if (!result.ok()) {
      std::vector<FieldViolation> violations;
      for (const csv::ImportError& e : importer_.errors()) {
        violations.push_back({source_.Locate(e), e.reason});
      }
      return InvalidFields(
          absl::StrCat(source_.What(), " has ", importer_.error_count(),
                       " error", importer_.error_count() == 1 ? "" : "s",
                       "; nothing was imported"),
          violations);
    }
    if (result->rows.empty()) {
      return InvalidField(
          "csv", absl::StrCat(source_.What(), " has a header but no rows"));
    }
    ImportOutcome outcome;
    std::vector<Stored> rows;
    rows.reserve(result->rows.size());
    for (size_t i = 0; i < result->rows.size(); ++i) {
      const Row& row = result->rows[i];
      Stored stored;
      Scope place;
      if constexpr (std::is_same_v<Row, SchoolStats>) {
        stored.key = {row.county_code, row.year, row.school_code};
        place = Scope::School(row.county_code, row.school_code);
      } else {
        stored.county = row.county_code;
        stored.year = row.year;
        place = Scope::County(row.county_code);
      }
      // Every row must lie in the caller's scope, or nothing is imported.
      if (absl::Status s =
              Authorize(who_, Permission::kImportStatistics, place);
          !s.ok()) {
        return absl::PermissionDeniedError(
            absl::StrCat("line ", result->lines[i], ": ", s.message(),
                         "; nothing was imported"));
      }
      stored.cells = cells_.Take(result->lines[i]);
      outcome.touched.insert(
          CountyYearName{row.county_code, row.year, "", ""}.ToString());
      rows.push_back(std::move(stored));
    }
    absl::StatusOr<RevisionInfo> revision;
    if constexpr (std::is_same_v<Row, SchoolStats>) {
      revision = checklist_.store_.PutSchools(rows, who_.actor(), comment_);
    } else {
      revision = checklist_.store_.PutCounties(rows, who_.actor(), comment_);
    }
    if (!revision.ok()) return revision.status();
    outcome.revision = *std::move(revision);
    outcome.rows = static_cast<int64_t>(rows.size());
    return outcome;
  }

 private:
  absl::Status Fail(absl::Status s) {
    failed_ = s;
    return s;
  }

  Checklist& checklist_;
  const Principal who_;
  const std::string comment_;
  absl::Status failed_;
  int64_t bytes_ = 0;
  csv::CsvImporter<Row> importer_;
  csv::CellCollector cells_;
  xlsx::ImportSource<Row> source_;
};

namespace {

std::map<const v1::IndicatorStandard*, CheckedStandard> CheckAll(
    const StandardMap& standards) {
  std::map<const v1::IndicatorStandard*, CheckedStandard> checked;
  for (const auto& [id, standard] : standards) {
    absl::StatusOr<CheckedStandard> c = CheckedStandard::Check(standard);
    if (c.ok()) checked.emplace(&standard, *c);
  }
  return checked;
}

}  // namespace

Checklist::Checklist(ChecklistStore& store,
                     std::unique_ptr<EvidenceSource> evidence,
                     StandardMap standards, ChecklistOptions options)
    : store_(store),
      evidence_(std::move(evidence)),
      standards_(WithContentHashes(std::move(standards))),
      checked_standards_(CheckAll(standards_)),
      options_(std::move(options)),
      pool_(options_.evaluation_threads) {}

absl::StatusOr<const v1::IndicatorStandard*> Checklist::Standard(
    const std::string& name) const {
  std::string id = options_.default_standard;
  if (!name.empty()) {
    if (name.rfind("standards/", 0) != 0) {
      return InvalidField("standard",
                          "must be standards/{id}, e.g. "
                          "standards/moe-2017-quality");
    }
    id = name.substr(10);
  }
  auto it = standards_.find(id);
  if (it == standards_.end()) {
    std::vector<std::string> known;
    for (const auto& [k, v] : standards_) known.push_back(k);
    return absl::NotFoundError(
        absl::StrCat("no standard standards/", Excerpt(id, 60),
                     "; loaded: ", absl::StrJoin(known, ", ")));
  }
  return &it->second;
}

std::unique_ptr<ImportSession> Checklist::StartImport(
    ImportKind kind, Principal who, const v1::ImportHeader& header) {
  if (kind == ImportKind::kSchools) {
    return std::make_unique<Import<SchoolStats, StoredSchool>>(
        *this, std::move(who), header);
  }
  return std::make_unique<Import<CountyStats, StoredCounty>>(
      *this, std::move(who), header);
}

absl::StatusOr<std::pair<StoredSchool, std::optional<RevisionInfo>>>
Checklist::SchoolReport(const Principal& who, const SchoolRowKey& key,
                        int64_t as_of) {
  RETURN_IF_ERROR(Authorize(who, Permission::kReadStatistics,
                            Scope::School(key.county, key.school)));
  ASSIGN_OR_RETURN(StoredSchool school, store_.LoadSchool(key, as_of));
  std::optional<RevisionInfo> revision;
  if (auto r = store_.GetRevision(school.revision); r.ok()) revision = *r;
  return std::make_pair(std::move(school), std::move(revision));
}

absl::StatusOr<std::pair<StoredJudgement, RevisionInfo>>
Checklist::RecordJudgement(const Principal& who,
                           const JudgementRequest& request) {
  std::vector<FieldViolation> bad;
  // Only codes some loaded standard judges: a typo must not vanish.
  std::set<std::string> judged;
  for (const auto& [id, standard] : standards_) {
    for (const auto& i : standard.indicators()) {
      if (i.needs_judgement() || i.formula() == v1::FORMULA_JUDGEMENT ||
          i.formula() == v1::FORMULA_JUDGEMENT_SCORE) {
        judged.insert(i.code());
      }
    }
    for (const auto& v : standard.veto_items()) judged.insert(v.code());
  }
  if (!judged.contains(request.code)) {
    bad.push_back({"name", absl::StrCat("\"", Excerpt(request.code, 20),
                                        "\" is not an indicator or veto item "
                                        "an inspector judges; one of: ",
                                        absl::StrJoin(judged, " "))});
  }
  if (!request.passed && request.comment.empty()) {
    bad.push_back({"comment",
                   "is required when the judgement fails: say what "
                   "the inspector found"});
  }
  if (request.comment.size() > 4000) {
    bad.push_back({"comment", "is longer than 4000 bytes"});
  }
  if (request.score.has_value() &&
      (*request.score < 0 || *request.score > 100)) {
    bad.push_back({"score", "must be between 0 and 100"});
  }
  for (size_t i = 0; i < request.evidence.size(); ++i) {
    if (!ParseEvidenceName(request.evidence[i], "evidence").ok()) {
      bad.push_back({absl::StrCat("evidence[", i, "]"),
                     "must be an archive evidence name, counties/{county}"
                     "[/schools/{school}]/evidence/{id}"});
    }
  }
  if (!bad.empty()) return InvalidFields("bad judgement", bad);
  RETURN_IF_ERROR(Authorize(who, Permission::kRecordJudgement,
                            Scope::County(request.county)));
  StoredJudgement j{
      request.county, request.year,    request.code,     request.passed,
      request.score,  request.comment, request.evidence, 0};
  ASSIGN_OR_RETURN(RevisionInfo revision, store_.PutJudgement(j, who.actor()));
  j.revision = revision.revision;
  return std::make_pair(std::move(j), std::move(revision));
}

absl::StatusOr<SchoolEvaluation> Checklist::EvaluateSchool(
    const Principal& who, const SchoolRowKey& key, const std::string& standard,
    int64_t as_of) {
  // A school may check itself against the standard: that is reading its own
  // statistics, not the county's evaluation.
  RETURN_IF_ERROR(Authorize(who, Permission::kReadStatistics,
                            Scope::School(key.county, key.school)));
  ASSIGN_OR_RETURN(const v1::IndicatorStandard* rules, Standard(standard));
  ASSIGN_OR_RETURN(StoredSchool stored, store_.LoadSchool(key, as_of));
  ASSIGN_OR_RETURN(SchoolStats school,
                   csv::SchoolsImporter::FromCells(stored.cells));
  ASSIGN_OR_RETURN(SchoolVerdict verdict,
                   checklist::EvaluateSchool(*rules, school));
  return SchoolEvaluation{std::move(verdict), rules, stored.revision};
}

absl::StatusOr<std::shared_ptr<const Checklist::CountyData>>
Checklist::LoadCountyData(const std::string& county, int year, int64_t as_of) {
  // Rows are only ever added under new revisions, so the snapshot's newest
  // revision identifies its contents: a cached parse of the same revision is
  // exactly what loading again would give. Every revision up to the newest
  // is stored (they are committed in order), so "as of the newest" reads
  // the same rows as "as of anything later" until a new one comes.
  const int64_t latest = store_.LatestRevision();
  const int64_t at = as_of > 0 ? std::min(as_of, latest) : latest;
  const std::string at_key = absl::StrCat(county, "/", year, "/", at);
  std::optional<int64_t> known;
  {
    MutexLock lock(&cache_mu_);
    auto it = snapshot_revisions_.find(at_key);
    if (it != snapshot_revisions_.end()) known = it->second;
  }
  int64_t revision = 0;
  if (known) {
    revision = *known;
  } else {
    ASSIGN_OR_RETURN(revision, store_.SnapshotRevision(county, year, at));
    if (at > 0) {
      MutexLock lock(&cache_mu_);
      // Bounded by forgetting all: asking the store again is only slower.
      if (snapshot_revisions_.size() >= 4 * options_.cached_counties) {
        snapshot_revisions_.clear();
      }
      snapshot_revisions_.emplace(at_key, revision);
    }
  }
  const std::string key = absl::StrCat(county, "/", year, "/", revision);
  {
    MutexLock lock(&cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(CountySnapshot snapshot,
                   store_.LoadCounty(county, year, revision));
  // revision 0 (nothing at all as of as_of) must not load "the latest".
  if (revision == 0 || (!snapshot.county && snapshot.schools.empty())) {
    return absl::NotFoundError(
        absl::StrCat("no statistics for county ", county, " in ", year,
                     as_of ? absl::StrCat(" as of revision ", as_of) : "",
                     "; import schools.csv and counties.csv first"));
  }
  auto data = std::make_shared<CountyData>();
  data->revision = snapshot.revision;
  data->has_county_row = snapshot.county.has_value();
  CountyInput& input = data->input;
  // Stored cells straight into the evaluator's inputs, once per snapshot.
  if (snapshot.county) {
    ASSIGN_OR_RETURN(input.county,
                     csv::CountiesImporter::FromCells(snapshot.county->cells));
  } else {
    input.county.county_code = county;
    input.county.year = year;
  }
  input.schools.reserve(snapshot.schools.size());
  for (const StoredSchool& s : snapshot.schools) {
    ASSIGN_OR_RETURN(SchoolStats school,
                     csv::SchoolsImporter::FromCells(s.cells));
    input.schools.push_back(std::move(school));
  }
  for (const StoredJudgement& j : snapshot.judgements) {
    input.judgements.push_back(
        {j.code, j.passed, j.score, j.comment, j.evidence});
  }
  data->checked = CheckedCountyInput::Check(input);
  MutexLock lock(&cache_mu_);
  if (cache_order_.size() >= options_.cached_counties) {
    cache_.erase(cache_order_.front());
    cache_order_.pop_front();
  }
  if (cache_.emplace(key, data).second) cache_order_.push_back(key);
  return data;
}

absl::StatusOr<CountyVerdict> Checklist::EvaluateSnapshot(
    const v1::IndicatorStandard& standard, const CountyData& data) const {
  auto it = checked_standards_.find(&standard);
  // A standard that does not check is refused by EvaluateCounty, with why.
  if (it == checked_standards_.end()) {
    return checklist::EvaluateCounty(standard, data.input);
  }
  if (!data.checked.ok()) return data.checked.status();
  return checklist::EvaluateCounty(it->second, *data.checked);
}

absl::StatusOr<CountyEvaluation> Checklist::Evaluate(
    const Principal& who, const std::string& county, int year,
    const v1::IndicatorStandard& standard, int64_t as_of, bool check_evidence,
    std::optional<absl::Time> deadline, std::atomic<bool>* evidence_down) {
  ASSIGN_OR_RETURN(std::shared_ptr<const CountyData> data,
                   LoadCountyData(county, year, as_of));
  CountyEvaluation out;
  ASSIGN_OR_RETURN(out.verdict, EvaluateSnapshot(standard, *data));
  out.standard = &standard;
  out.revision = data->revision;
  if (!data->has_county_row) {
    out.warnings.push_back(
        absl::StrCat("no counties.csv row for ", county, " in ", year,
                     ": county indicators are not reported"));
  }
  std::optional<EvidenceIndex> index = FetchEvidence(
      who, county, year, check_evidence, deadline, evidence_down, out.warnings);
  JudgeEvidence(standard, index ? &*index : nullptr, out.verdict);
  return out;
}

absl::Duration Checklist::ArchiveTimeout(
    std::optional<absl::Time> deadline) const {
  // Leave the caller time to receive the answer.
  absl::Duration timeout = options_.archive_timeout;
  if (deadline.has_value()) {
    timeout = std::min(timeout, (*deadline - absl::Now()) * 0.5);
  }
  return timeout;
}

std::optional<EvidenceIndex> Checklist::FetchEvidence(
    const Principal& who, const std::string& county, int year,
    bool check_evidence, std::optional<absl::Time> deadline,
    std::atomic<bool>* evidence_down, std::vector<std::string>& warnings) {
  if (!check_evidence) {
    warnings.push_back("evidence status not checked (skipped)");
    return std::nullopt;
  }
  if (evidence_ == nullptr) {
    warnings.push_back(
        "evidence status unknown: the service runs without --archive_addr");
    return std::nullopt;
  }
  if (evidence_down->load()) {
    warnings.push_back(
        "evidence status unknown: the archive did not answer "
        "earlier in this request");
    return std::nullopt;
  }
  const absl::Duration timeout = ArchiveTimeout(deadline);
  auto fetched = evidence_->Fetch(who, county, year, timeout);
  if (fetched.ok()) return *std::move(fetched);
  evidence_down->store(true);
  const absl::Status& why = fetched.status();
  const bool unreachable = absl::IsUnavailable(why) ||
                           absl::IsDeadlineExceeded(why) ||
                           absl::IsCancelled(why);
  warnings.push_back(absl::StrCat(
      "evidence status unknown: the archive ",
      unreachable ? absl::StrCat("did not answer within ",
                                 absl::FormatDuration(timeout))
                  : std::string("refused"),
      " (", absl::StatusCodeToString(why.code()), ": ", why.message(), ")"));
  return std::nullopt;
}

std::optional<EvidenceIndex> Checklist::EvidenceOf(
    const Principal& who, const std::string& county, int year,
    std::optional<absl::Time> deadline, std::vector<std::string>& warnings) {
  std::atomic<bool> evidence_down{false};
  return FetchEvidence(who, county, year, true, deadline, &evidence_down,
                       warnings);
}

absl::StatusOr<std::vector<EvidenceSource::Lookup>> Checklist::LookUpEvidence(
    const Principal& who, const std::vector<std::string>& names,
    std::optional<absl::Time> deadline) {
  if (evidence_ == nullptr) {
    return absl::UnavailableError(
        "the checklist service runs without --archive_addr");
  }
  return evidence_->LookUp(who, names, ArchiveTimeout(deadline));
}

absl::StatusOr<CountyEvaluation> Checklist::EvaluateCounty(
    const Principal& who, const CountyRequest& request) {
  RETURN_IF_ERROR(
      Authorize(who, Permission::kEvaluate, Scope::County(request.county)));
  ASSIGN_OR_RETURN(const v1::IndicatorStandard* standard,
                   Standard(request.standard));
  std::atomic<bool> evidence_down{false};
  return Evaluate(who, request.county, request.year, *standard, request.as_of,
                  request.check_evidence, request.deadline, &evidence_down);
}

absl::StatusOr<const v1::IndicatorStandard*> Checklist::ProvinceStandard(
    const Principal& who, const std::string& province,
    const std::string& standard) const {
  RETURN_IF_ERROR(
      Authorize(who, Permission::kEvaluate, Scope::Province(province)));
  return Standard(standard);
}

absl::StatusOr<std::vector<std::string>> Checklist::ProvinceCounties(
    const Principal& who, ProvinceRequest& request) {
  RETURN_IF_ERROR(
      Authorize(who, Permission::kEvaluate, Scope::Province(request.province)));
  // The whole stream, and every resumption of it, is one snapshot.
  if (request.as_of == 0) {
    request.as_of = store_.LatestRevision();
    // Nothing stored yet: "as of 0" would mean "the latest" to the store,
    // and a county imported meanwhile would get an unpinned token.
    if (request.as_of == 0) return std::vector<std::string>();
  }
  ASSIGN_OR_RETURN(
      std::vector<std::string> listed,
      store_.CountiesOfProvince(request.province, request.year, request.as_of));
  std::vector<std::string> counties;
  for (std::string& county : listed) {
    if (county > request.after_county) counties.push_back(std::move(county));
  }
  return counties;
}

absl::Status Checklist::ScanAudit(
    int64_t from, const std::function<bool(const v1::AuditEntry&)>& fn) {
  return store_.ScanAudit(from, fn);
}

}  // namespace junheng::checklist
