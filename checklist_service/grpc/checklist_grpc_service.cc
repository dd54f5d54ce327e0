#include "checklist_service/grpc/checklist_grpc_service.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "checklist_service/grpc/province_token.h"
#include "checklist_service/grpc/verdict_proto.h"
#include "common/audit_stream.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "google/protobuf/arena.h"

namespace junheng::checklist {
namespace {

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

ChecklistGrpcService::ChecklistGrpcService(Checklist& checklist,
                                           Authenticator& auth)
    : checklist_(checklist), auth_(auth) {}

absl::StatusOr<Principal> ChecklistGrpcService::Admit(
    const grpc::ServerContext& context, Permission permission) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(context));
  RETURN_IF_ERROR(Authorize(who, permission, who.scope));
  return who;
}

grpc::Status ChecklistGrpcService::GetCaller(grpc::ServerContext* context,
                                             const v1::GetCallerRequest*,
                                             v1::Caller* response) {
  absl::StatusOr<Principal> who = auth_.Authenticate(*context);
  if (!who.ok()) return ToGrpc(who.status());
  response->set_name(who->name);
  response->set_role(std::string(RoleName(who->role)));
  response->set_scope(who->scope.ToString());
  response->set_token_id(who->token_id);
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::ListStandards(
    grpc::ServerContext* context, const v1::ListStandardsRequest*,
    v1::ListStandardsResponse* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStandards);
  if (!who.ok()) return ToGrpc(who.status());
  for (const auto& [id, standard] : checklist_.standards()) {
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
  auto standard = checklist_.Standard(request->name());
  if (!standard.ok()) return ToGrpc(standard.status());
  *response = **standard;
  return grpc::Status::OK;
}

absl::Status ChecklistGrpcService::Import(
    ImportKind kind, grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportRequest>* reader,
    v1::ImportResponse* response) {
  ASSIGN_OR_RETURN(Principal who,
                   Admit(*context, Permission::kImportStatistics));
  v1::ImportRequest message;
  v1::ImportHeader header;
  // The optional header comes first; the session starts with the first
  // chunk, or at the end for a file without any.
  bool first = true;
  std::unique_ptr<ImportSession> session;
  while (reader->Read(&message)) {
    if (message.has_header()) {
      if (!first) {
        return InvalidField("header", "may only be the first message");
      }
      header = message.header();
    } else {
      if (session == nullptr) {
        session = checklist_.StartImport(kind, who, header);
      }
      RETURN_IF_ERROR(session->Feed(message.csv_chunk()));
    }
    first = false;
  }
  if (context->IsCancelled()) {
    return absl::CancelledError("the client cancelled; nothing was imported");
  }
  if (session == nullptr) session = checklist_.StartImport(kind, who, header);
  ASSIGN_OR_RETURN(ImportOutcome outcome, session->Commit());
  response->set_revision(outcome.revision.revision);
  response->set_rows(outcome.rows);
  for (const auto& t : outcome.touched) response->add_touched(t);
  return absl::OkStatus();
}

grpc::Status ChecklistGrpcService::ImportSchools(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
    v1::ImportResponse* response) {
  return ToGrpc(Import(ImportKind::kSchools, context, reader, response));
}

grpc::Status ChecklistGrpcService::ImportCounties(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
    v1::ImportResponse* response) {
  return ToGrpc(Import(ImportKind::kCounties, context, reader, response));
}

grpc::Status ChecklistGrpcService::GetSchoolReport(
    grpc::ServerContext* context, const v1::GetSchoolReportRequest* request,
    v1::SchoolReport* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStatistics);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] =
      "counties/{county}/years/{year}/schools/{school}/statistics";
  auto name = ParseCountyYearName(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (name->school.empty() || name->tail != "statistics") {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  auto report =
      checklist_.SchoolReport(*who, {name->county, name->year, name->school},
                              request->as_of_revision());
  if (!report.ok()) return ToGrpc(report.status());
  const auto& [school, revision] = *report;
  response->set_name(request->name());
  auto n = school.cells.find("school_name");
  if (n != school.cells.end()) response->set_school_name(n->second);
  for (const auto& [k, v] : school.cells) (*response->mutable_values())[k] = v;
  if (revision) SetRevision(*revision, response->mutable_revision());
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::RecordJudgement(
    grpc::ServerContext* context, const v1::RecordJudgementRequest* request,
    v1::Judgement* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kRecordJudgement);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] = "counties/{county}/years/{year}/judgements/{code}";
  auto name = ParseCountyYearName(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (!name->school.empty() || name->tail.rfind("judgements/", 0) != 0) {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  JudgementRequest judgement{
      name->county,
      name->year,
      name->tail.substr(11),
      request->passed(),
      request->has_score() ? std::optional<double>(request->score())
                           : std::nullopt,
      request->comment(),
      {request->evidence().begin(), request->evidence().end()}};
  auto recorded = checklist_.RecordJudgement(*who, judgement);
  if (!recorded.ok()) return ToGrpc(recorded.status());
  const auto& [j, revision] = *recorded;
  response->set_name(request->name());
  response->set_code(j.code);
  response->set_passed(j.passed);
  if (j.score) response->set_score(*j.score);
  response->set_comment(j.comment);
  for (const auto& e : j.evidence) response->add_evidence(e);
  SetRevision(revision, response->mutable_revision());
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::EvaluateSchool(
    grpc::ServerContext* context, const v1::EvaluateSchoolRequest* request,
    v1::SchoolEvaluation* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kReadStatistics);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] = "counties/{county}/years/{year}/schools/{school}";
  auto name = ParseCountyYearName(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (name->school.empty() || !name->tail.empty()) {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  auto e =
      checklist_.EvaluateSchool(*who, {name->county, name->year, name->school},
                                request->standard(), request->as_of_revision());
  if (!e.ok()) return ToGrpc(e.status());
  ToProto(e->verdict, request->name(), response);
  response->set_standard(absl::StrCat("standards/", e->standard->id()));
  response->set_standard_sha256(e->standard->content_sha256());
  response->set_revision(e->revision);
  return grpc::Status::OK;
}

grpc::Status ChecklistGrpcService::EvaluateCounty(
    grpc::ServerContext* context, const v1::EvaluateCountyRequest* request,
    v1::CountyEvaluation* response) {
  absl::StatusOr<Principal> who = Admit(*context, Permission::kEvaluate);
  if (!who.ok()) return ToGrpc(who.status());
  constexpr char kShape[] = "counties/{county}/years/{year}";
  auto name = ParseCountyYearName(request->name(), "name", kShape);
  if (!name.ok()) return ToGrpc(name.status());
  if (!name->school.empty() || !name->tail.empty()) {
    return ToGrpc(InvalidField("name", absl::StrCat("expected ", kShape)));
  }
  auto e = checklist_.EvaluateCounty(
      *who,
      {name->county, name->year, request->standard(), request->as_of_revision(),
       !request->skip_evidence(), DeadlineOf(*context)});
  if (!e.ok()) return ToGrpc(e.status());
  ToApi(*e, request->view(), response);
  return grpc::Status::OK;
}

namespace {

// One county of a province's stream, built in an arena of its own: a full
// county reply is some 15,000 small messages and strings, which the heap
// allocated and freed one by one.
struct ProvinceItem {
  std::unique_ptr<google::protobuf::Arena> arena;
  v1::EvaluateProvinceResponse* response = nullptr;
};

// Blocks sized to the reply (a full county is ~1 MB in memory, a summary
// ~100 KB), so that an item takes a few blocks rather than a hundred.
google::protobuf::ArenaOptions ArenaFor(v1::EvaluationView view) {
  google::protobuf::ArenaOptions options;
  const bool full = view != v1::EVALUATION_VIEW_SUMMARY;
  options.start_block_size = full ? 256 << 10 : 32 << 10;
  options.max_block_size = full ? 1 << 20 : 128 << 10;
  return options;
}

}  // namespace

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
  auto standard =
      checklist_.ProvinceStandard(*who, province, request->standard());
  if (!standard.ok()) return ToGrpc(standard.status());
  const v1::IndicatorStandard& rules = **standard;
  // Unspecified is full (AIP-157): the same stream.
  const v1::EvaluationView view = request->view() == v1::EVALUATION_VIEW_SUMMARY
                                      ? v1::EVALUATION_VIEW_SUMMARY
                                      : v1::EVALUATION_VIEW_FULL;
  ProvinceToken position{province,
                         year,
                         rules.id(),
                         rules.content_sha256(),
                         request->as_of_revision(),
                         view,
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
  }
  ProvinceRequest query{province,
                        year,
                        &rules,
                        position.revision,
                        position.after_county,
                        DeadlineOf(*context)};
  auto counties = checklist_.ProvinceCounties(*who, query);
  if (!counties.ok()) return ToGrpc(counties.status());
  position.revision = query.as_of;
  const int64_t as_of = query.as_of;

  // Converted on the workers; written in county order on this thread.
  std::function<ProvinceItem(size_t, absl::StatusOr<CountyEvaluation>)>
      convert = [&](size_t i, absl::StatusOr<CountyEvaluation> e) {
        ProvinceItem item;
        item.arena = std::make_unique<google::protobuf::Arena>(ArenaFor(view));
        item.response = google::protobuf::Arena::CreateMessage<
            v1::EvaluateProvinceResponse>(item.arena.get());
        item.response->set_county(
            CountyYearName{(*counties)[i], year, "", ""}.ToString());
        item.response->set_as_of_revision(as_of);
        if (e.ok()) {
          ToApi(*e, view, item.response->mutable_evaluation());
        } else {
          *item.response->mutable_error() = ToRpcStatus(e.status());
        }
        return item;
      };
  bool client_gone = false;
  std::function<bool(size_t, ProvinceItem&)> send = [&](size_t i,
                                                        ProvinceItem& item) {
    if (i + 1 < counties->size()) {
      position.after_county = (*counties)[i];
      item.response->set_next_page_token(EncodeProvinceToken(position));
    }
    client_gone = context->IsCancelled() || !writer->Write(*item.response);
    return !client_gone;
  };
  checklist_.EvaluateProvince(*who, query, *counties, convert, send);
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
        return checklist_.ScanAudit(from, fn);
      });
}

}  // namespace junheng::checklist
