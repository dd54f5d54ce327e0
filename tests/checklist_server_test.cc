// End to end through both real services: junheng-checklist with
// junheng-archive behind it, driven through the generated clients and the
// CLI. Imports, revisions, judgements, evaluation with evidence status, and
// the archive down, paused or restarted.
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/archive_client.h"
#include "common/grpc_status.h"
#include "common/school_table.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ReadFile;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Two primary schools whose R4 (teaching area per student) values are 5.0
// and 6.0 with 100 and 300 students: X̄ = 2300 / 400 = 5.75,
// S = sqrt((100·0.75² + 300·0.25²) / 400) = sqrt(0.1875) = 0.4330127,
// CV = 0.0753066 (the unweighted CV would be 0.0909091).
constexpr char kSchools[] =
    "county_code,school_code,school_name,year,school_type,p_students,"
    "p_teachers,teaching_area_m2\n"
    "330199,3301990001,甲小学,2025,primary,100,6,500\n"
    "330199,3301990002,乙小学,2025,primary,300,18,1800\n";

constexpr char kCounties[] =
    "county_code,county_name,year,province_code,satisfaction_rate\n"
    "330199,示例县,2025,33,0.91\n";

class ChecklistServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::make_unique<ServerProcess>(
        "junheng-archive",
        std::vector<std::string>{"--data_dir=" + archive_data_.path()});
    ASSERT_TRUE(archive_->Start().ok()) << archive_->Stderr();
    checklist_ = std::make_unique<ServerProcess>(
        "junheng-checklist",
        std::vector<std::string>{"--data_dir=" + checklist_data_.path(),
                                 "--archive_addr=" + archive_->address(),
                                 "--archive_timeout_ms=1000",
                                 std::string("--standards_dir=") +
                                     JUNHENG_SOURCE_DIR + "/standards"});
    ASSERT_TRUE(checklist_->Start().ok()) << checklist_->Stderr();
    stub_ = v1::ChecklistService::NewStub(grpc::CreateChannel(
        checklist_->address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    // A paused archive must not outlive the test.
    if (archive_->Running()) ::kill(archive_->pid(), SIGCONT);
  }

  absl::StatusOr<v1::ImportResponse> Import(bool schools,
                                            const std::string& csv,
                                            size_t piece = 7) {
    grpc::ClientContext c;
    v1::ImportResponse response;
    auto writer = schools ? stub_->ImportSchools(&c, &response)
                          : stub_->ImportCounties(&c, &response);
    for (size_t at = 0; at < csv.size(); at += piece) {
      v1::ImportRequest m;
      m.set_csv_chunk(csv.substr(at, piece));
      if (!writer->Write(m)) break;
    }
    writer->WritesDone();
    absl::Status s = FromGrpc(writer->Finish());
    if (!s.ok()) return s;
    return response;
  }

  absl::StatusOr<v1::CountyEvaluation> Evaluate(
      const std::string& name, int64_t as_of = 0,
      std::chrono::seconds deadline = std::chrono::seconds(20)) {
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + deadline);
    v1::EvaluateCountyRequest r;
    r.set_name(name);
    r.set_as_of_revision(as_of);
    v1::CountyEvaluation e;
    absl::Status s = FromGrpc(stub_->EvaluateCounty(&c, r, &e));
    if (s.ok()) s = ExpandEvaluation(&e);
    if (!s.ok()) return s;
    return e;
  }

  static const v1::CoefficientResult* Coefficient(const v1::CountyEvaluation& e,
                                                  const std::string& code,
                                                  v1::Level level) {
    for (const auto& c : e.coefficients()) {
      if (c.code() == code && c.level() == level) return &c;
    }
    return nullptr;
  }

  static const v1::IndicatorResult* Indicator(const v1::CountyEvaluation& e,
                                              const std::string& code) {
    for (const auto& a : e.areas()) {
      for (const auto& i : a.indicators()) {
        if (i.code() == code) return &i;
      }
    }
    return nullptr;
  }

  TempDir archive_data_;
  TempDir checklist_data_;
  std::unique_ptr<ServerProcess> archive_;
  std::unique_ptr<ServerProcess> checklist_;
  std::unique_ptr<v1::ChecklistService::Stub> stub_;
};

TEST(ChecklistStartupTest, ABadStandardFileStopsStartUpNamingFileAndLine) {
  TempDir standards;
  TempDir data;
  WriteFile(standards.File("broken.textproto"),
            "id: \"broken\"\nname_zh: \"坏\"\nindicators {\n  code: \"R1\"\n"
            "  formula: NO_SUCH_FORMULA\n}\n");
  auto result =
      RunCommand("junheng-checklist",
                 {"--listen=127.0.0.1:0", "--data_dir=" + data.path(),
                  "--standards_dir=" + standards.path(), "--insecure_no_auth"},
                 {}, absl::Seconds(20));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("broken.textproto:5"));
}

TEST_F(ChecklistServerTest, StandardsAreLoaded) {
  grpc::ClientContext c;
  v1::ListStandardsResponse list;
  ASSERT_TRUE(stub_->ListStandards(&c, {}, &list).ok());
  std::vector<std::string> ids;
  for (const auto& s : list.standards()) ids.push_back(s.id());
  EXPECT_THAT(ids, Contains("moe-2017-quality"));
  EXPECT_THAT(ids, Contains("moe-2012-basic"));
  grpc::ClientContext c2;
  v1::GetStandardRequest r;
  r.set_name("standards/nope");
  v1::IndicatorStandard st;
  EXPECT_EQ(stub_->GetStandard(&c2, r, &st).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ChecklistServerTest, WeightedCoefficientEndToEnd) {
  auto schools = Import(true, kSchools);
  ASSERT_TRUE(schools.ok()) << schools.status();
  EXPECT_EQ(schools->rows(), 2);
  EXPECT_THAT(schools->touched(), ElementsAre("counties/330199/years/2025"));
  ASSERT_TRUE(Import(false, kCounties).ok());
  auto e = Evaluate("counties/330199/years/2025");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->county_name(), "示例县");
  EXPECT_EQ(e->revision(), 2);
  const auto* r4 = Coefficient(*e, "R4", v1::LEVEL_PRIMARY);
  ASSERT_NE(r4, nullptr);
  EXPECT_NEAR(r4->county_value(), 5.75, 1e-9);
  EXPECT_NEAR(r4->value(), 0.0753066, 1e-6);
  EXPECT_TRUE(r4->pass());
  // Most inputs are missing: never a pass.
  EXPECT_EQ(e->outcome(), v1::NOT_REPORTED);
  EXPECT_FALSE(e->failing_items().empty());
}

TEST_F(ChecklistServerTest, SummaryViewLeavesOutTheSchools) {
  ASSERT_TRUE(Import(true, kSchools).ok());
  auto full = Evaluate("counties/330199/years/2025");
  grpc::ClientContext c;
  v1::EvaluateCountyRequest r;
  r.set_name("counties/330199/years/2025");
  r.set_view(v1::EVALUATION_VIEW_SUMMARY);
  v1::CountyEvaluation summary;
  ASSERT_TRUE(stub_->EvaluateCounty(&c, r, &summary).ok());
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->schools_size(), 2);
  EXPECT_EQ(summary.schools_size(), 0);
  EXPECT_EQ(summary.outcome(), full->outcome());
  // Over gRPC the words are bytes (FailingItem.reason_utf8), which
  // ExpandEvaluation makes the reason.
  ASSERT_FALSE(summary.failing_items().empty());
  for (const v1::FailingItem& item : summary.failing_items()) {
    EXPECT_TRUE(item.reason().empty()) << item.DebugString();
    EXPECT_FALSE(item.reason_utf8().empty()) << item.DebugString();
  }
  ASSERT_TRUE(ExpandEvaluation(&summary).ok());
  for (const v1::FailingItem& item : summary.failing_items()) {
    EXPECT_FALSE(item.reason().empty()) << item.DebugString();
    EXPECT_TRUE(item.reason_utf8().empty()) << item.DebugString();
  }
  // The full view quotes its schools' sentences in their failing items; the
  // summary renders them from the verdict: word for word the same.
  ASSERT_EQ(summary.failing_items_size(), full->failing_items_size());
  int at_schools = 0;
  for (int i = 0; i < full->failing_items_size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        summary.failing_items(i), full->failing_items(i)))
        << summary.failing_items(i).DebugString() << "\nagainst\n"
        << full->failing_items(i).DebugString();
    if (!full->failing_items(i).school_code().empty()) ++at_schools;
  }
  EXPECT_GT(at_schools, 0);
  EXPECT_EQ(summary.coefficients_size(), full->coefficients_size());
  // Per-school results carry codes; the county-level ones carry names.
  EXPECT_TRUE(full->schools(0).levels(0).indicators(0).name_zh().empty());
  EXPECT_FALSE(Indicator(*full, "R1")->name_zh().empty());
}

// The full view's columns hold exactly what EvaluateSchool says of each
// school, and the failing items quote the table's sentences word for word
// as the summary renders them.
TEST_F(ChecklistServerTest, FullViewTableIsEverySchoolsEvaluation) {
  ASSERT_TRUE(Import(true, ReadFile(JUNHENG_SOURCE_DIR
                                    "/examples/county-330106/schools.csv"))
                  .ok());
  ASSERT_TRUE(Import(false, ReadFile(JUNHENG_SOURCE_DIR
                                     "/examples/county-330106/counties.csv"))
                  .ok());
  grpc::ClientContext c;
  v1::EvaluateCountyRequest r;
  r.set_name("counties/330106/years/2025");
  r.set_skip_evidence(true);
  v1::CountyEvaluation full;
  ASSERT_TRUE(stub_->EvaluateCounty(&c, r, &full).ok());
  EXPECT_EQ(full.schools_size(), 0);
  ASSERT_TRUE(full.has_school_table());
  const int schools = full.school_table().school_code_size();
  EXPECT_GT(schools, 30);
  // A handful of packed columns instead of a message a measurement.
  EXPECT_GT(full.school_table().measurement_value_size(), 5 * schools);

  v1::CountyEvaluation expanded = full;
  ASSERT_TRUE(ExpandEvaluation(&expanded).ok());
  EXPECT_FALSE(expanded.has_school_table());
  ASSERT_EQ(expanded.schools_size(), schools);
  int failing_parts = 0;
  for (const v1::SchoolEvaluation& school : expanded.schools()) {
    grpc::ClientContext sc;
    v1::EvaluateSchoolRequest sr;
    sr.set_name(school.name());
    v1::SchoolEvaluation alone;
    ASSERT_TRUE(stub_->EvaluateSchool(&sc, sr, &alone).ok()) << school.name();
    // The county names the standard and revision once for all its schools.
    alone.clear_standard();
    alone.clear_standard_sha256();
    alone.clear_revision();
    google::protobuf::util::MessageDifferencer diff;
    std::string report;
    diff.ReportDifferencesToString(&report);
    EXPECT_TRUE(diff.Compare(alone, school)) << school.name() << "\n" << report;
    for (const auto& l : school.levels()) failing_parts += !l.reasons().empty();
  }
  EXPECT_GT(failing_parts, 0);

  grpc::ClientContext c2;
  r.set_view(v1::EVALUATION_VIEW_SUMMARY);
  v1::CountyEvaluation summary;
  ASSERT_TRUE(stub_->EvaluateCounty(&c2, r, &summary).ok());
  EXPECT_FALSE(summary.has_school_table());
  ASSERT_EQ(summary.failing_items_size(), full.failing_items_size());
  // On the wire, an item at a school refers to its row of the table
  // instead of repeating its sentences; every other item has its words.
  const auto& rows = full.school_table().failing_item_row();
  ASSERT_EQ(rows.size(), full.failing_items_size());
  int referring = 0;
  for (int i = 0; i < full.failing_items_size(); ++i) {
    const v1::FailingItem& item = full.failing_items(i);
    EXPECT_FALSE(summary.failing_items(i).reason_utf8().empty());
    EXPECT_TRUE(item.reason().empty()) << item.DebugString();
    if (rows[i] > 0) {
      EXPECT_FALSE(item.school_code().empty()) << item.DebugString();
      EXPECT_TRUE(item.reason_utf8().empty()) << item.DebugString();
      ++referring;
    } else {
      EXPECT_FALSE(item.reason_utf8().empty()) << item.DebugString();
    }
  }
  EXPECT_GT(referring, 0);
  ASSERT_TRUE(ExpandEvaluation(&summary).ok());
  // Expanded, the full view's items are the summary's, word for word.
  for (int i = 0; i < expanded.failing_items_size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        summary.failing_items(i), expanded.failing_items(i)))
        << summary.failing_items(i).DebugString() << "\nagainst\n"
        << expanded.failing_items(i).DebugString();
  }
}

TEST_F(ChecklistServerTest, BadCsvImportsNothingAndNamesEveryBadRow) {
  const std::string bad =
      "county_code,school_code,school_name,year,school_type,p_students,colour\n"
      "330199,3301990001,甲小学,2025,primary,100,red\n";
  auto unknown = Import(true, bad);
  ASSERT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("nothing was imported"));
  auto violations = FieldViolations(unknown.status());
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].field, "csv:1:colour");

  const std::string rows =
      "county_code,school_code,school_name,year,school_type,p_students\r\n"
      "330199,3301990001,甲小学,2025,primary,-5\r\n"
      "330199,33019900,乙小学,2025,primary,100\r\n"
      "330199,3301990003,丙小学,2025,kindergarten,100\r\n";
  auto many = Import(true, rows);
  ASSERT_EQ(many.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : FieldViolations(many.status()))
    fields.push_back(v.field);
  EXPECT_THAT(fields, ElementsAre("csv:2:p_students", "csv:3:school_code",
                                  "csv:4:school_type"));
  // Nothing was stored: the county is unknown.
  EXPECT_EQ(Evaluate("counties/330199/years/2025").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ChecklistServerTest, ThousandsOfBadRowsStillGiveAReadableStatus) {
  std::string csv =
      "county_code,school_code,school_name,year,school_type,p_students\n";
  for (int i = 0; i < 3000; ++i) {
    absl::StrAppend(&csv, "330199,", 3301990000 + i, ",校,2025,primary,many\n");
  }
  auto r = Import(true, csv, 1 << 16);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
      << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("3000 errors"));
  auto v = FieldViolations(r.status());
  ASSERT_GT(v.size(), 10u);
  EXPECT_EQ(v[0].field, "csv:2:p_students");
  EXPECT_THAT(v.back().description, HasSubstr("more"));
}

// The service remembers which revision a county's data is as of; a new
// import must still be seen by "the latest" and by an as_of that was in
// the future when it was first asked.
TEST_F(ChecklistServerTest,
       AnImportIsSeenAfterEvaluationsRememberedTheOldData) {
  ASSERT_TRUE(Import(true, kSchools).ok());
  ASSERT_TRUE(Import(false, kCounties).ok());
  auto latest = Evaluate("counties/330199/years/2025");
  auto ahead = Evaluate("counties/330199/years/2025", 10);
  ASSERT_TRUE(latest.ok() && ahead.ok());
  EXPECT_EQ(latest->revision(), 2);
  EXPECT_EQ(ahead->revision(), 2);
  std::string changed = kSchools;
  changed.replace(changed.find(",1800"), 5, ",1500");
  ASSERT_TRUE(Import(true, changed).ok());
  latest = Evaluate("counties/330199/years/2025");
  ahead = Evaluate("counties/330199/years/2025", 10);
  auto before = Evaluate("counties/330199/years/2025", 2);
  ASSERT_TRUE(latest.ok() && ahead.ok() && before.ok());
  EXPECT_EQ(latest->revision(), 3);
  EXPECT_EQ(ahead->revision(), 3);
  EXPECT_EQ(before->revision(), 2);
  EXPECT_NE(Coefficient(*latest, "R4", v1::LEVEL_PRIMARY)->value(),
            Coefficient(*before, "R4", v1::LEVEL_PRIMARY)->value());
}

TEST_F(ChecklistServerTest, AsOfARevisionReproducesTheEarlierVerdict) {
  ASSERT_TRUE(Import(true, kSchools).ok());
  ASSERT_TRUE(Import(false, kCounties).ok());
  // School 乙 adds floor area: R4 becomes more equal.
  std::string changed = kSchools;
  changed.replace(changed.find(",1800"), 5, ",1500");
  auto third = Import(true, changed);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->revision(), 3);
  auto now = Evaluate("counties/330199/years/2025");
  auto before = Evaluate("counties/330199/years/2025", 2);
  ASSERT_TRUE(now.ok() && before.ok());
  EXPECT_EQ(now->revision(), 3);
  EXPECT_EQ(before->revision(), 2);
  EXPECT_NEAR(Coefficient(*before, "R4", v1::LEVEL_PRIMARY)->value(), 0.0753066,
              1e-6);
  // 5.0 and 5.0: no difference at all.
  EXPECT_NEAR(Coefficient(*now, "R4", v1::LEVEL_PRIMARY)->value(), 0.0, 1e-12);
  // Nothing existed as of revision 0 … of a county imported later.
  std::string later = kSchools;
  for (size_t at; (at = later.find("330199")) != std::string::npos;) {
    later.replace(at, 6, "330177");
  }
  for (size_t at; (at = later.find("3301990")) != std::string::npos;) {
    later.replace(at, 7, "3301770");
  }
  ASSERT_TRUE(Import(true, later).ok());
  EXPECT_EQ(Evaluate("counties/330177/years/2025", 3).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(Evaluate("counties/330177/years/2025").ok());
  // Asked again, the same answers (served from the parsed snapshot).
  auto again = Evaluate("counties/330199/years/2025", 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revision(), 2);
  EXPECT_NEAR(Coefficient(*again, "R4", v1::LEVEL_PRIMARY)->value(), 0.0753066,
              1e-6);
  // The school's statistics as of each revision.
  grpc::ClientContext c;
  v1::GetSchoolReportRequest r;
  r.set_name("counties/330199/years/2025/schools/3301990002/statistics");
  r.set_as_of_revision(1);
  v1::SchoolReport report;
  ASSERT_TRUE(stub_->GetSchoolReport(&c, r, &report).ok());
  EXPECT_EQ(report.values().at("teaching_area_m2"), "1800");
  EXPECT_EQ(report.revision().revision(), 1);
}

TEST_F(ChecklistServerTest, Judgements) {
  auto judge = [&](const std::string& name, bool passed,
                   const std::string& comment) {
    grpc::ClientContext c;
    v1::RecordJudgementRequest r;
    r.set_name(name);
    r.set_passed(passed);
    r.set_comment(comment);
    r.add_evidence("counties/330199/evidence/g1-layout-plan");
    v1::Judgement j;
    return FromGrpc(stub_->RecordJudgement(&c, r, &j));
  };
  EXPECT_TRUE(judge("counties/330199/years/2025/judgements/G1", true, "").ok());
  absl::Status unknown =
      judge("counties/330199/years/2025/judgements/R4", true, "");
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  absl::Status no_comment =
      judge("counties/330199/years/2025/judgements/G2", false, "");
  EXPECT_THAT(FieldViolations(no_comment)[0].field, "comment");
  ASSERT_TRUE(Import(true, kSchools).ok());
  auto e = Evaluate("counties/330199/years/2025");
  ASSERT_TRUE(e.ok());
  const auto* g1 = Indicator(*e, "G1");
  ASSERT_NE(g1, nullptr);
  EXPECT_EQ(g1->outcome(), v1::PASS);
  EXPECT_EQ(Indicator(*e, "G2")->outcome(), v1::NOT_REPORTED);
}

TEST_F(ChecklistServerTest, EvidenceStatusComesFromTheArchive) {
  ASSERT_TRUE(Import(true, kSchools).ok());
  ArchiveClient archive(Connect(archive_->address()));
  v1::UploadHeader h;
  h.set_parent("counties/330199/schools/3301990001");
  h.set_evidence_id("r4-floor-area");
  h.set_title("校舍面积台账");
  h.add_indicator_codes("R4");
  h.set_school_year(2025);
  std::string bytes = "building,area\nA,500\n";
  ASSERT_TRUE(archive.Upload(h, ::junheng::testing::ReadFrom(bytes)).ok());
  auto e = Evaluate("counties/330199/years/2025");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->evidence_checked(), v1::EVIDENCE_PRESENT);
  const auto* r4 = Indicator(*e, "R4");
  ASSERT_NE(r4, nullptr);
  // Expected from every school: one has it, the other does not.
  EXPECT_EQ(r4->evidence(), v1::EVIDENCE_MISSING);
  EXPECT_THAT(r4->missing_evidence_at(),
              ElementsAre("counties/330199/schools/3301990002"));
}

TEST_F(ChecklistServerTest, ArchiveDownOrPausedDegradesAndRecovers) {
  ASSERT_TRUE(Import(true, kSchools).ok());
  // Paused: the evaluation waits for it at most --archive_timeout_ms.
  ::kill(archive_->pid(), SIGSTOP);
  const auto start = std::chrono::steady_clock::now();
  auto paused =
      Evaluate("counties/330199/years/2025", 0, std::chrono::seconds(5));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_LT(took, std::chrono::seconds(4));
  EXPECT_EQ(paused->evidence_checked(), v1::EVIDENCE_UNKNOWN);
  EXPECT_EQ(Indicator(*paused, "R4")->evidence(), v1::EVIDENCE_UNKNOWN);
  EXPECT_THAT(paused->warnings(),
              Contains(HasSubstr("evidence status unknown")));

  // Resumed: the next evaluation asks it again, with no restart of anything.
  ::kill(archive_->pid(), SIGCONT);
  auto resumed = Evaluate("counties/330199/years/2025");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->evidence_checked(), v1::EVIDENCE_PRESENT);

  // Stopped: the same, promptly.
  archive_->Stop();
  auto down =
      Evaluate("counties/330199/years/2025", 0, std::chrono::seconds(5));
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(down->evidence_checked(), v1::EVIDENCE_UNKNOWN);

  EXPECT_EQ(down->outcome(), paused->outcome());
}

TEST_F(ChecklistServerTest, ProvinceStreamsEveryCounty) {
  ASSERT_TRUE(Import(true, kSchools).ok());
  std::string other = kSchools;
  for (size_t at; (at = other.find("330199")) != std::string::npos;) {
    other.replace(at, 6, "330288");
  }
  for (size_t at; (at = other.find("3301990")) != std::string::npos;) {
    other.replace(at, 7, "3302880");
  }
  ASSERT_TRUE(Import(true, other).ok()) << Import(true, other).status();
  grpc::ClientContext c;
  v1::EvaluateProvinceRequest r;
  r.set_name("provinces/33/years/2025");
  auto reader = stub_->EvaluateProvince(&c, r);
  v1::EvaluateProvinceResponse e;
  std::vector<std::string> counties;
  while (reader->Read(&e)) counties.push_back(e.evaluation().county_code());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_THAT(counties, ElementsAre("330199", "330288"));
}

TEST_F(ChecklistServerTest, BadNamesAreFieldViolations) {
  for (const std::string name :
       {"counties/33/years/2025", "counties/330199/years/25",
        "counties/330199/years/2025/schools/1", "330199/2025"}) {
    auto e = Evaluate(name);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(FieldViolations(e.status())[0].field, "name");
  }
}

TEST_F(ChecklistServerTest, CliImportAndEvaluate) {
  TempDir work;
  WriteFile(work.File("schools.csv"), kSchools);
  WriteFile(work.File("counties.csv"), kCounties);
  const std::vector<std::string> env = {"JUNHENG_CHECKLIST_ADDR=" +
                                        checklist_->address()};
  auto imported = RunCommand(
      "junheng", {"checklist", "import", "schools", work.File("schools.csv")},
      env);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported 2 rows as revision 1"));
  ASSERT_EQ(
      RunCommand("junheng",
                 {"checklist", "import", "counties", work.File("counties.csv")},
                 env)
          .exit_code,
      0);
  auto table = RunCommand(
      "junheng",
      {"checklist", "evaluate", "--county", "330199", "--year", "2025"}, env);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("VERDICT: not reported"));
  EXPECT_THAT(table.out, HasSubstr("0.075"));
  auto json = RunCommand("junheng",
                         {"checklist", "evaluate", "--county", "330199",
                          "--year", "2025", "--format", "json"},
                         env);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"outcome\": \"NOT_REPORTED\""));
  EXPECT_THAT(json.out, HasSubstr("\"coefficients\": ["));
  EXPECT_THAT(json.out, HasSubstr("\"limit\": 0.5"));
  auto csv = RunCommand("junheng",
                        {"checklist", "evaluate", "--county", "330199",
                         "--year", "2025", "--format", "csv"},
                        env);
  EXPECT_THAT(csv.out, HasSubstr("330199,2025,,,primary,R4,coefficient,0.075"));
  WriteFile(work.File("bad.csv"), "county_code,colour\n330199,red\n");
  auto bad = RunCommand(
      "junheng", {"checklist", "import", "schools", work.File("bad.csv")}, env);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("line 1, column colour"));
}

}  // namespace
}  // namespace junheng
