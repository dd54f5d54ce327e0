// junheng-checklist killed with SIGKILL at random moments, 20 times, while
// clients import schools and counties (through the generated stub and the
// `junheng checklist import` CLI), record judgements and evaluate;
// restarted on the same data each time. Afterwards: every acknowledged
// revision is there with exactly the rows sent, every revision that exists
// (acknowledged or in flight at a kill) holds all of its submission's rows
// or is absent, nothing refused or never sent exists, and every evaluation
// taken right after an acknowledgement comes out identical after the
// restarts.
//
// The seed is printed (JUNHENG_CRASH_SEED overrides it); it fixes the data
// and the kill moments, thread scheduling does the rest.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "checklist_service/store/checklist_store.h"
#include "common/grpc_status.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::checklist::Cells;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;

constexpr int kRounds = 20;
constexpr int kWorkers = 3;
constexpr int kYear = 2025;
constexpr int kSchoolsPerCounty = 60;
const char* const kCounties[] = {"330191", "330192", "330193", "330194"};

enum class Kind { kSchools, kCounties, kJudgement };
enum class Outcome { kUnknown, kAcked };

// One submission as sent. Its comment, "attempt-N", is stored with the
// revision, so a revision names the submission it came from.
struct Attempt {
  Kind kind = Kind::kSchools;
  std::string comment;
  // Schools: "county/school" -> cells; counties: "county" -> cells.
  std::map<std::string, Cells> rows;
  std::string csv;
  // Judgements.
  std::string county;
  std::string code;
  bool passed = false;
  Outcome outcome = Outcome::kUnknown;
  int64_t revision = 0;  // when acknowledged
  std::set<std::string> counties;
};

// An evaluation taken right after an acknowledgement.
struct Recorded {
  std::string county;
  int64_t as_of = 0;
  absl::StatusCode code = absl::StatusCode::kOk;
  v1::CountyEvaluation evaluation;
};

class Recorder {
 public:
  int Add(Attempt a) {
    std::lock_guard<std::mutex> lock(mu_);
    const int i = static_cast<int>(attempts_.size());
    a.comment = absl::StrCat("attempt-", i);
    attempts_.push_back(std::move(a));
    return i;
  }
  Attempt Get(int i) {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_[i];
  }
  // The rows go with the attempt before anything is sent.
  void SetRows(int i, std::map<std::string, Cells> rows) {
    std::lock_guard<std::mutex> lock(mu_);
    attempts_[i].rows = std::move(rows);
  }
  void Ack(int i, int64_t revision) {
    std::lock_guard<std::mutex> lock(mu_);
    attempts_[i].outcome = Outcome::kAcked;
    attempts_[i].revision = revision;
  }
  void Record(Recorded r) {
    std::lock_guard<std::mutex> lock(mu_);
    recorded_.push_back(std::move(r));
  }
  std::optional<Recorded> RandomRecorded(std::mt19937_64& rng) {
    std::lock_guard<std::mutex> lock(mu_);
    if (recorded_.empty()) return std::nullopt;
    return recorded_[rng() % recorded_.size()];
  }
  void Unexpected(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    unexpected_.push_back(what);
  }
  std::vector<Attempt> attempts() {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }
  std::vector<Recorded> recorded() {
    std::lock_guard<std::mutex> lock(mu_);
    return recorded_;
  }
  std::vector<std::string> unexpected() {
    std::lock_guard<std::mutex> lock(mu_);
    return unexpected_;
  }

 private:
  std::mutex mu_;
  std::vector<Attempt> attempts_;
  std::vector<Recorded> recorded_;
  std::vector<std::string> unexpected_;
};

absl::StatusOr<v1::CountyEvaluation> Evaluate(v1::ChecklistService::Stub& stub,
                                              const std::string& county,
                                              int64_t as_of) {
  grpc::ClientContext c;
  c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::EvaluateCountyRequest r;
  r.set_name(absl::StrCat("counties/", county, "/years/", kYear));
  r.set_as_of_revision(as_of);
  v1::CountyEvaluation e;
  absl::Status s = FromGrpc(stub.EvaluateCounty(&c, r, &e));
  if (!s.ok()) return s;
  return e;
}

// Whether `got` is what `want` recorded; the difference otherwise.
std::string Compare(const Recorded& want,
                    const absl::StatusOr<v1::CountyEvaluation>& got) {
  if (got.status().code() != want.code) {
    return absl::StrCat("status ", got.status().ToString(), ", recorded ",
                        absl::StatusCodeToString(want.code));
  }
  if (!got.ok()) return "";
  std::string diff;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  if (d.Compare(want.evaluation, *got)) return "";
  return diff.substr(0, 2000);
}

class Worker {
 public:
  Worker(int index, uint64_t seed, const std::string& address, Recorder& rec,
         const std::atomic<bool>& killing)
      : index_(index),
        rng_(seed),
        address_(address),
        rec_(rec),
        killing_(killing),
        stub_(v1::ChecklistService::NewStub(grpc::CreateChannel(
            address, grpc::InsecureChannelCredentials()))) {}

  void Run(const std::atomic<bool>& stop) {
    while (!stop) {
      const int r = static_cast<int>(rng_() % 100);
      if (r < 45) {
        ImportSchools();
      } else if (r < 63) {
        ImportCounties();
      } else if (r < 83) {
        Judge();
      } else {
        Reevaluate();
      }
    }
  }

 private:
  void Failed(const std::string& op, const absl::Status& s) {
    if (!killing_) {
      rec_.Unexpected(
          absl::StrCat("worker ", index_, " ", op, ": ", s.ToString()));
    }
  }

  std::string Int(int lo, int hi) {
    return std::to_string(lo + static_cast<int>(rng_() % (hi - lo + 1)));
  }

  void ImportSchools() {
    Attempt a;
    a.kind = Kind::kSchools;
    const std::vector<std::string> columns = {
        "county_code",      "school_code",    "school_name", "year",
        "school_type",      "p_students",     "p_classes",   "p_teachers",
        "teaching_area_m2", "sports_area_m2", "computers"};
    // One county mostly, two sometimes: atomic across counties too.
    std::set<std::string> counties = {kCounties[rng_() % 4]};
    if (rng_() % 4 == 0) counties.insert(kCounties[rng_() % 4]);
    std::vector<std::vector<std::string>> lines;
    for (const std::string& county : counties) {
      a.counties.insert(county);
      const int n = 1 + static_cast<int>(rng_() % kSchoolsPerCounty);
      std::set<int> picked;
      while (static_cast<int>(picked.size()) < n) {
        picked.insert(1 + static_cast<int>(rng_() % kSchoolsPerCounty));
      }
      for (int s : picked) {
        char code[16];
        std::snprintf(code, sizeof(code), "%s%04d", county.c_str(), s);
        const std::string students = Int(80, 2400);
        std::vector<std::string> values = {
            county,
            code,
            "",  // the name, once the attempt is numbered
            std::to_string(kYear),
            "primary",
            students,
            Int(3, 50),
            Int(6, 140),
            Int(400, 12000),
            Int(500, 15000),
            Int(10, 400)};
        lines.push_back(values);
      }
    }
    const int i = rec_.Add(a);
    std::string csv;
    for (size_t c = 0; c < columns.size(); ++c) {
      absl::StrAppend(&csv, c ? "," : "", columns[c]);
    }
    csv += "\n";
    std::map<std::string, Cells> rows;
    int n = 0;
    for (auto& values : lines) {
      values[2] = absl::StrCat("校", i, "-", n++);
      Cells cells;
      for (size_t c = 0; c < columns.size(); ++c) {
        cells[columns[c]] = values[c];
        absl::StrAppend(&csv, c ? "," : "", values[c]);
      }
      csv += "\n";
      rows[values[0] + "/" + values[1]] = cells;
    }
    Submit(i, /*schools=*/true, csv, rows);
  }

  void ImportCounties() {
    Attempt a;
    a.kind = Kind::kCounties;
    std::set<std::string> counties;
    const int n = 1 + static_cast<int>(rng_() % 4);
    while (static_cast<int>(counties.size()) < n) {
      counties.insert(kCounties[rng_() % 4]);
    }
    a.counties = counties;
    const int i = rec_.Add(a);
    std::string csv =
        "county_code,county_name,year,province_code,satisfaction_rate,"
        "rotation_eligible_teachers,rotated_teachers\n";
    std::map<std::string, Cells> rows;
    for (const std::string& county : counties) {
      Cells cells = {{"county_code", county},
                     {"county_name", absl::StrCat("县", i)},
                     {"year", std::to_string(kYear)},
                     {"province_code", "33"},
                     {"satisfaction_rate", absl::StrCat("0.", Int(70, 99))},
                     {"rotation_eligible_teachers", Int(100, 2000)},
                     {"rotated_teachers", Int(0, 100)}};
      absl::StrAppend(&csv, county, ",", cells["county_name"], ",", kYear,
                      ",33,", cells["satisfaction_rate"], ",",
                      cells["rotation_eligible_teachers"], ",",
                      cells["rotated_teachers"], "\n");
      rows[county] = cells;
    }
    Submit(i, /*schools=*/false, csv, rows);
  }

  // Through the stub mostly; through the CLI one time in six.
  void Submit(int i, bool schools, const std::string& csv,
              const std::map<std::string, Cells>& rows) {
    const Attempt a = rec_.Get(i);
    rec_.SetRows(i, rows);
    const std::string what = absl::StrCat(
        schools ? "import schools " : "import counties ", a.comment);
    int64_t revision = 0;
    if (rng_() % 6 == 0) {
      TempDir dir;
      const std::string path = dir.File(schools ? "schools.csv" : "c.csv");
      WriteFile(path, csv);
      auto r =
          RunCommand("junheng",
                     {"checklist", "import", schools ? "schools" : "counties",
                      path, "--comment", a.comment},
                     {"JUNHENG_CHECKLIST_ADDR=" + address_}, absl::Seconds(30));
      if (r.exit_code != 0) {
        return Failed(what + " (cli)", absl::UnknownError(absl::StrCat(
                                           "exit ", r.exit_code, ": ", r.err)));
      }
      const size_t at = r.out.find("as revision ");
      if (at == std::string::npos ||
          !absl::SimpleAtoi(r.out.substr(at + 12, r.out.find_first_not_of(
                                                      "0123456789", at + 12) -
                                                      (at + 12)),
                            &revision)) {
        rec_.Unexpected(what + ": cli printed " + r.out);
        return;
      }
    } else {
      grpc::ClientContext c;
      c.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
      v1::ImportResponse response;
      auto writer = schools ? stub_->ImportSchools(&c, &response)
                            : stub_->ImportCounties(&c, &response);
      v1::ImportRequest header;
      header.mutable_header()->set_comment(a.comment);
      writer->Write(header);
      // Pieces of varied size, so rows straddle messages.
      const size_t piece = 1 + rng_() % 4096;
      for (size_t at = 0; at < csv.size(); at += piece) {
        v1::ImportRequest m;
        m.set_csv_chunk(csv.substr(at, piece));
        if (!writer->Write(m)) break;
      }
      writer->WritesDone();
      absl::Status s = FromGrpc(writer->Finish());
      if (!s.ok()) return Failed(what, s);
      revision = response.revision();
      if (response.rows() != static_cast<int64_t>(rows.size())) {
        rec_.Unexpected(absl::StrCat(what, ": ", response.DebugString()));
      }
    }
    rec_.Ack(i, revision);
    RecordEvaluations(a.counties, revision);
  }

  void Judge() {
    Attempt a;
    a.kind = Kind::kJudgement;
    a.county = kCounties[rng_() % 4];
    a.counties = {a.county};
    a.code = rng_() % 2 ? "G1" : "G2";
    a.passed = rng_() % 2 == 0;
    const int i = rec_.Add(a);
    a = rec_.Get(i);
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::RecordJudgementRequest r;
    r.set_name(absl::StrCat("counties/", a.county, "/years/", kYear,
                            "/judgements/", a.code));
    r.set_passed(a.passed);
    r.set_comment(a.comment);
    r.add_evidence(absl::StrCat("counties/", a.county, "/evidence/plan-", i));
    v1::Judgement j;
    absl::Status s = FromGrpc(stub_->RecordJudgement(&c, r, &j));
    if (!s.ok()) return Failed("judgement " + a.comment, s);
    rec_.Ack(i, j.revision().revision());
    RecordEvaluations(a.counties, j.revision().revision());
  }

  // What the evaluation says right after the acknowledgement is what it
  // must say as of that revision forever after.
  void RecordEvaluations(const std::set<std::string>& counties,
                         int64_t revision) {
    for (const std::string& county : counties) {
      auto e = Evaluate(*stub_, county, revision);
      if (!e.ok() && e.status().code() != absl::StatusCode::kNotFound) {
        return Failed("evaluate " + county, e.status());
      }
      Recorded r;
      r.county = county;
      r.as_of = revision;
      r.code = e.status().code();
      if (e.ok()) r.evaluation = *std::move(e);
      rec_.Record(std::move(r));
    }
  }

  void Reevaluate() {
    auto r = rec_.RandomRecorded(rng_);
    if (!r) return;
    auto e = Evaluate(*stub_, r->county, r->as_of);
    if (!e.ok() && e.status().code() != absl::StatusCode::kNotFound) {
      return Failed("evaluate " + r->county, e.status());
    }
    const std::string diff = Compare(*r, e);
    if (!diff.empty()) {
      rec_.Unexpected(absl::StrCat("evaluation of ", r->county, " as of ",
                                   r->as_of, " changed: ", diff));
    }
  }

  const int index_;
  std::mt19937_64 rng_;
  const std::string address_;
  Recorder& rec_;
  const std::atomic<bool>& killing_;
  std::unique_ptr<v1::ChecklistService::Stub> stub_;
};

uint64_t SeedFromEnvironment() {
  uint64_t seed = 0;
  const char* env = std::getenv("JUNHENG_CRASH_SEED");
  if (env != nullptr && absl::SimpleAtoi(env, &seed)) return seed;
  return std::random_device()();
}

// `recorded` evaluated again, all of them or `sample` at random.
void ExpectSameEvaluations(const std::string& address,
                           std::vector<Recorded> recorded, size_t sample,
                           std::mt19937_64& rng, const std::string& when) {
  auto stub = v1::ChecklistService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  if (sample < recorded.size()) {
    std::shuffle(recorded.begin(), recorded.end(), rng);
    recorded.resize(sample);
  }
  for (const Recorded& r : recorded) {
    EXPECT_EQ(Compare(r, Evaluate(*stub, r.county, r.as_of)), "")
        << when << ": " << r.county << " as of " << r.as_of;
  }
}

TEST(ChecklistCrashLoopTest, AcknowledgedRevisionsSurviveTwentyKills) {
  const uint64_t seed = SeedFromEnvironment();
  std::cout << "seed " << seed << " (rerun with JUNHENG_CRASH_SEED=" << seed
            << ")" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  Recorder rec;
  TempDir data;
  const std::string db = data.path() + "/db";
  // Without --archive_addr evaluations carry a fixed warning instead of an
  // evidence status, so they are reproducible byte for byte.
  const std::vector<std::string> args = {
      "--data_dir=" + db,
      std::string("--standards_dir=") + JUNHENG_SOURCE_DIR + "/standards"};

  for (int round = 0; round < kRounds; ++round) {
    ServerProcess server("junheng-checklist", args);
    absl::Status started = server.Start();
    ASSERT_TRUE(started.ok()) << "round " << round << ": " << started << "\n"
                              << server.Stderr();
    ExpectSameEvaluations(server.address(), rec.recorded(), 5, rng,
                          absl::StrCat("after restart ", round));
    std::atomic<bool> stop{false};
    std::atomic<bool> killing{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kWorkers; ++t) {
      const uint64_t worker_seed = rng();
      threads.emplace_back([&, t, worker_seed] {
        Worker(t, worker_seed, server.address(), rec, killing).Run(stop);
      });
    }
    const int wait_ms = rng() % 10 == 0 ? static_cast<int>(rng() % 60)
                                        : 150 + static_cast<int>(rng() % 700);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    killing = true;
    server.Kill();
    stop = true;
    for (auto& th : threads) th.join();
  }
  if (HasFailure()) return;
  EXPECT_THAT(rec.unexpected(), ::testing::IsEmpty());

  const std::vector<Attempt> attempts = rec.attempts();
  const absl::Time verify_start = absl::Now();
  {
    ServerProcess server("junheng-checklist", args);
    ASSERT_TRUE(server.Start().ok()) << server.Stderr();
    ExpectSameEvaluations(server.address(), rec.recorded(), SIZE_MAX, rng,
                          "after the last restart");
    // One row of each acknowledged schools import, through the service.
    auto stub = v1::ChecklistService::NewStub(grpc::CreateChannel(
        server.address(), grpc::InsecureChannelCredentials()));
    for (const Attempt& a : attempts) {
      if (a.kind != Kind::kSchools || a.outcome != Outcome::kAcked) continue;
      auto it = a.rows.begin();
      std::advance(it, rng() % a.rows.size());
      const Cells& cells = it->second;
      grpc::ClientContext c;
      v1::GetSchoolReportRequest r;
      r.set_name(absl::StrCat("counties/", cells.at("county_code"), "/years/",
                              kYear, "/schools/", cells.at("school_code"),
                              "/statistics"));
      r.set_as_of_revision(a.revision);
      v1::SchoolReport report;
      grpc::Status s = stub->GetSchoolReport(&c, r, &report);
      ASSERT_TRUE(s.ok()) << r.name() << ": " << s.error_message();
      EXPECT_EQ(report.revision().revision(), a.revision) << r.name();
      EXPECT_EQ(report.revision().comment(), a.comment) << r.name();
      EXPECT_EQ(Cells(report.values().begin(), report.values().end()), cells)
          << r.name();
    }
    EXPECT_EQ(server.Stop(), 0);
  }

  // The store itself: every revision is one submission, whole.
  auto store = checklist::OpenRocksChecklistStore(db);
  ASSERT_TRUE(store.ok()) << store.status();
  const int64_t latest = (*store)->LatestRevision();
  std::map<int, int64_t> landed;  // attempt -> revision
  int acked = 0, unknown = 0, landed_unknown = 0;
  for (int64_t r = 1; r <= latest; ++r) {
    SCOPED_TRACE(absl::StrCat("revision ", r));
    auto info = (*store)->GetRevision(r);
    ASSERT_TRUE(info.ok()) << "a gap in the revisions: " << info.status();
    // Imports keep the submission's comment with the revision; a
    // judgement keeps it in its row (the revision's comment is the code).
    std::string comment = info->comment;
    if (info->kind == "judgement") {
      for (const char* county : kCounties) {
        auto snap = (*store)->LoadCounty(county, kYear, r);
        ASSERT_TRUE(snap.ok()) << snap.status();
        for (const auto& j : snap->judgements) {
          if (j.revision == r) comment = j.comment;
        }
      }
    }
    int i = -1;
    ASSERT_TRUE(absl::StartsWith(comment, "attempt-") &&
                absl::SimpleAtoi(comment.substr(8), &i) && i >= 0 &&
                i < static_cast<int>(attempts.size()))
        << "a revision no client submitted: " << info->kind << " " << comment;
    ASSERT_TRUE(landed.emplace(i, r).second)
        << info->comment << " landed twice";
    const Attempt& a = attempts[i];
    if (a.outcome == Outcome::kAcked) {
      EXPECT_EQ(a.revision, r) << a.comment;
    } else {
      ++landed_unknown;
    }
    for (const std::string& county : a.counties) {
      auto snap = (*store)->LoadCounty(county, kYear, r);
      ASSERT_TRUE(snap.ok()) << snap.status();
      switch (a.kind) {
        case Kind::kSchools: {
          EXPECT_EQ(info->kind, "import_schools");
          std::map<std::string, Cells> got, want;
          for (const auto& s : snap->schools) {
            if (s.revision == r) got[county + "/" + s.key.school] = s.cells;
          }
          for (const auto& [key, cells] : a.rows) {
            if (absl::StartsWith(key, county + "/")) want[key] = cells;
          }
          EXPECT_EQ(got, want)
              << a.comment << " in " << county << ": the import is not whole";
          break;
        }
        case Kind::kCounties:
          EXPECT_EQ(info->kind, "import_counties");
          ASSERT_TRUE(snap->county.has_value()) << a.comment;
          EXPECT_EQ(snap->county->revision, r) << a.comment;
          EXPECT_EQ(snap->county->cells, a.rows.at(county)) << a.comment;
          break;
        case Kind::kJudgement: {
          EXPECT_EQ(info->kind, "judgement");
          int found = 0;
          for (const auto& j : snap->judgements) {
            if (j.revision != r) continue;
            ++found;
            EXPECT_EQ(j.code, a.code);
            EXPECT_EQ(j.passed, a.passed);
            EXPECT_EQ(j.comment, a.comment);
          }
          EXPECT_EQ(found, 1) << a.comment;
          break;
        }
      }
    }
  }
  for (int i = 0; i < static_cast<int>(attempts.size()); ++i) {
    if (attempts[i].outcome == Outcome::kAcked) {
      ++acked;
      EXPECT_TRUE(landed.count(i))
          << attempts[i].comment << " was acknowledged as revision "
          << attempts[i].revision << " and is gone";
    } else {
      ++unknown;
    }
  }
  std::cout << "verification took " << (absl::Now() - verify_start)
            << std::endl;
  std::cout << "submissions " << attempts.size() << ": acked " << acked
            << ", unknown " << unknown << " (landed " << landed_unknown
            << "); revisions " << latest << "; evaluations compared "
            << rec.recorded().size() << std::endl;
  // Floors, not targets: low enough for a sanitizer build on a busy
  // machine, high enough that the loop exercised something.
  EXPECT_GT(acked, 20) << "the load was too light to prove anything";
  EXPECT_GT(unknown, 5) << "few submissions were in flight at the kills";
}

}  // namespace
}  // namespace junheng
