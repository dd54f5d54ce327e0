// Every RPC of both services × every role × targets in and out of the
// role's scope → the expected outcome, against the real binaries.
//
// The expectations are written out by hand from the role table in
// common/access.h, not computed with Authorize(): the test checks the
// services against the policy, not the policy against itself. A method
// added to either service without a row here fails AllMethodsAreCovered.
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/connection.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "junheng/v1/rectification.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using testing::CommandResult;
using testing::ReadFile;
using testing::RunCommand;
using testing::ServerProcess;
using testing::TempDir;
using testing::WriteFile;

// Places a request can name.
enum Target {
  kOwnSchool,
  kSiblingSchool,
  kCounty,
  kForeignSchool,
  kForeignCounty
};
constexpr Target kAllTargets[] = {kOwnSchool, kSiblingSchool, kCounty,
                                  kForeignSchool, kForeignCounty};

const char* TargetName(Target t) {
  switch (t) {
    case kOwnSchool:
      return "own school";
    case kSiblingSchool:
      return "another school of the county";
    case kCounty:
      return "the county";
    case kForeignSchool:
      return "a school of another province";
    case kForeignCounty:
      return "a county of another province";
  }
  return "?";
}
std::string County(Target t) {
  return t == kForeignSchool || t == kForeignCounty ? "440106" : "330106";
}
std::string School(Target t) {
  switch (t) {
    case kOwnSchool:
      return "3301060001";
    case kSiblingSchool:
      return "3301060002";
    case kForeignSchool:
      return "4401060001";
    default:
      return "";
  }
}
std::string Place(Target t) {
  return School(t).empty()
             ? absl::StrCat("counties/", County(t))
             : absl::StrCat("counties/", County(t), "/schools/", School(t));
}

const std::vector<std::string> kRoles = {"school",
                                         "county",
                                         "inspector-county",
                                         "inspector-province",
                                         "inspector-nation",
                                         "province",
                                         "admin",
                                         "service"};

// The places each role may reach, by kind of permission.
using Reach = std::map<std::string, std::set<Target>>;
const std::set<Target> kHome = {kOwnSchool, kSiblingSchool, kCounty};
const std::set<Target> kEverywhere = {kOwnSchool, kSiblingSchool, kCounty,
                                      kForeignSchool, kForeignCounty};
// Reading evidence, statistics, evaluations and audit entries.
const Reach kRead = {
    {"school", {kOwnSchool}},          {"county", kHome},
    {"inspector-county", kHome},       {"inspector-province", kHome},
    {"inspector-nation", kEverywhere}, {"province", kHome}};

struct Call {
  std::string method;  // Service/Method
  std::vector<Target> targets;
  Reach allowed;
  // Runs the call as `token` against `target`.
  std::function<grpc::Status(const std::string& token, Target target)> run;
};

class AccessMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    principals_ = dir_->File("principals.textproto");
    auto create = [](const std::string& role, const std::string& scope,
                     const std::string& name) {
      return testing::CreateToken(principals_, role, scope, name);
    };
    tokens_ = new std::map<std::string, std::string>{
        {"school", create("school", "counties/330106/schools/3301060001", "s")},
        {"county", create("county", "counties/330106", "c")},
        {"inspector-county", create("inspector", "counties/330106", "ic")},
        {"inspector-province", create("inspector", "provinces/33", "ip")},
        {"inspector-nation", create("inspector", "nation", "in")},
        {"province", create("province", "provinces/33", "p")},
        {"admin", create("admin", "", "a")},
        {"service", create("service", "", "svc")},
    };
    revoked_ = new std::string(create("county", "counties/330106", "gone"));
    const std::string revoked_id = revoked_->substr(3, 16);
    CommandResult r = RunCommand(
        "junheng",
        {"admin", "token", "revoke", revoked_id, "--principals", principals_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    WriteFile(dir_->File("service.token"), (*tokens_)["service"] + "\n");

    archive_ = new ServerProcess(
        "junheng-archive",
        {"--data_dir=" + dir_->File("archive"), "--principals=" + principals_});
    ASSERT_TRUE(archive_->Start().ok()) << archive_->Stderr();
    checklist_ = new ServerProcess(
        "junheng-checklist",
        {"--data_dir=" + dir_->File("checklist"), "--principals=" + principals_,
         "--standards_dir=" JUNHENG_SOURCE_DIR "/standards",
         "--archive_addr=" + archive_->address(),
         "--archive_token_file=" + dir_->File("service.token")});
    ASSERT_TRUE(checklist_->Start().ok()) << checklist_->Stderr();
  }

  static void TearDownTestSuite() {
    delete checklist_;
    delete archive_;
    delete tokens_;
    delete revoked_;
    delete dir_;
  }

  void SetUp() override {
    archive_stub_ = v1::ArchiveService::NewStub(Connect(archive_->address()));
    checklist_stub_ =
        v1::ChecklistService::NewStub(Connect(checklist_->address()));
    rectification_stub_ =
        v1::RectificationService::NewStub(Connect(checklist_->address()));
    csv_header_ =
        ReadFile(JUNHENG_SOURCE_DIR "/examples/county-330106/schools.csv");
    csv_header_ = csv_header_.substr(0, csv_header_.find('\n') + 1);
    const std::string counties =
        ReadFile(JUNHENG_SOURCE_DIR "/examples/county-330106/counties.csv");
    county_csv_ =
        counties.substr(0, counties.find('\n', counties.find('\n') + 1) + 1);
    const std::string schools =
        ReadFile(JUNHENG_SOURCE_DIR "/examples/county-330106/schools.csv");
    const size_t first = schools.find('\n') + 1;
    school_row_ = schools.substr(first, schools.find('\n', first) + 1 - first);
  }

  static void Prepare(grpc::ClientContext& c, const std::string& token) {
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token.empty()) c.AddMetadata("authorization", "Bearer " + token);
  }

  // A schools.csv of one row for the target school (or the county's row of
  // counties.csv for a county target).
  std::string CsvFor(Target t) const {
    if (School(t).empty()) {
      return absl::StrReplaceAll(
          county_csv_,
          {{"330106,", County(t) + ","},
           {",2025,33,", ",2025," + County(t).substr(0, 2) + ","}});
    }
    std::string row = school_row_;
    row = absl::StrCat(County(t), ",", School(t),
                       row.substr(row.find(',', row.find(',') + 1)));
    return csv_header_ + row;
  }

  template <typename Request>
  grpc::Status Import(bool schools, const std::string& token,
                      const std::string& csv) {
    grpc::ClientContext c;
    Prepare(c, token);
    v1::ImportResponse response;
    auto writer = schools ? checklist_stub_->ImportSchools(&c, &response)
                          : checklist_stub_->ImportCounties(&c, &response);
    v1::ImportRequest m;
    m.set_csv_chunk(csv);
    writer->Write(m);
    writer->WritesDone();
    return writer->Finish();
  }

  std::vector<Call> Calls();

  static TempDir* dir_;
  static std::string principals_;
  static std::map<std::string, std::string>* tokens_;
  static std::string* revoked_;
  static ServerProcess* archive_;
  static ServerProcess* checklist_;
  std::unique_ptr<v1::ArchiveService::Stub> archive_stub_;
  std::unique_ptr<v1::ChecklistService::Stub> checklist_stub_;
  std::unique_ptr<v1::RectificationService::Stub> rectification_stub_;
  std::string csv_header_, school_row_, county_csv_;
};

TempDir* AccessMatrixTest::dir_ = nullptr;
std::string AccessMatrixTest::principals_;
std::map<std::string, std::string>* AccessMatrixTest::tokens_ = nullptr;
std::string* AccessMatrixTest::revoked_ = nullptr;
ServerProcess* AccessMatrixTest::archive_ = nullptr;
ServerProcess* AccessMatrixTest::checklist_ = nullptr;

std::vector<Call> AccessMatrixTest::Calls() {
  const std::vector<Target> all(std::begin(kAllTargets), std::end(kAllTargets));
  const std::vector<Target> schools = {kOwnSchool, kSiblingSchool,
                                       kForeignSchool};
  const std::vector<Target> counties = {kCounty, kForeignCounty};
  auto evidence = [](Target t) { return Place(t) + "/evidence/matrix-doc"; };
  auto stat_name = [](Target t) {
    return absl::StrCat("counties/", County(t), "/years/2025/schools/",
                        School(t));
  };
  v1::ArchiveService::Stub* a = archive_stub_.get();
  v1::ChecklistService::Stub* ch = checklist_stub_.get();
  std::vector<Call> calls;

  calls.push_back({"ArchiveService/Upload",
                   all,
                   {{"school", {kOwnSchool}}, {"county", kHome}},
                   [a](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::EvidenceVersion version;
                     auto writer = a->Upload(&c, &version);
                     v1::UploadRequest m;
                     m.mutable_header()->set_parent(Place(t));
                     m.mutable_header()->set_evidence_id("matrix-doc");
                     m.mutable_header()->set_title("matrix");
                     m.mutable_header()->add_indicator_codes("R4");
                     m.mutable_header()->set_school_year(2025);
                     writer->Write(m);
                     m.set_chunk("evidence bytes");
                     writer->Write(m);
                     writer->WritesDone();
                     return writer->Finish();
                   }});
  // Whoever may upload may see and abandon its upload sessions (none
  // exist here: allowed callers get NOT_FOUND, the rest PERMISSION_DENIED).
  auto session = [evidence](Target t) {
    return evidence(t) + "/uploads/matrix-upload-1";
  };
  calls.push_back({"ArchiveService/GetUploadSession",
                   all,
                   {{"school", {kOwnSchool}}, {"county", kHome}},
                   [a, session](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::GetUploadSessionRequest r;
                     r.set_name(session(t));
                     v1::UploadSession s;
                     return a->GetUploadSession(&c, r, &s);
                   }});
  calls.push_back({"ArchiveService/DeleteUploadSession",
                   all,
                   {{"school", {kOwnSchool}}, {"county", kHome}},
                   [a, session](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::DeleteUploadSessionRequest r;
                     r.set_name(session(t));
                     google::protobuf::Empty e;
                     return a->DeleteUploadSession(&c, r, &e);
                   }});
  calls.push_back({"ArchiveService/Download", all, kRead,
                   [a, evidence](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::DownloadRequest r;
                     r.set_name(evidence(t));
                     auto reader = a->Download(&c, r);
                     v1::DownloadResponse m;
                     while (reader->Read(&m)) {
                     }
                     return reader->Finish();
                   }});
  calls.push_back({"ArchiveService/GetEvidence", all, kRead,
                   [a, evidence](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::GetEvidenceRequest r;
                     r.set_name(evidence(t));
                     v1::Evidence e;
                     return a->GetEvidence(&c, r, &e);
                   }});
  calls.push_back({"ArchiveService/ListEvidence", all, kRead,
                   [a](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::ListEvidenceRequest r;
                     r.set_parent(Place(t));
                     v1::ListEvidenceResponse e;
                     return a->ListEvidence(&c, r, &e);
                   }});
  calls.push_back({"ArchiveService/ListVersions", all, kRead,
                   [a, evidence](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::ListVersionsRequest r;
                     r.set_parent(evidence(t));
                     v1::ListVersionsResponse e;
                     return a->ListVersions(&c, r, &e);
                   }});
  // Delete then undelete, so every row sees the same state.
  calls.push_back({"ArchiveService/DeleteEvidence",
                   all,
                   {{"county", kHome}},
                   [a, evidence](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::DeleteEvidenceRequest r;
                     r.set_name(evidence(t));
                     v1::Evidence e;
                     grpc::Status s = a->DeleteEvidence(&c, r, &e);
                     if (s.ok()) {
                       grpc::ClientContext c2;
                       Prepare(c2, token);
                       v1::UndeleteEvidenceRequest u;
                       u.set_name(evidence(t));
                       a->UndeleteEvidence(&c2, u, &e);
                     }
                     return s;
                   }});
  calls.push_back({"ArchiveService/UndeleteEvidence",
                   all,
                   {{"county", kHome}},
                   [a, evidence](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::UndeleteEvidenceRequest r;
                     r.set_name(evidence(t));
                     v1::Evidence e;
                     // Live evidence: ALREADY_EXISTS once authorized.
                     return a->UndeleteEvidence(&c, r, &e);
                   }});
  // After every other archive row: a freeze only ever extends, and frozen
  // evidence refuses uploads and deletes (FAILED_PRECONDITION, which is
  // still "not refused by access control").
  calls.push_back(
      {"ArchiveService/FreezeEvidence",
       all,
       {{"county", kHome},
        {"inspector-county", kHome},
        {"inspector-province", kHome},
        {"inspector-nation", kEverywhere},
        {"province", kHome}},
       [a](const std::string& token, Target t) {
         grpc::ClientContext c;
         Prepare(c, token);
         v1::FreezeEvidenceRequest r;
         r.set_parent(Place(t));
         r.mutable_retain_until()->set_seconds(
             std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             3600);
         r.set_reason("access matrix");
         v1::EvidenceFreeze f;
         return a->FreezeEvidence(&c, r, &f);
       }});
  Reach audit = kRead;
  audit["admin"] = kEverywhere;
  auto audit_call = [](auto* stub) {
    return [stub](const std::string& token, Target t) {
      grpc::ClientContext c;
      Prepare(c, token);
      v1::GetAuditLogRequest r;
      r.set_resource_prefix(Place(t));
      auto reader = stub->GetAuditLog(&c, r);
      v1::AuditEntry e;
      while (reader->Read(&e)) {
      }
      return reader->Finish();
    };
  };
  calls.push_back({"ArchiveService/GetAuditLog", all, audit, audit_call(a)});
  calls.push_back({"ChecklistService/GetAuditLog", all, audit, audit_call(ch)});

  Reach standards;
  for (const std::string& role : kRoles) {
    if (role != "admin" && role != "service") standards[role] = {kCounty};
  }
  Reach everyone;
  for (const std::string& role : kRoles) everyone[role] = {kCounty};
  calls.push_back({"ChecklistService/GetCaller",
                   {kCounty},
                   everyone,
                   [ch](const std::string& token, Target) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::Caller caller;
                     return ch->GetCaller(&c, {}, &caller);
                   }});
  calls.push_back({"ChecklistService/ListStandards",
                   {kCounty},
                   standards,
                   [ch](const std::string& token, Target) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::ListStandardsResponse r;
                     return ch->ListStandards(&c, {}, &r);
                   }});
  calls.push_back({"ChecklistService/GetStandard",
                   {kCounty},
                   standards,
                   [ch](const std::string& token, Target) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::GetStandardRequest r;
                     r.set_name("standards/moe-2017-quality");
                     v1::IndicatorStandard s;
                     return ch->GetStandard(&c, r, &s);
                   }});
  calls.push_back(
      {"ChecklistService/ImportSchools",
       schools,
       {{"school", {kOwnSchool}}, {"county", kHome}, {"province", kHome}},
       [this](const std::string& token, Target t) {
         return Import<v1::ImportRequest>(true, token, CsvFor(t));
       }});
  calls.push_back({"ChecklistService/ImportCounties",
                   counties,
                   {{"county", kHome}, {"province", kHome}},
                   [this](const std::string& token, Target t) {
                     return Import<v1::ImportRequest>(false, token, CsvFor(t));
                   }});
  calls.push_back({"ChecklistService/GetSchoolReport", schools, kRead,
                   [ch, stat_name](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::GetSchoolReportRequest r;
                     r.set_name(stat_name(t) + "/statistics");
                     v1::SchoolReport s;
                     return ch->GetSchoolReport(&c, r, &s);
                   }});
  calls.push_back({"ChecklistService/EvaluateSchool", schools, kRead,
                   [ch, stat_name](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::EvaluateSchoolRequest r;
                     r.set_name(stat_name(t));
                     v1::SchoolEvaluation s;
                     return ch->EvaluateSchool(&c, r, &s);
                   }});
  calls.push_back({"ChecklistService/RecordJudgement",
                   counties,
                   {{"inspector-county", kHome},
                    {"inspector-province", kHome},
                    {"inspector-nation", kEverywhere}},
                   [ch](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::RecordJudgementRequest r;
                     r.set_name(absl::StrCat("counties/", County(t),
                                             "/years/2025/judgements/G1"));
                     r.set_passed(true);
                     v1::Judgement j;
                     return ch->RecordJudgement(&c, r, &j);
                   }});
  Reach evaluate = kRead;
  evaluate.erase("school");
  calls.push_back({"ChecklistService/EvaluateCounty", counties, evaluate,
                   [ch](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::EvaluateCountyRequest r;
                     r.set_name(
                         absl::StrCat("counties/", County(t), "/years/2025"));
                     v1::CountyEvaluation e;
                     return ch->EvaluateCounty(&c, r, &e);
                   }});
  // A province target: kCounty stands for province 33, kForeignCounty for 44.
  calls.push_back({"ChecklistService/EvaluateProvince",
                   counties,
                   {{"inspector-province", {kCounty}},
                    {"inspector-nation", kEverywhere},
                    {"province", {kCounty}}},
                   [ch](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::EvaluateProvinceRequest r;
                     r.set_name(absl::StrCat(
                         "provinces/", County(t).substr(0, 2), "/years/2025"));
                     auto reader = ch->EvaluateProvince(&c, r);
                     v1::EvaluateProvinceResponse e;
                     while (reader->Read(&e)) {
                     }
                     return reader->Finish();
                   }});

  // Rectification: planning reads like an evaluation; only the county
  // adopts; a school reaches its own items (none here, so only the list).
  v1::RectificationService::Stub* re = rectification_stub_.get();
  auto county_year = [](Target t) {
    return absl::StrCat("counties/", County(t), "/years/2025");
  };
  auto item_name = [county_year](Target t) {
    return county_year(t) + "/rectificationItems/1";
  };
  calls.push_back({"RectificationService/PlanRectification", counties, evaluate,
                   [re, county_year](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::PlanRectificationRequest r;
                     r.set_name(county_year(t));
                     v1::RectificationPlan p;
                     return re->PlanRectification(&c, r, &p);
                   }});
  calls.push_back({"RectificationService/SimulateRectification", counties,
                   evaluate,
                   [re, county_year](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::SimulateRectificationRequest r;
                     r.set_name(county_year(t));
                     v1::SimulateRectificationResponse p;
                     return re->SimulateRectification(&c, r, &p);
                   }});
  calls.push_back({"RectificationService/AdoptRectificationPlan",
                   counties,
                   {{"county", kHome}},
                   [re, county_year](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::AdoptRectificationPlanRequest r;
                     r.set_parent(county_year(t));
                     // No actions: INVALID_ARGUMENT once authorized.
                     r.mutable_plan()->set_name(county_year(t));
                     v1::AdoptRectificationPlanResponse p;
                     return re->AdoptRectificationPlan(&c, r, &p);
                   }});
  calls.push_back({"RectificationService/GetRectificationItem", counties,
                   evaluate,
                   [re, item_name](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::GetRectificationItemRequest r;
                     r.set_name(item_name(t));
                     v1::RectificationItem i;
                     return re->GetRectificationItem(&c, r, &i);
                   }});
  Reach list = kRead;
  list["school"] = {kCounty};
  calls.push_back({"RectificationService/ListRectificationItems", counties,
                   list, [re, county_year](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::ListRectificationItemsRequest r;
                     r.set_parent(county_year(t));
                     v1::ListRectificationItemsResponse l;
                     return re->ListRectificationItems(&c, r, &l);
                   }});
  calls.push_back({"RectificationService/UpdateRectificationItem",
                   counties,
                   {{"county", kHome}},
                   [re, item_name](const std::string& token, Target t) {
                     grpc::ClientContext c;
                     Prepare(c, token);
                     v1::UpdateRectificationItemRequest r;
                     r.mutable_item()->set_name(item_name(t));
                     r.mutable_item()->set_status(
                         v1::RectificationItem::IN_PROGRESS);
                     r.mutable_update_mask()->add_paths("status");
                     v1::RectificationItem i;
                     return re->UpdateRectificationItem(&c, r, &i);
                   }});
  return calls;
}

TEST_F(AccessMatrixTest, AllMethodsAreCovered) {
  std::set<std::string> covered;
  for (const Call& call : Calls()) covered.insert(call.method);
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* service :
       {"junheng.v1.ArchiveService", "junheng.v1.ChecklistService",
        "junheng.v1.RectificationService"}) {
    const auto* descriptor = pool->FindServiceByName(service);
    ASSERT_NE(descriptor, nullptr) << service;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string method =
          absl::StrCat(descriptor->name(), "/", descriptor->method(i)->name());
      EXPECT_TRUE(covered.contains(method))
          << method
          << " has no row in the access matrix: add one with the "
             "roles that may call it";
    }
  }
}

TEST_F(AccessMatrixTest, EveryRoleGetsExactlyWhatItsScopeAllows) {
  // Seed evidence where it may be written, so allowed reads find something.
  for (Target t : {kOwnSchool, kSiblingSchool, kCounty}) {
    for (const Call& call : Calls()) {
      if (call.method == "ArchiveService/Upload") {
        ASSERT_TRUE(call.run((*tokens_)["county"], t).ok());
      }
    }
  }
  int checked = 0;
  for (const Call& call : Calls()) {
    for (const std::string& role : kRoles) {
      for (Target t : call.targets) {
        const auto reach = call.allowed.find(role);
        const bool allowed =
            reach != call.allowed.end() && reach->second.contains(t);
        const grpc::Status s = call.run((*tokens_)[role], t);
        const std::string where =
            absl::StrCat(call.method, " as ", role, " on ", TargetName(t), ": ",
                         s.error_code(), " ", s.error_message());
        if (allowed) {
          EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << where;
          EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << where;
        } else {
          // Refused before anything is looked up: never NOT_FOUND, so a
          // refusal does not tell whether the target exists.
          EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << where;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300);
}

TEST_F(AccessMatrixTest, EveryMethodRefusesCallersWithoutAValidToken) {
  const std::string unknown =
      "jh_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  for (const Call& call : Calls()) {
    for (const std::string& token :
         {std::string(), std::string("not-a-token"), unknown, *revoked_}) {
      const grpc::Status s = call.run(token, kOwnSchool);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << call.method << " with token \"" << token.substr(0, 20)
          << "\": " << s.error_message();
    }
  }
}

}  // namespace
}  // namespace junheng
