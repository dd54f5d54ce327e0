// EvaluateProvince as an integrator uses it, through the real services: a
// county whose stored data cannot be evaluated is reported in the stream
// and the others still arrive; a broken stream resumes from its page token
// with exactly the remaining counties; results evaluated in parallel are
// those evaluated one at a time; every result names its standard's content
// hash, which is stable and follows the standard file. Also the page
// token (the in-order runner has in_order_test.cc, run under TSan too).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "checklist_service/store/checklist_store.h"
#include "checklist_service/grpc/province_token.h"
#include "common/grpc_status.h"
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
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// ---------------------------------------------------------------- pieces

TEST(ProvinceTokenTest, RoundTripsAndRefusesWhatItDidNotMake) {
  checklist::ProvinceToken t{
      "33", 2025, "moe-2017-quality", std::string(64, 'a'), 42, 2, "330106"};
  const std::string text = checklist::EncodeProvinceToken(t);
  auto back = checklist::DecodeProvinceToken(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->province, "33");
  EXPECT_EQ(back->year, 2025);
  EXPECT_EQ(back->standard_id, "moe-2017-quality");
  EXPECT_EQ(back->standard_sha256, std::string(64, 'a'));
  EXPECT_EQ(back->revision, 42);
  EXPECT_EQ(back->view, 2);
  EXPECT_EQ(back->after_county, "330106");
  for (const std::string& bad :
       {std::string(""), std::string("!!!"), std::string("cDF8MzM"),
        text.substr(0, text.size() - 3), std::string(600, 'A'),
        checklist::EncodeProvinceToken({"3", 2025, "x", "y", 1, 0, "330106"}),
        checklist::EncodeProvinceToken(
            {"33", 2025, "a|b", "y", 1, 0, "330106"}),
        checklist::EncodeProvinceToken({"33", 2025, "x", "y", -1, 0, "1"})}) {
    EXPECT_EQ(checklist::DecodeProvinceToken(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

// ---------------------------------------------------------------- service

// Counties 330101 … 330112 of province 33, each with a few primary and
// junior schools of different sizes, so the counties' verdicts differ.
std::string Schools(const std::vector<std::string>& counties) {
  std::string csv =
      "county_code,school_code,school_name,year,school_type,p_students,"
      "p_teachers,teaching_area_m2,j_students,j_teachers\n";
  int n = 0;
  for (const std::string& county : counties) {
    const int schools = 2 + (n % 4);
    for (int s = 1; s <= schools; ++s) {
      const int students = 100 + 37 * ((n * 7 + s * 3) % 11);
      const bool junior = s % 3 == 0;
      absl::StrAppend(&csv, county, ",", county, absl::StrFormat("%04d", s),
                      ",第", s, "学校,2025,", junior ? "junior" : "primary",
                      ",");
      if (junior) {
        absl::StrAppend(&csv, ",,", students * 5, ",", students, ",",
                        students / 11, "\n");
      } else {
        absl::StrAppend(&csv, students, ",", students / (15 + s), ",",
                        students * (4 + n % 3), ",,\n");
      }
    }
    ++n;
  }
  return csv;
}

std::vector<std::string> CountyCodes(int first, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i)
    out.push_back(absl::StrCat(330100 + first + i));
  return out;
}

// The county whose stored rows no longer parse.
constexpr char kBroken[] = "330104";

class ProvinceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::make_unique<ServerProcess>(
        "junheng-archive",
        std::vector<std::string>{"--data_dir=" + archive_data_.path()});
    ASSERT_TRUE(archive_->Start().ok()) << archive_->Stderr();
    StartChecklist({});
    counties_ = CountyCodes(1, 12);
    ASSERT_TRUE(Import(Schools(counties_)).ok());
    // A row stored by the service as it was (say, by an earlier release
    // that checked less) that the evaluator now refuses: the county's data
    // cannot be evaluated. Only the store itself can write it.
    checklist_->Stop();
    {
      auto store = checklist::OpenRocksChecklistStore(checklist_data_.path());
      ASSERT_TRUE(store.ok()) << store.status();
      checklist::StoredSchool bad;
      bad.key = {kBroken, 2025, std::string(kBroken) + "0099"};
      bad.cells = {
          {"county_code", kBroken},      {"school_code", bad.key.school},
          {"school_name", "旧数据学校"}, {"year", "2025"},
          {"school_type", "primary"},    {"p_students", "about 300"}};
      ASSERT_TRUE((*store)->PutSchools({bad}, {"test", ""}, "").ok());
    }
    StartChecklist({});
  }

  void TearDown() override {
    if (archive_->Running()) ::kill(archive_->pid(), SIGCONT);
  }

  void StartChecklist(std::vector<std::string> extra) {
    if (checklist_ && checklist_->Running()) checklist_->Stop();
    std::vector<std::string> args = {
        "--data_dir=" + checklist_data_.path(),
        "--archive_addr=" + archive_->address(), "--archive_timeout_ms=1000",
        std::string("--standards_dir=") + JUNHENG_SOURCE_DIR + "/standards"};
    for (std::string& e : extra) {
      // A later flag wins: the tests override standards_dir this way.
      args.push_back(std::move(e));
    }
    checklist_ = std::make_unique<ServerProcess>("junheng-checklist", args);
    ASSERT_TRUE(checklist_->Start().ok()) << checklist_->Stderr();
    stub_ = v1::ChecklistService::NewStub(grpc::CreateChannel(
        checklist_->address(), grpc::InsecureChannelCredentials()));
  }

  absl::StatusOr<v1::ImportResponse> Import(const std::string& csv) {
    grpc::ClientContext c;
    v1::ImportResponse response;
    auto writer = stub_->ImportSchools(&c, &response);
    v1::ImportRequest m;
    m.set_csv_chunk(csv);
    writer->Write(m);
    writer->WritesDone();
    absl::Status s = FromGrpc(writer->Finish());
    if (!s.ok()) return s;
    return response;
  }

  struct Stream {
    std::vector<v1::EvaluateProvinceResponse> items;
    absl::Status status;
    std::vector<std::string> Codes() const {
      std::vector<std::string> out;
      for (const auto& i : items) out.push_back(i.county().substr(9, 6));
      return out;
    }
  };

  // Reads the whole stream, or only `stop_after` messages and then cancels
  // (a stream broken by the client's side).
  Stream Province(const std::string& page_token = "",
                  const std::string& standard = "", int stop_after = -1,
                  v1::EvaluationView view = v1::EVALUATION_VIEW_FULL) {
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::EvaluateProvinceRequest r;
    r.set_name("provinces/33/years/2025");
    r.set_page_token(page_token);
    r.set_standard(standard);
    r.set_view(view);
    auto reader = stub_->EvaluateProvince(&c, r);
    Stream out;
    v1::EvaluateProvinceResponse item;
    while (static_cast<int>(out.items.size()) != stop_after &&
           reader->Read(&item)) {
      out.items.push_back(item);
    }
    if (stop_after >= 0) c.TryCancel();
    out.status = FromGrpc(reader->Finish());
    return out;
  }

  absl::StatusOr<v1::CountyEvaluation> County(
      const std::string& county, int64_t as_of,
      const std::string& standard = "") {
    grpc::ClientContext c;
    v1::EvaluateCountyRequest r;
    r.set_name(absl::StrCat("counties/", county, "/years/2025"));
    r.set_as_of_revision(as_of);
    r.set_standard(standard);
    v1::CountyEvaluation e;
    absl::Status s = FromGrpc(stub_->EvaluateCounty(&c, r, &e));
    if (!s.ok()) return s;
    return e;
  }

  absl::StatusOr<v1::IndicatorStandard> Standard(const std::string& id) {
    grpc::ClientContext c;
    v1::GetStandardRequest r;
    r.set_name("standards/" + id);
    v1::IndicatorStandard out;
    absl::Status s = FromGrpc(stub_->GetStandard(&c, r, &out));
    if (!s.ok()) return s;
    return out;
  }

  TempDir archive_data_;
  TempDir checklist_data_;
  std::unique_ptr<ServerProcess> archive_;
  std::unique_ptr<ServerProcess> checklist_;
  std::unique_ptr<v1::ChecklistService::Stub> stub_;
  std::vector<std::string> counties_;
};

TEST_F(ProvinceTest, ACountyThatCannotBeEvaluatedIsReportedAndTheRestArrive) {
  Stream s = Province();
  ASSERT_TRUE(s.status.ok()) << s.status;
  EXPECT_THAT(s.Codes(), ElementsAreArray(counties_));
  for (const auto& item : s.items) {
    if (item.county() == absl::StrCat("counties/", kBroken, "/years/2025")) {
      ASSERT_TRUE(item.has_error());
      EXPECT_EQ(item.error().code(),
                static_cast<int>(absl::StatusCode::kDataLoss));
      EXPECT_THAT(item.error().message(), HasSubstr("no longer parse"));
      EXPECT_THAT(item.error().message(), HasSubstr("p_students"));
    } else {
      ASSERT_TRUE(item.has_evaluation()) << item.county();
      EXPECT_EQ(item.evaluation().name(), item.county());
    }
    EXPECT_EQ(item.as_of_revision(), 2);
  }
  // EvaluateCounty says the same about that county.
  EXPECT_EQ(County(kBroken, 0).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(ProvinceTest, ResumingFromATokenGivesExactlyTheRemainingCounties) {
  Stream full = Province();
  ASSERT_TRUE(full.status.ok());
  ASSERT_EQ(full.items.size(), counties_.size());
  EXPECT_TRUE(full.items.back().next_page_token().empty());

  // Broken after three counties; then more data arrives before the client
  // comes back. The resumed stream is of the first one's snapshot.
  Stream first = Province("", "", 3);
  EXPECT_EQ(first.status.code(), absl::StatusCode::kCancelled);
  ASSERT_EQ(first.items.size(), 3u);
  ASSERT_TRUE(Import(Schools({"330100", "330150"})).ok());
  Stream rest = Province(first.items.back().next_page_token());
  ASSERT_TRUE(rest.status.ok()) << rest.status;
  EXPECT_THAT(rest.Codes(), ElementsAreArray(std::vector<std::string>(
                                counties_.begin() + 3, counties_.end())));
  for (size_t i = 0; i < rest.items.size(); ++i) {
    EXPECT_EQ(rest.items[i].as_of_revision(), first.items[0].as_of_revision());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        rest.items[i], full.items[i + 3]))
        << rest.items[i].county();
  }
  // From every token, exactly what follows it.
  for (size_t k = 0; k + 1 < full.items.size(); ++k) {
    Stream after = Province(full.items[k].next_page_token());
    ASSERT_TRUE(after.status.ok());
    EXPECT_THAT(after.Codes(), ElementsAreArray(std::vector<std::string>(
                                   counties_.begin() + k + 1, counties_.end())))
        << k;
  }
  // A fresh stream sees the new counties.
  EXPECT_EQ(Province().items.size(), counties_.size() + 2);

  // A token is for its own request only.
  const std::string token = full.items[2].next_page_token();
  Stream other = Province(token, "standards/moe-2012-basic");
  EXPECT_EQ(other.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolations(other.status).at(0).field, "page_token");
  Stream summary = Province(token, "", -1, v1::EVALUATION_VIEW_SUMMARY);
  EXPECT_EQ(summary.status.code(), absl::StatusCode::kInvalidArgument);
  Stream forged = Province(token.substr(1));
  EXPECT_EQ(forged.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldViolations(forged.status).at(0).description,
              HasSubstr("not a page token"));
}

TEST_F(ProvinceTest, ParallelResultsAreThoseOfOneAtATimeAndOfEvaluateCounty) {
  StartChecklist({"--evaluation_threads=1"});
  Stream sequential = Province();
  ASSERT_TRUE(sequential.status.ok());
  StartChecklist({"--evaluation_threads=4"});
  Stream parallel = Province();
  ASSERT_TRUE(parallel.status.ok());
  ASSERT_EQ(parallel.items.size(), sequential.items.size());
  int evaluated = 0;
  for (size_t i = 0; i < parallel.items.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        parallel.items[i], sequential.items[i]))
        << parallel.items[i].county();
    if (!parallel.items[i].has_evaluation()) continue;
    ++evaluated;
    auto alone = County(parallel.items[i].county().substr(9, 6),
                        parallel.items[i].as_of_revision());
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        *alone, parallel.items[i].evaluation()))
        << parallel.items[i].county();
  }
  EXPECT_EQ(evaluated, static_cast<int>(counties_.size()) - 1);
}

TEST_F(ProvinceTest, AnArchiveThatDoesNotAnswerIsAskedOnlyUntilItFailsOnce) {
  StartChecklist({"--evaluation_threads=2"});
  ASSERT_EQ(::kill(archive_->pid(), SIGSTOP), 0);
  const absl::Time start = absl::Now();
  Stream s = Province();
  const absl::Duration took = absl::Now() - start;
  ::kill(archive_->pid(), SIGCONT);
  ASSERT_TRUE(s.status.ok()) << s.status;
  ASSERT_EQ(s.items.size(), counties_.size());
  int waited = 0;
  for (const auto& item : s.items) {
    if (!item.has_evaluation()) continue;
    EXPECT_EQ(item.evaluation().evidence_checked(), v1::EVIDENCE_UNKNOWN);
    for (const std::string& w : item.evaluation().warnings()) {
      if (absl::StrContains(w, "did not answer within")) ++waited;
    }
  }
  // Only the counties already waiting when the first timed out waited;
  // twelve counties one second each would take twelve.
  EXPECT_GE(waited, 1);
  EXPECT_LE(waited, 4);
  EXPECT_LT(took, absl::Seconds(5)) << took;
}

TEST_F(ProvinceTest, ResultsNameTheStandardAndItsStableContentHash) {
  auto s2017 = Standard("moe-2017-quality");
  auto s2012 = Standard("moe-2012-basic");
  auto variant = Standard("example-province-2017-quality");
  ASSERT_TRUE(s2017.ok() && s2012.ok() && variant.ok());
  const std::string hash = s2017->content_sha256();
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(s2012->content_sha256(), hash);
  EXPECT_NE(variant->content_sha256(), hash);

  // An empty standard is the server's default, named in the result.
  auto county = County("330101", 0);
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->standard(), "standards/moe-2017-quality");
  EXPECT_EQ(county->standard_sha256(), hash);
  EXPECT_EQ(County("330101", 0, "standards/moe-2012-basic")->standard_sha256(),
            s2012->content_sha256());
  {
    grpc::ClientContext c;
    v1::EvaluateSchoolRequest r;
    r.set_name("counties/330101/years/2025/schools/3301010001");
    v1::SchoolEvaluation e;
    ASSERT_TRUE(stub_->EvaluateSchool(&c, r, &e).ok());
    EXPECT_EQ(e.standard(), "standards/moe-2017-quality");
    EXPECT_EQ(e.standard_sha256(), hash);
  }
  Stream province = Province();
  EXPECT_EQ(province.items[0].evaluation().standard_sha256(), hash);

  // Stable across restarts.
  StartChecklist({});
  EXPECT_EQ(Standard("moe-2017-quality")->content_sha256(), hash);

  // One threshold changed in the base file: a new hash for it and for the
  // variant built on it, the same for the standard it does not touch.
  TempDir edited;
  for (const auto& f : std::filesystem::directory_iterator(
           std::string(JUNHENG_SOURCE_DIR) + "/standards")) {
    WriteFile(edited.File(f.path().filename()), ReadFile(f.path()));
  }
  std::string text = ReadFile(edited.File("moe-2017-quality.textproto"));
  // R5 primary (7.5 m² a student), which the variant does not override.
  const size_t at = text.find("value: 7.5 }");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 10, "value: 7.6");
  WriteFile(edited.File("moe-2017-quality.textproto"), text);
  StartChecklist({"--standards_dir=" + edited.path()});
  auto changed = Standard("moe-2017-quality");
  ASSERT_TRUE(changed.ok()) << checklist_->Stderr();
  EXPECT_NE(changed->content_sha256(), hash);
  EXPECT_NE(Standard("example-province-2017-quality")->content_sha256(),
            variant->content_sha256());
  EXPECT_EQ(Standard("moe-2012-basic")->content_sha256(),
            s2012->content_sha256());
  EXPECT_EQ(County("330101", 0)->standard_sha256(), changed->content_sha256());
  // A stream begun under the old file cannot be resumed under the new one.
  Stream resumed = Province(province.items[0].next_page_token());
  EXPECT_EQ(resumed.status.code(), absl::StatusCode::kFailedPrecondition)
      << resumed.status;
}

TEST_F(ProvinceTest, CliShowsPerCountyErrorsAndResumes) {
  const std::vector<std::string> env = {"JUNHENG_CHECKLIST_ADDR=" +
                                        checklist_->address()};
  auto all = RunCommand(
      "junheng",
      {"checklist", "province", "--province", "33", "--year", "2025"}, env);
  EXPECT_EQ(all.exit_code, 1) << all.err;
  EXPECT_THAT(all.out, HasSubstr(absl::StrCat(kBroken, " ERROR DATA_LOSS: ")));
  EXPECT_THAT(all.out, HasSubstr("330112 "));
  EXPECT_THAT(all.out, HasSubstr("12 counties, "));
  EXPECT_THAT(all.out, HasSubstr("1 could not be evaluated (as of revision 2"));
  EXPECT_THAT(all.err, HasSubstr("1 county could not be evaluated"));

  Stream s = Province();
  auto rest = RunCommand("junheng",
                         {"checklist", "province", "--province", "33", "--year",
                          "2025", "--page_token", s.items[9].next_page_token()},
                         env);
  EXPECT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_THAT(rest.out, HasSubstr("330111 "));
  EXPECT_THAT(rest.out, HasSubstr("330112 "));
  EXPECT_THAT(rest.out, ::testing::Not(HasSubstr("330110 ")));
  EXPECT_THAT(rest.out, HasSubstr("2 counties, "));
}

}  // namespace
}  // namespace junheng
