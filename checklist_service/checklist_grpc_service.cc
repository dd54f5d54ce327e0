#include "checklist_service/checklist_grpc_service.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "checklist_service/csv_import.h"
#include "checklist_service/csv_reader.h"
#include "checklist_service/csv_text_check.h"
#include "checklist_service/evaluator.h"
#include "checklist_service/evidence_status.h"
#include "checklist_service/in_order.h"
#include "checklist_service/province_token.h"
#include "checklist_service/row_convert.h"
#include "checklist_service/standard_digest.h"
#include "checklist_service/verdict_proto.h"
#include "common/audit_stream.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

// The parts of a checklist name: counties/C/years/Y[/schools/S][/<tail>].
struct CountyYearName {
  std::string county;
  int year = 0;
  std::string school;  // empty unless /schools/S
  std::string tail;    // what follows, e.g. "statistics" or "judgements/G1"
};

absl::StatusOr<CountyYearName> ParseCountyYear(const std::string& name,
                                               absl::string_view field,
                                               absl::string_view expected) {
  auto bad = [&](absl::string_view why) {
    return InvalidField(std::string(field),
                        absl::StrCat("\"", Excerpt(name, 80), "\" ", why,
                                     "; expected ", expected));
  };
  if (name.size() > kMaxNameLength) return bad("is too long");
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() < 4 || parts[0] != "counties" || parts[2] != "years") {
    return bad("is not a county-year name");
  }
  CountyYearName out;
  if (!IsValidCountyCode(parts[1])) return bad("has no 6-digit county code");
  out.county = parts[1];
  if (parts[3].size() != 4 || !absl::SimpleAtoi(parts[3], &out.year) ||
      out.year < 2000 || out.year > 2100) {
    return bad("has no school year between 2000 and 2100");
  }
  size_t i = 4;
  if (parts.size() > i + 1 && parts[i] == "schools") {
    if (!IsValidSchoolCode(parts[i + 1])) {
      return bad("has no 10-digit school code");
    }
    out.school = parts[i + 1];
    i += 2;
  }
  std::vector<std::string> rest(parts.begin() + i, parts.end());
  out.tail = absl::StrJoin(rest, "/");
  return out;
}

template <typename Row>
std::string KindOf();
template <>
std::string KindOf<SchoolStats>() {
  return "schools.csv";
}
template <>
std::string KindOf<CountyStats>() {
  return "counties.csv";
}

// A file that is not CSV text: one violation, for the line (csv:L:) or the
// whole file (csv:0:), in place of row errors that would quote its bytes.
absl::Status NotCsvText(const std::string& kind,
                        const csv::TextProblem& problem) {
  const absl::Status violation =
      InvalidField(absl::StrCat("csv:", problem.line, ":"),
                   absl::StrCat(problem.reason, "; ", problem.detail));
  // The message is the short reason alone, not "field: reason; detail".
  absl::Status out = absl::InvalidArgumentError(
      absl::StrCat(kind, ": ", problem.reason, "; nothing was imported"));
  violation.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) {
        out.SetPayload(url, payload);
      });
  return out;
}

// Whether `token` may resume the stream `request` asks for (AIP-158: the
// other fields must be those of the first request).
absl::Status CheckResumption(const ProvinceToken& request,
                             const ProvinceToken& token) {
  if (token.province != request.province || token.year != request.year ||
      token.view != request.view || token.standard_id != request.standard_id ||
      (request.revision != 0 && request.revision != token.revision)) {
    return InvalidField(
        "page_token",
        absl::StrCat("was issued for another request (provinces/",
                     token.province, "/years/", token.year, ", standards/",
                     token.standard_id, ", as of revision ", token.revision,
                     "); resend the first request's name, standard, "
                     "as_of_revision and view with it"));
  }
  // The same name, other rules: the server's standard file changed.
  if (token.standard_sha256 != request.standard_sha256) {
    return absl::FailedPreconditionError(absl::StrCat(
        "standards/", token.standard_id,
        " has changed on this server since the stream began (sha256 ",
        token.standard_sha256.substr(0, 12), "… then, ",
        request.standard_sha256.substr(0, 12),
        "… now): the counties received so far were judged by other rules; "
        "start again without page_token"));
  }
  return absl::OkStatus();
}

}  // namespace

ChecklistGrpcService::ChecklistGrpcService(
    ChecklistStore& store, Authenticator& auth, StandardMap standards,
    std::unique_ptr<v1::ArchiveService::Stub> archive, ChecklistOptions options)
    : store_(store),
      auth_(auth),
      standards_(WithContentHashes(std::move(standards))),
      archive_(std::move(archive)),
      options_(std::move(options)),
      pool_(options_.evaluation_threads) {}

absl::StatusOr<const v1::IndicatorStandard*> ChecklistGrpcService::Standard(
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
        absl::StrCat("no standard standards/", id,
                     "; loaded: ", absl::StrJoin(known, ", ")));
  }
  return &it->second;
}

absl::StatusOr<Principal> ChecklistGrpcService::Admit(
    const grpc::ServerContext& context, Permission permission) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(context));
  RETURN_IF_ERROR(Authorize(who, permission, who.scope));
  return who;
}

grpc::Status ChecklistGrpcService::ListStandards(
    grpc::ServerContext* context, const v1::ListStandardsRequest*,
    v1::ListStandardsResponse* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStandards);
  if (!who.ok()) return ToGrpc(who.status());
  for (const auto& [id, standard] : standards_) {
    *response->add_standards() = standard;
  }
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::GetStandard(
    grpc::ServerContext* context, const v1::GetStandardRequest* request,
    v1::IndicatorStandard* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStandards);
  if (!who.ok()) return ToGrpc(who.status());
  if (request->name().empty()) {
    return ToGrpc(InvalidField("name", "is required: standards/{id}"));
  }
  auto standard = Standard(request->name());
  if (!standard.ok()) return ToGrpc(standard.status());
  *response = **standard;
  return grpc::Status::OK;
}

template <typename Row, typename Stored>
absl::Status ChecklistGrpcService::Import(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
    v1::ImportResponse* response) {
  ASSIGN_OR_RETURN(Principal who,
                   Admit(*context, Permission::kImportStatistics));
  csv::CsvImporter<Row> importer;
  csv::TextCheck text;
  CellCollector cells;
  csv::CsvReader raw(&cells);
  std::string comment;
  int64_t bytes = 0;
  bool first = true;
  v1::ImportRequest message;
  while (reader->Read(&message)) {
    if (message.has_header()) {
      if (!first) {
        return InvalidField("header", "may only be the first message");
      }
      comment = message.header().comment();
    } else {
      bytes += static_cast<int64_t>(message.csv_chunk().size());
      if (bytes > options_.max_import_bytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            KindOf<Row>(), " is larger than this server accepts (",
            options_.max_import_bytes, " bytes); split it by county"));
      }
      // Not text at all: say so once, and read no further.
      text.Feed(message.csv_chunk());
      if (text.problem()) return NotCsvText(KindOf<Row>(), *text.problem());
      RETURN_IF_ERROR(importer.Feed(message.csv_chunk()));
      raw.Feed(message.csv_chunk());
    }
    first = false;
  }
  if (context->IsCancelled()) {
    return absl::CancelledError("the client cancelled; nothing was imported");
  }
  text.Finish();
  if (text.problem()) return NotCsvText(KindOf<Row>(), *text.problem());
  raw.Finish();
  auto result = importer.Finish();
  if (!result.ok()) {
    std::vector<FieldViolation> violations;
    for (const csv::ImportError& e : importer.errors()) {
      violations.push_back(
          {absl::StrCat("csv:", e.line, ":", e.column), e.reason});
    }
    return InvalidFields(
        absl::StrCat(KindOf<Row>(), " has ", importer.error_count(), " error",
                     importer.error_count() == 1 ? "" : "s",
                     "; nothing was imported"),
        violations);
  }
  if (result->rows.empty()) {
    return InvalidField(
        "csv", absl::StrCat(KindOf<Row>(), " has a header but no rows"));
  }
  std::vector<Stored> rows;
  std::set<std::string> touched;
  for (size_t i = 0; i < result->rows.size(); ++i) {
    const Row& row = result->rows[i];
    Stored stored;
    if constexpr (std::is_same_v<Row, SchoolStats>) {
      stored.key = {row.county_code, row.year, row.school_code};
    } else {
      stored.county = row.county_code;
      stored.year = row.year;
    }
    // Every row must lie in the caller's scope, or nothing is imported.
    const Scope place = [&] {
      if constexpr (std::is_same_v<Row, SchoolStats>) {
        return Scope::School(row.county_code, row.school_code);
      } else {
        return Scope::County(row.county_code);
      }
    }();
    if (absl::Status s = Authorize(who, Permission::kImportStatistics, place);
        !s.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat("line ", result->lines[i], ": ", s.message(),
                       "; nothing was imported"));
    }
    stored.cells = cells.Take(result->lines[i]);
    touched.insert(
        absl::StrCat("counties/", row.county_code, "/years/", row.year));
    rows.push_back(std::move(stored));
  }
  absl::StatusOr<RevisionInfo> revision;
  if constexpr (std::is_same_v<Row, SchoolStats>) {
    revision = store_.PutSchools(rows, who.actor(), comment);
  } else {
    revision = store_.PutCounties(rows, who.actor(), comment);
  }
  if (!revision.ok()) return revision.status();
  response->set_revision(revision->revision);
  response->set_rows(static_cast<int64_t>(rows.size()));
  for (const auto& t : touched) response->add_touched(t);
  return absl::OkStatus();
}

grpc::Status ChecklistGrpcService::ImportSchools(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
    v1::ImportResponse* response) {
  return ToGrpc(Import<SchoolStats, StoredSchool>(context, reader, response));
}

grpc::Status ChecklistGrpcService::ImportCounties(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
    v1::ImportResponse* response) {
  return ToGrpc(Import<CountyStats, StoredCounty>(context, reader, response));
}

namespace {

void SetRevision(const RevisionInfo& info, v1::Revision* out) {
  out->set_revision(info.revision);
  out->mutable_create_time()->set_seconds(info.time_us / 1000000);
  out->mutable_create_time()->set_nanos(
      static_cast<int32_t>(info.time_us % 1000000) * 1000);
  out->set_submitter(info.submitter);
  out->set_kind(info.kind);
  out->set_comment(info.comment);
}

}  // namespace

grpc::Status ChecklistGrpcService::GetSchoolReport(
    grpc::ServerContext* context, const v1::GetSchoolReportRequest* request,
    v1::SchoolReport* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStatistics);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] =
      "counties/{county}/years/{year}/schools/{school}/statistics";
  auto name = ParseCountyYear(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (name->school.empty() || name->tail != "statistics") {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  if (absl::Status s = Authorize(*who, Permission::kReadStatistics,
                                 Scope::School(name->county, name->school));
      !s.ok()) {
    return ToGrpc(s);
  }
  auto school = store_.LoadSchool({name->county, name->year, name->school},
                                  request->as_of_revision());
  if (!school.ok()) return ToGrpc(school.status());
  response->set_name(request->name());
  auto n = school->cells.find("school_name");
  if (n != school->cells.end()) response->set_school_name(n->second);
  for (const auto& [k, v] : school->cells) (*response->mutable_values())[k] = v;
  auto revision = store_.GetRevision(school->revision);
  if (revision.ok()) SetRevision(*revision, response->mutable_revision());
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::RecordJudgement(
    grpc::ServerContext* context, const v1::RecordJudgementRequest* request,
    v1::Judgement* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kRecordJudgement);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] = "counties/{county}/years/{year}/judgements/{code}";
  auto name = ParseCountyYear(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  std::vector<FieldViolation> bad;
  std::string code;
  if (!name->school.empty() || name->tail.rfind("judgements/", 0) != 0) {
    bad.push_back({"name", absl::StrCat("expected ", kShape)});
  } else {
    code = name->tail.substr(11);
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
    if (!judged.contains(code)) {
      bad.push_back({"name", absl::StrCat("\"", Excerpt(code, 20),
                                          "\" is not an indicator or veto item "
                                          "an inspector judges; one of: ",
                                          absl::StrJoin(judged, " "))});
    }
  }
  if (!request->passed() && request->comment().empty()) {
    bad.push_back({"comment",
                   "is required when the judgement fails: say what "
                   "the inspector found"});
  }
  if (request->comment().size() > 4000) {
    bad.push_back({"comment", "is longer than 4000 bytes"});
  }
  if (request->has_score() &&
      (request->score() < 0 || request->score() > 100)) {
    bad.push_back({"score", "must be between 0 and 100"});
  }
  for (int i = 0; i < request->evidence_size(); ++i) {
    if (!ParseEvidenceName(request->evidence(i), "evidence").ok()) {
      bad.push_back({absl::StrCat("evidence[", i, "]"),
                     "must be an archive evidence name, counties/{county}"
                     "[/schools/{school}]/evidence/{id}"});
    }
  }
  if (!bad.empty()) return ToGrpc(InvalidFields("bad judgement", bad));
  if (absl::Status s = Authorize(*who, Permission::kRecordJudgement,
                                 Scope::County(name->county));
      !s.ok()) {
    return ToGrpc(s);
  }
  StoredJudgement j{name->county,
                    name->year,
                    code,
                    request->passed(),
                    request->has_score()
                        ? std::optional<double>(request->score())
                        : std::nullopt,
                    request->comment(),
                    {request->evidence().begin(), request->evidence().end()},
                    0};
  auto revision = store_.PutJudgement(j, who->actor());
  if (!revision.ok()) return ToGrpc(revision.status());
  response->set_name(request->name());
  response->set_code(code);
  response->set_passed(j.passed);
  if (j.score) response->set_score(*j.score);
  response->set_comment(j.comment);
  for (const auto& e : j.evidence) response->add_evidence(e);
  SetRevision(*revision, response->mutable_revision());
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::EvaluateSchool(
    grpc::ServerContext* context, const v1::EvaluateSchoolRequest* request,
    v1::SchoolEvaluation* response) {
  // A school may check itself against the standard: that is reading its own
  // statistics, not the county's evaluation.
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStatistics);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] = "counties/{county}/years/{year}/schools/{school}";
  auto name = ParseCountyYear(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (name->school.empty() || !name->tail.empty()) {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  if (absl::Status s = Authorize(*who, Permission::kReadStatistics,
                                 Scope::School(name->county, name->school));
      !s.ok()) {
    return ToGrpc(s);
  }
  auto standard = Standard(request->standard());
  if (!standard.ok()) return ToGrpc(standard.status());
  auto stored = store_.LoadSchool({name->county, name->year, name->school},
                                  request->as_of_revision());
  if (!stored.ok()) return ToGrpc(stored.status());
  auto schools = SchoolsFromCells({&stored->cells});
  if (!schools.ok()) return ToGrpc(schools.status());
  auto verdict = checklist::EvaluateSchool(**standard, schools->front());
  if (!verdict.ok()) return ToGrpc(verdict.status());
  ToProto(*verdict, request->name(), response);
  response->set_standard(absl::StrCat("standards/", (*standard)->id()));
  response->set_standard_sha256((*standard)->content_sha256());
  response->set_revision(stored->revision);
  return grpc::Status::OK;
}

absl::StatusOr<std::shared_ptr<const ChecklistGrpcService::CountyData>>
ChecklistGrpcService::LoadCountyData(const std::string& county, int year,
                                     int64_t as_of) {
  // Rows are only ever added under new revisions, so the snapshot's newest
  // revision identifies its contents: a cached parse of the same revision is
  // exactly what loading again would give.
  ASSIGN_OR_RETURN(int64_t revision,
                   store_.SnapshotRevision(county, year, as_of));
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
  if (snapshot.county) {
    ASSIGN_OR_RETURN(input.county, CountyFromCells(snapshot.county->cells));
  } else {
    input.county.county_code = county;
    input.county.year = year;
  }
  std::vector<const Cells*> rows;
  for (const auto& s : snapshot.schools) rows.push_back(&s.cells);
  ASSIGN_OR_RETURN(input.schools, SchoolsFromCells(rows));
  for (const auto& j : snapshot.judgements) {
    input.judgements.push_back(
        {j.code, j.passed, j.score, j.comment, j.evidence});
  }
  MutexLock lock(&cache_mu_);
  if (cache_order_.size() >= options_.cached_counties) {
    cache_.erase(cache_order_.front());
    cache_order_.pop_front();
  }
  if (cache_.emplace(key, data).second) cache_order_.push_back(key);
  return data;
}

absl::Status ChecklistGrpcService::Evaluate(
    grpc::ServerContext* context, const Principal& who,
    const std::string& county, int year, const v1::IndicatorStandard& standard,
    int64_t as_of, bool ask_archive, v1::EvaluationView view,
    std::atomic<bool>* archive_down, v1::CountyEvaluation* out) {
  ASSIGN_OR_RETURN(std::shared_ptr<const CountyData> data,
                   LoadCountyData(county, year, as_of));
  const CountyInput& input = data->input;
  ASSIGN_OR_RETURN(CountyVerdict verdict,
                   checklist::EvaluateCounty(standard, input));
  ToProto(verdict, view != v1::EVALUATION_VIEW_SUMMARY, out);
  out->set_name(absl::StrCat("counties/", county, "/years/", year));
  out->set_standard(absl::StrCat("standards/", standard.id()));
  out->set_standard_sha256(standard.content_sha256());
  out->set_revision(data->revision);
  if (!data->has_county_row) {
    out->add_warnings(absl::StrCat("no counties.csv row for ", county, " in ",
                                   year,
                                   ": county indicators are not reported"));
  }

  std::optional<EvidenceIndex> index;
  if (!ask_archive) {
    out->add_warnings("evidence status not checked (skipped)");
  } else if (archive_ == nullptr) {
    out->add_warnings(
        "evidence status unknown: the service runs without --archive_addr");
  } else if (archive_down->load()) {
    out->add_warnings(
        "evidence status unknown: the archive did not answer "
        "earlier in this request");
  } else {
    // Leave the caller time to receive the answer.
    absl::Duration timeout = options_.archive_timeout;
    const auto deadline = context->deadline();
    if (deadline != std::chrono::system_clock::time_point::max()) {
      const absl::Duration left =
          absl::FromChrono(deadline - std::chrono::system_clock::now());
      timeout = std::min(timeout, left * 0.5);
    }
    // The archive authorizes the real caller: this service names it and
    // proves itself with its own token.
    ArchiveMetadata metadata;
    if (!options_.archive_token.empty()) {
      metadata.emplace_back(kAuthorizationMetadataKey,
                            absl::StrCat("Bearer ", options_.archive_token));
      if (!who.token_id.empty()) {
        metadata.emplace_back(kOnBehalfOfMetadataKey, who.token_id);
      }
    }
    // A name is only forwarded for an archive without authentication, and
    // only if gRPC may carry it (printable ASCII; names may be Chinese).
    if (who.token_id.empty() &&
        std::all_of(who.name.begin(), who.name.end(),
                    [](char c) { return c >= 0x20 && c < 0x7f; })) {
      metadata.emplace_back(kUserMetadataKey, who.name);
    }
    auto fetched = FetchEvidence(*archive_, metadata, county, year, timeout);
    if (fetched.ok()) {
      index = *std::move(fetched);
    } else {
      archive_down->store(true);
      const absl::Status& why = fetched.status();
      const bool unreachable = absl::IsUnavailable(why) ||
                               absl::IsDeadlineExceeded(why) ||
                               absl::IsCancelled(why);
      out->add_warnings(
          absl::StrCat("evidence status unknown: the archive ",
                       unreachable ? absl::StrCat("did not answer within ",
                                                  absl::FormatDuration(timeout))
                                   : std::string("refused"),
                       " (", absl::StatusCodeToString(why.code()), ": ",
                       why.message(), ")"));
    }
  }
  std::vector<std::string> counted;
  for (const SchoolVerdict& s : verdict.schools) {
    if (s.inclusion == Inclusion::kCounted) counted.push_back(s.school_code);
  }
  ApplyEvidence(standard, index ? &*index : nullptr, counted, *out);
  out->set_evidence_checked(index ? v1::EVIDENCE_PRESENT
                                  : v1::EVIDENCE_UNKNOWN);
  return absl::OkStatus();
}

grpc::Status ChecklistGrpcService::EvaluateCounty(
    grpc::ServerContext* context, const v1::EvaluateCountyRequest* request,
    v1::CountyEvaluation* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kEvaluate);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] = "counties/{county}/years/{year}";
  auto name = ParseCountyYear(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (!name->school.empty() || !name->tail.empty()) {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  if (absl::Status s =
          Authorize(*who, Permission::kEvaluate, Scope::County(name->county));
      !s.ok()) {
    return ToGrpc(s);
  }
  auto standard = Standard(request->standard());
  if (!standard.ok()) return ToGrpc(standard.status());
  std::atomic<bool> archive_down{false};
  return ToGrpc(Evaluate(context, *who, name->county, name->year, **standard,
                         request->as_of_revision(), !request->skip_evidence(),
                         request->view(), &archive_down, response));
}

grpc::Status ChecklistGrpcService::EvaluateProvince(
    grpc::ServerContext* context, const v1::EvaluateProvinceRequest* request,
    grpc::ServerWriter<v1::EvaluateProvinceResponse>* writer) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kEvaluate);
  if (!who.ok()) return ToGrpc(who.status());
  std::vector<std::string> parts = absl::StrSplit(request->name(), '/');
  int year = 0;
  if (parts.size() != 4 || parts[0] != "provinces" || parts[1].size() != 2 ||
      !std::all_of(parts[1].begin(), parts[1].end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      parts[2] != "years" || !absl::SimpleAtoi(parts[3], &year) ||
      year < 2000 || year > 2100) {
    return ToGrpc(InvalidField(
        "name", "expected provinces/{2-digit province code}/years/{year}"));
  }
  const std::string& province = parts[1];
  if (absl::Status s =
          Authorize(*who, Permission::kEvaluate, Scope::Province(province));
      !s.ok()) {
    return ToGrpc(s);
  }
  auto standard = Standard(request->standard());
  if (!standard.ok()) return ToGrpc(standard.status());
  const v1::IndicatorStandard& rules = **standard;
  // The whole stream, and every resumption of it, is one snapshot.
  ProvinceToken position{province, year, rules.id(), rules.content_sha256(),
                         request->as_of_revision(),
                         // Unspecified is full (AIP-157): the same stream.
                         request->view() == v1::EVALUATION_VIEW_SUMMARY
                             ? v1::EVALUATION_VIEW_SUMMARY
                             : v1::EVALUATION_VIEW_FULL,
                         ""};
  if (!request->page_token().empty()) {
    absl::StatusOr<ProvinceToken> token =
        DecodeProvinceToken(request->page_token());
    if (!token.ok()) {
      return ToGrpc(
          InvalidField("page_token", std::string(token.status().message())));
    }
    if (absl::Status s = CheckResumption(position, *token); !s.ok()) {
      return ToGrpc(s);
    }
    position = *std::move(token);
  } else if (position.revision == 0) {
    position.revision = store_.LatestRevision();
    // Nothing stored yet; "as of 0" would mean "the latest" to the store,
    // and a county imported meanwhile would get an unpinned token.
    if (position.revision == 0) return grpc::Status::OK;
  }
  const int64_t as_of = position.revision;
  auto listed = store_.CountiesOfProvince(province, year, position.revision);
  if (!listed.ok()) return ToGrpc(listed.status());
  std::vector<std::string> counties;
  for (std::string& county : *listed) {
    if (county > position.after_county) counties.push_back(std::move(county));
  }

  // Once the archive fails to answer for one county, the others do not
  // wait for it again: whichever worker sees it first tells the rest.
  std::atomic<bool> archive_down{false};
  auto evaluate = [&](size_t i) {
    v1::EvaluateProvinceResponse item;
    item.set_county(absl::StrCat("counties/", counties[i], "/years/", year));
    item.set_as_of_revision(as_of);
    absl::Status s =
        Evaluate(context, *who, counties[i], year, rules, as_of, true,
                 request->view(), &archive_down, item.mutable_evaluation());
    if (!s.ok()) *item.mutable_error() = ToRpcStatus(s);
    return item;
  };
  bool client_gone = false;
  auto send = [&](size_t i, v1::EvaluateProvinceResponse& item) {
    if (i + 1 < counties.size()) {
      position.after_county = counties[i];
      item.set_next_page_token(EncodeProvinceToken(position));
    }
    client_gone = context->IsCancelled() || !writer->Write(item);
    return !client_gone;
  };
  const size_t window = 2 * static_cast<size_t>(pool_.threads());
  RunInOrder<v1::EvaluateProvinceResponse>(pool_, counties.size(), window,
                                           evaluate, send);
  if (client_gone) {
    return ToGrpc(absl::CancelledError("the client went away"));
  }
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::GetAuditLog(
    grpc::ServerContext* context, const v1::GetAuditLogRequest* request,
    grpc::ServerWriter<v1::AuditEntry>* writer) {
  return GetAuditLogRpc(
      auth_, *context, *request, *writer,
      [this](int64_t from,
             const std::function<bool(const v1::AuditEntry&)>& fn) {
        return store_.ScanAudit(from, fn);
      });
}

}  // namespace junheng::checklist
