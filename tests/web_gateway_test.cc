// junheng-web against the real services: the REST face transcodes every
// annotated method faithfully (the JSON is the gRPC answer), files stream
// through with flat memory both ways, every bad request gets an AIP-193
// error body with the right HTTP code, and the console's files are served
// with the security headers.
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/connection.h"
#include "clients/web/openapi.h"
#include "clients/web/routes.h"
#include "common/school_table.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "junheng/v1/rectification.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::ServerProcess;
using testing::TempDir;
using testing::WriteFile;

constexpr char kExample[] = JUNHENG_SOURCE_DIR "/examples/county-330106/";
constexpr char kSchool[] = "counties/330106/schools/2133010601";

template <typename M>
M FromJson(const std::string& json) {
  M message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json.substr(0, 500);
  return message;
}

// The fields of an AIP-193 error body.
struct ErrorBody {
  int code = 0;
  std::string status;
  std::string message;
  std::vector<std::string> fields;  // field violations' fields
};

ErrorBody ErrorOf(const std::string& json) {
  google::protobuf::Struct s = FromJson<google::protobuf::Struct>(json);
  ErrorBody e;
  const auto& error = s.fields().at("error").struct_value().fields();
  e.code = static_cast<int>(error.at("code").number_value());
  e.status = error.at("status").string_value();
  e.message = error.at("message").string_value();
  for (const auto& d : error.at("details").list_value().values()) {
    const auto& f = d.struct_value().fields();
    if (!f.contains("fieldViolations")) continue;
    for (const auto& v : f.at("fieldViolations").list_value().values()) {
      e.fields.push_back(v.struct_value().fields().at("field").string_value());
    }
  }
  return e;
}

class WebGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string principals = dir_.File("principals.textproto");
    auto create = [&](const std::string& role, const std::string& scope,
                      const std::string& name) {
      return testing::CreateToken(principals, role, scope, name);
    };
    tokens_ = {
        {"county", create("county", "counties/330106", "钱塘示范县教育局")},
        {"school", create("school", kSchool, "实验小学")},
        {"inspector", create("inspector", "provinces/33", "省督导组")},
        {"province", create("province", "provinces/33", "省教育厅")},
    };
    auto services = testing::StartServices(dir_, principals,
                                           JUNHENG_SOURCE_DIR "/standards");
    ASSERT_TRUE(services.ok()) << services.status();
    archive_ = std::move(services->archive);
    checklist_ = std::move(services->checklist);
    // A stand-in for the built console: an index page and one asset.
    std::filesystem::create_directories(dir_.File("console/assets"));
    WriteFile(dir_.File("console/index.html"), "<!doctype html><p>均衡</p>");
    WriteFile(dir_.File("console/assets/app-1234.js"), "console.log(1)");
    web_ = std::make_unique<ServerProcess>(
        "junheng-web",
        std::vector<std::string>{"--checklist_addr=" + checklist_->address(),
                                 "--archive_addr=" + archive_->address(),
                                 "--console_dir=" + dir_.File("console")});
    ASSERT_TRUE(web_->Start().ok()) << web_->Stderr();
    http_ = std::make_unique<httplib::Client>("http://" + web_->address());
    http_->set_read_timeout(120);
    http_->set_write_timeout(120);
  }

  httplib::Headers As(const std::string& who) {
    return {{"Authorization", "Bearer " + tokens_.at(who)}};
  }

  httplib::Result Get(const std::string& path, const std::string& who) {
    return http_->Get(path, As(who));
  }
  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& who,
                       const std::string& type = "application/json") {
    return http_->Post(path, As(who), body, type);
  }

  void ImportExample() {
    for (const char* table : {"schools", "counties"}) {
      auto r = Post(absl::StrCat("/v1/statistics/", table, ":import"),
                    ReadFile(absl::StrCat(kExample, table, ".csv")), "county",
                    "text/csv");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
    }
  }

  std::shared_ptr<grpc::Channel> Channel(const ServerProcess& p) {
    return Connect(p.address());
  }

  TempDir dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<ServerProcess> archive_, checklist_, web_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(WebGatewayTest, EveryMethodHasARouteAndTheOpenApiDocumentListsIt) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const char* name :
       {"junheng.v1.ArchiveService", "junheng.v1.ChecklistService",
        "junheng.v1.RectificationService"}) {
    const auto* s = pool->FindServiceByName(name);
    ASSERT_NE(s, nullptr) << name;
    services.push_back(s);
    for (int i = 0; i < s->method_count(); ++i) {
      EXPECT_TRUE(s->method(i)->options().HasExtension(google::api::http))
          << s->method(i)->full_name()
          << " has no google.api.http annotation (AIP-127)";
    }
  }
  auto table = web::RouteTable::Build(services);
  ASSERT_TRUE(table.ok()) << table.status();
  auto r = http_->Get("/v1/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto doc = FromJson<google::protobuf::Struct>(r->body);
  const auto& paths = doc.fields().at("paths").struct_value().fields();
  int operations = 0;
  for (const auto& route : table->routes()) {
    const std::string path = web::OpenApiPath(route.path);
    ASSERT_TRUE(paths.contains(path)) << path;
    std::string method = route.http_method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    EXPECT_TRUE(paths.at(path).struct_value().fields().contains(method))
        << method << " " << path;
    ++operations;
  }
  EXPECT_GE(operations, 33);
  EXPECT_TRUE(paths.contains(
      "/v1/counties/{county}/years/{year}/schools/{school}:evaluate"));
}

TEST_F(WebGatewayTest, TheCallerIsWhoTheTokenSaysAndNoTokenIs401) {
  auto r = Get("/v1/me", "school");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto caller = FromJson<v1::Caller>(r->body);
  EXPECT_EQ(caller.name(), "实验小学");
  EXPECT_EQ(caller.role(), "school");
  EXPECT_EQ(caller.scope(), kSchool);
  EXPECT_THAT(r->body, Not(HasSubstr(tokens_["school"])));

  r = http_->Get("/v1/me");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(ErrorOf(r->body).status, "UNAUTHENTICATED");
  r = http_->Get("/v1/me", {{"Authorization", "Bearer not-a-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // The gateway holds no rights: a school reaches only its own school.
  r = Get("/v1/counties/330106/schools/2133010602/evidence", "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(ErrorOf(r->body).status, "PERMISSION_DENIED");
}

TEST_F(WebGatewayTest, ABadRowNamesLineAndColumnAndNothingIsStored) {
  std::string csv = ReadFile(std::string(kExample) + "schools.csv");
  // Line 3's year (the fourth column) becomes text.
  std::vector<std::string> lines = absl::StrSplit(csv, '\n');
  std::vector<std::string> cells = absl::StrSplit(lines[2], ',');
  cells[3] = "abc";
  lines[2] = absl::StrJoin(cells, ",");
  auto r = Post("/v1/statistics/schools:import", absl::StrJoin(lines, "\n"),
                "county", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  ErrorBody e = ErrorOf(r->body);
  EXPECT_EQ(e.status, "INVALID_ARGUMENT");
  EXPECT_THAT(e.fields, ::testing::ElementsAre("csv:3:year"));
  EXPECT_THAT(e.message, HasSubstr("nothing was imported"));
  r = Get("/v1/counties/330106/years/2025:evaluate?view=SUMMARY", "county");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;

  ImportExample();
  r = Get("/v1/counties/330106/years/2025:evaluate?view=SUMMARY", "county");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(WebGatewayTest, TheJsonIsExactlyTheGrpcAnswer) {
  ImportExample();
  auto r = Get("/v1/counties/330106/years/2025:evaluate?skipEvidence=true",
               "inspector");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  auto via_rest = FromJson<v1::CountyEvaluation>(r->body);

  auto stub = v1::ChecklistService::NewStub(Channel(*checklist_));
  grpc::ClientContext context;
  AddCallerMetadata(context, tokens_["inspector"], "");
  v1::EvaluateCountyRequest request;
  request.set_name("counties/330106/years/2025");
  request.set_skip_evidence(true);
  v1::CountyEvaluation direct;
  ASSERT_TRUE(stub->EvaluateCounty(&context, request, &direct).ok());
  // gRPC carries the schools as columns, the JSON as messages.
  EXPECT_TRUE(direct.has_school_table());
  ASSERT_TRUE(ExpandEvaluation(&direct).ok());
  google::protobuf::util::MessageDifferencer diff;
  std::string report;
  diff.ReportDifferencesToString(&report);
  EXPECT_TRUE(diff.Compare(direct, via_rest)) << report;
  EXPECT_GT(via_rest.schools_size(), 30);
  // Primitive fields are printed even when zero or false, so a browser
  // never meets `undefined`.
  EXPECT_THAT(r->body, HasSubstr("\"judgementComment\":\"\""));
}

TEST_F(WebGatewayTest, JudgementsPlansAndItemsThroughJsonBodies) {
  ImportExample();
  auto r = Post("/v1/counties/330106/years/2025/judgements/Q3:record",
                R"({"passed": true, "comment": "章程齐全"})", "inspector");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(FromJson<v1::Judgement>(r->body).passed());

  r = Post("/v1/counties/330106/years/2025:planRectification", "{}", "county");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  auto plan = FromJson<v1::RectificationPlan>(r->body);
  EXPECT_TRUE(plan.feasible());
  v1::AdoptRectificationPlanRequest adopt;
  *adopt.mutable_plan() = plan;
  adopt.set_owner("县教育局装备科");
  adopt.mutable_deadline()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                        86400 * 90);
  std::string body;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(adopt, &body).ok());
  r = Post("/v1/counties/330106/years/2025/rectificationItems:adopt", body,
           "county");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;

  r = Get("/v1/counties/330106/years/2025/rectificationItems?pageSize=2",
          "county");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto page = FromJson<v1::ListRectificationItemsResponse>(r->body);
  ASSERT_EQ(page.items_size(), 2);
  EXPECT_FALSE(page.next_page_token().empty());

  const std::string item = page.items(0).name();
  r = http_->Patch(absl::StrCat("/v1/", item, "?updateMask=status"),
                   As("county"), R"({"status": "IN_PROGRESS"})",
                   "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(FromJson<v1::RectificationItem>(r->body).status(),
            v1::RectificationItem::IN_PROGRESS);
  // An inspector reads but does not update.
  r = http_->Patch(absl::StrCat("/v1/", item, "?updateMask=status"),
                   As("inspector"), R"({"status": "DONE"})",
                   "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
}

TEST_F(WebGatewayTest, StreamsComeAsJsonArrays) {
  ImportExample();
  auto r = Get("/v1/provinces/33/years/2025:evaluate?view=SUMMARY", "province");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  auto list = FromJson<google::protobuf::ListValue>(r->body);
  ASSERT_EQ(list.values_size(), 1);
  EXPECT_EQ(list.values(0).struct_value().fields().at("county").string_value(),
            "counties/330106/years/2025");
  // The full view: gRPC's school columns reach the JSON as school messages.
  r = Get("/v1/provinces/33/years/2025:evaluate", "province");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_THAT(r->body, Not(HasSubstr("schoolTable")));
  list = FromJson<google::protobuf::ListValue>(r->body);
  ASSERT_EQ(list.values_size(), 1);
  const auto& evaluation =
      list.values(0).struct_value().fields().at("evaluation").struct_value();
  EXPECT_EQ(evaluation.fields().at("schools").list_value().values_size(), 40);

  r = Get("/v1/checklist/auditLog?resourcePrefix=counties/330106", "county");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  list = FromJson<google::protobuf::ListValue>(r->body);
  EXPECT_EQ(list.values_size(), 41);  // 40 schools and the county row
  // An empty stream is an empty array; a refused one an error.
  r = Get("/v1/archive/auditLog?resourcePrefix=counties/330106", "county");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "[]");
  r = Get("/v1/provinces/34/years/2025:evaluate", "province");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
}

TEST_F(WebGatewayTest, FilesStreamBothWaysVerifiedWithFlatMemory) {
  constexpr int64_t kSize = 192 << 20;
  const std::string bytes = testing::TestBytes(kSize, 7);
  const std::string sha = ToHex(Sha256::Of(bytes));
  const std::string upload =
      absl::StrCat("/v1/", kSchool,
                   "/evidence/r4-ledger:upload?title=%E5%8F%B0%E8%B4%A6"
                   "&indicatorCodes=R4&indicatorCodes=R5&schoolYear=2025"
                   "&filename=%E5%8F%B0%E8%B4%A6.pdf&sha256=",
                   sha);
  // Sent in pieces, as a browser does, never as one buffer in the gateway.
  auto r = http_->Post(
      upload, As("school"), static_cast<size_t>(kSize),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        sink.write(bytes.data() + offset, std::min<size_t>(length, 1 << 16));
        return true;
      },
      "application/pdf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto version = FromJson<v1::EvidenceVersion>(r->body);
  EXPECT_EQ(version.version(), 1);
  EXPECT_EQ(version.size_bytes(), kSize);
  EXPECT_EQ(version.content_type(), "application/pdf");
  EXPECT_EQ(version.filename(), "台账.pdf");
  EXPECT_EQ(version.uploader(), "实验小学");

  std::string got;
  httplib::Headers headers;
  r = http_->Get(
      absl::StrCat("/v1/", kSchool, "/evidence/r4-ledger:download"),
      As("inspector"),
      [&](const httplib::Response& res) {
        headers = res.headers;
        return true;
      },
      [&](const char* data, size_t n) {
        got.append(data, n);
        return true;
      });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(got.size(), bytes.size());
  EXPECT_TRUE(got == bytes);
  EXPECT_EQ(r->get_header_value("ETag"), absl::StrCat("\"", sha, "\""));
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/pdf");
  EXPECT_THAT(r->get_header_value("Content-Disposition"),
              HasSubstr("filename*=UTF-8''"));  // (the client decodes it)
  EXPECT_EQ(r->get_header_value("X-Junheng-Version"),
            absl::StrCat(kSchool, "/evidence/r4-ledger/versions/1"));
  // 192 MiB went through each way; the gateway never held more than a few
  // chunks of it.
  const int64_t peak = web_->PeakRssBytes();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Sanitizer shadow memory and quarantine say nothing about the gateway's.
  EXPECT_GT(peak, 0);
#else
  EXPECT_LT(peak, 96 << 20) << "peak RSS " << (peak >> 20) << " MiB";
#endif

  // A range, by the version's name.
  r = Get(absl::StrCat("/v1/", kSchool,
                       "/evidence/r4-ledger/versions/1:download"
                       "?offset=1000&length=5000"),
          "school");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == bytes.substr(1000, 5000));
  // And an HTTP Range, as a browser resuming a download sends it.
  const std::string latest =
      absl::StrCat("/v1/", kSchool, "/evidence/r4-ledger:download");
  httplib::Headers ranged = As("school");
  ranged.emplace("Range", "bytes=1000-5999");
  r = http_->Get(latest, ranged);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->get_header_value("Content-Range"),
            absl::StrCat("bytes 1000-5999/", kSize));
  EXPECT_TRUE(r->body == bytes.substr(1000, 5000));
  ranged = As("school");
  ranged.emplace("Range", absl::StrCat("bytes=", kSize - 10, "-"));
  r = http_->Get(latest, ranged);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_TRUE(r->body == bytes.substr(kSize - 10));
  ranged = As("school");
  ranged.emplace("Range", absl::StrCat("bytes=", kSize, "-"));
  r = http_->Get(latest, ranged);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
}

TEST_F(WebGatewayTest, ABrowserDownloadsByAOneUseTicketNotByToken) {
  const std::string bytes = testing::TestBytes(3 << 20, 11);
  auto r =
      Post(absl::StrCat("/v1/", kSchool,
                        "/evidence/q3-charter:upload?title=%E7%AB%A0%E7%A8%8B"
                        "&indicatorCodes=Q3&schoolYear=2025"
                        "&filename=charter.pdf"),
           bytes, "school", "application/pdf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string name = absl::StrCat(kSchool, "/evidence/q3-charter");
  r = Post("/web/downloads", absl::StrCat(R"({"name": ")", name, R"("})"),
           "inspector");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto ticket = FromJson<google::protobuf::Struct>(r->body);
  const std::string url = ticket.fields().at("url").string_value();
  EXPECT_THAT(url, ::testing::MatchesRegex("/web/downloads/[0-9a-f]{48}"));
  EXPECT_THAT(url, Not(HasSubstr(tokens_["inspector"])));
  // The link works without a token, once.
  r = http_->Get(url);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == bytes);
  EXPECT_THAT(r->get_header_value("Content-Disposition"),
              HasSubstr("attachment"));
  r = http_->Get(url);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr("已失效"));
  r = http_->Get(absl::StrCat("/web/downloads/", std::string(48, 'a')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  // A version by its name.
  r = Post("/web/downloads",
           absl::StrCat(R"({"name": ")", name, R"(/versions/1"})"), "school");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  // Refusals come when the ticket is asked for, as the caller.
  r = Post("/web/downloads",
           R"({"name": "counties/330106/schools/2133010602/evidence/x"})",
           "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  r = Post("/web/downloads", absl::StrCat(R"({"name": ")", name, R"(-gone"})"),
           "inspector");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  for (const char* bad : {R"({"name": "standards/moe-2017-quality"})",
                          R"({"nom": 1})", "not json"}) {
    r = Post("/web/downloads", bad, "inspector");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << " " << r->body;
    EXPECT_THAT(ErrorOf(r->body).fields, ::testing::Contains("name"));
  }
  r = http_->Post("/web/downloads",
                  absl::StrCat(R"({"name": ")", name, R"("})"),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
}

TEST_F(WebGatewayTest, ACutUploadStoresNothingAndTheGatewayServesOn) {
  const std::string bytes = testing::TestBytes(8 << 20, 3);
  const std::string path =
      absl::StrCat("/v1/", kSchool,
                   "/evidence/cut:upload?title=x&indicatorCodes=R4"
                   "&schoolYear=2025");
  auto r = http_->Post(
      path, As("school"), bytes.size(),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        if (offset >= (3u << 20)) return false;  // the connection drops
        sink.write(bytes.data() + offset, std::min<size_t>(length, 1 << 16));
        return true;
      },
      "application/octet-stream");
  EXPECT_FALSE(r && r->status == 200);
  r = Get(absl::StrCat("/v1/", kSchool, "/evidence/cut"), "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  // A declared size or checksum that does not match is the service's 400,
  // and nothing is stored either.
  r = Post(absl::StrCat(path, "&sha256=", std::string(64, 'a')), "hello",
           "school", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  r = Get(absl::StrCat("/v1/", kSchool, "/evidence/cut"), "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  // A refused upload of a large file still gets its answer.
  r = Post(absl::StrCat("/v1/counties/330106/schools/2133010602/evidence/"
                        "x:upload?title=x&indicatorCodes=R4&schoolYear=2025"),
           testing::TestBytes(4 << 20, 5), "school", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  r = Get("/v1/me", "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// A resumable upload cut mid-file keeps every whole chunk that reached the
// gateway, not only what had reached the archive when the line dropped, and
// the resume sends exactly the rest.
TEST_F(WebGatewayTest, ACutResumableUploadKeepsEveryWholeChunkThatArrived) {
  constexpr size_t kChunk = 1 << 20;  // the archive's chunk size
  const std::string bytes = testing::TestBytes(12 << 20, 9);
  const size_t sent = 7 * kChunk + 12345;
  const std::string evidence =
      absl::StrCat("/v1/", kSchool, "/evidence/cut-resumable");
  const std::string request_id = "2f1d9e52-cut-resumable";
  const std::string path = absl::StrCat(
      evidence,
      ":upload?title=x&indicatorCodes=R4&schoolYear=2025&resumable=true"
      "&requestId=",
      request_id);
  auto r = http_->Post(
      path, As("school"), bytes.size(),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        if (offset >= sent) return false;  // the connection drops
        sink.write(bytes.data() + offset,
                   std::min({length, size_t{1} << 16, sent - offset}));
        return true;
      },
      "application/octet-stream");
  EXPECT_FALSE(r && r->status == 200);
  // The gateway hands the archive what arrived once it has seen the cut;
  // until then the session may still show an earlier state.
  const std::string session = absl::StrCat(evidence, "/uploads/", request_id);
  std::string committed;
  for (int i = 0; i < 200 && committed != std::to_string(7 * kChunk); ++i) {
    if (i > 0) absl::SleepFor(absl::Milliseconds(50));
    r = Get(session, "school");
    ASSERT_TRUE(r);
    if (r->status != 200) continue;
    google::protobuf::Struct s = FromJson<google::protobuf::Struct>(r->body);
    committed = s.fields().at("committedSizeBytes").string_value();
  }
  EXPECT_EQ(committed, std::to_string(7 * kChunk)) << r->body;
  // The resume: the rest of the file from the committed offset.
  r = http_->Post(absl::StrCat(path, "&resumeOffset=", 7 * kChunk),
                  As("school"), bytes.substr(7 * kChunk),
                  "application/octet-stream");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  google::protobuf::Struct version =
      FromJson<google::protobuf::Struct>(r->body);
  EXPECT_EQ(version.fields().at("sha256").string_value(),
            ToHex(Sha256::Of(bytes)));
  EXPECT_EQ(version.fields().at("sizeBytes").string_value(),
            std::to_string(bytes.size()));
  r = Get(session, "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
}

TEST_F(WebGatewayTest, BadRequestsGetAip193Errors) {
  struct Case {
    std::string method, path, body;
    int http;
    std::string status, field, says;
  };
  const std::vector<Case> cases = {
      {"GET", "/v1/counties/330106/years/2025:evaluate?view=BEST", "", 400,
       "INVALID_ARGUMENT", "view", "is not one of"},
      {"GET", "/v1/counties/330106/years/2025:evaluate?colour=red", "", 400,
       "INVALID_ARGUMENT", "colour", "is not a field"},
      {"GET", "/v1/counties/330106/years/2025:evaluate?asOfRevision=soon", "",
       400, "INVALID_ARGUMENT", "asOfRevision", "is not an integer"},
      {"GET", "/v1/counties/330106/years/2025:evaluate?skipEvidence=maybe", "",
       400, "INVALID_ARGUMENT", "skipEvidence", "true or false"},
      {"POST", "/v1/counties/330106/years/2025/judgements/Q3:record",
       R"({"passed": tru)", 400, "INVALID_ARGUMENT", "body", "not valid JSON"},
      {"POST", "/v1/counties/330106/years/2025/judgements/Q3:record",
       R"({"verdict": "good"})", 400, "INVALID_ARGUMENT", "body",
       "not valid JSON"},
      {"POST", "/v1/counties/330106/years/2025/judgements/Q3:record?passed=1",
       "{}", 400, "INVALID_ARGUMENT", "passed", "from the JSON body"},
      {"DELETE", "/v1/counties/330106/schools/2133010601/evidence/x",
       R"({"a":1})", 400, "INVALID_ARGUMENT", "body", "takes no request body"},
      {"GET", "/v1/counties/330106/years/2025/judgements", "", 404, "NOT_FOUND",
       "", "openapi.json"},
      {"PUT", "/v1/me", "{}", 405, "UNIMPLEMENTED", "", "takes GET"},
      {"POST", "/v1/counties/33010/years/2025:planRectification", "{}", 400,
       "INVALID_ARGUMENT", "name", ""},
      {"POST", "/v1/counties/330106/years/2025/rectificationItems:adopt",
       std::string(9 << 20, ' '), 413, "INVALID_ARGUMENT", "body",
       "larger than 8 MiB"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path.substr(0, 120));
    httplib::Request req;
    req.method = c.method;
    req.path = c.path;
    req.headers = As("county");
    req.body = c.body;
    if (!c.body.empty()) req.set_header("Content-Type", "application/json");
    auto r = http_->send(req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.http) << r->body;
    ErrorBody e = ErrorOf(r->body);
    EXPECT_EQ(e.code, c.http);
    EXPECT_EQ(e.status, c.status);
    if (!c.field.empty()) {
      EXPECT_THAT(e.fields, ::testing::Contains(c.field));
    }
    EXPECT_THAT(e.message, HasSubstr(c.says));
    if (c.http == 405) {
      EXPECT_EQ(r->get_header_value("Allow"), "GET");
    }
  }
  auto r = Get("/v1/me", "county");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(WebGatewayTest, TheConsoleIsServedWithSecurityHeaders) {
  auto r = http_->Get("/");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("均衡"));
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'self'"));
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"),
              HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_FALSE(r->has_header("Set-Cookie"));
  // The console's own routes are its index page; a missing asset is not.
  r = http_->Get("/county/330106/2025");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("均衡"));
  r = http_->Get("/assets/app-1234.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("javascript"));
  EXPECT_THAT(r->get_header_value("Cache-Control"), HasSubstr("immutable"));
  r = http_->Get("/assets/gone.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = http_->Get("/../principals.textproto");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  r = http_->Get("/assets/%2e%2e/%2e%2e/principals.textproto");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  EXPECT_THAT(r->body, Not(HasSubstr("token")));
  // API answers are never cached.
  r = Get("/v1/me", "county");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  r = http_->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"checklist":"SERVING","archive":"SERVING"})");
  // The gateway's log names paths, never tokens or query strings.
  (void)http_->Get("/v1/me?secret=xyz", As("county"));
  EXPECT_THAT(web_->Stderr(), HasSubstr("GET /v1/me 200"));
  EXPECT_THAT(web_->Stderr(), Not(HasSubstr(tokens_["county"])));
  EXPECT_THAT(web_->Stderr(), Not(HasSubstr("xyz")));
}

TEST_F(WebGatewayTest, RefusesPlainHttpOnANetworkAddress) {
  auto r = testing::RunCommand(
      "junheng-web", {"--listen=0.0.0.0:0", "--checklist_addr=127.0.0.1:1",
                      "--archive_addr=127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refusing to serve plain HTTP"));
  r = testing::RunCommand(
      "junheng-web", {"--listen=127.0.0.1:0", "--console_dir=/nonexistent"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("has no index.html"));
}

TEST_F(WebGatewayTest, AServiceDownIs503AndTheGatewayServesOn) {
  checklist_->Stop();
  auto r = Get("/v1/me", "county");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(ErrorOf(r->body).status, "UNAVAILABLE");
  r = http_->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, HasSubstr("\"archive\":\"SERVING\""));
  r = Get(absl::StrCat("/v1/", kSchool, "/evidence"), "school");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(web_->Stop(), 0);
}

}  // namespace
}  // namespace junheng
