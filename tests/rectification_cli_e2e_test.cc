// `junheng checklist plan|whatif|items` end to end: the real junheng
// binary against junheng-checklist (with junheng-archive behind it) on
// loopback, with tokens, on the example county (examples/county-330106).
// The figures are the README's: 1,389,200 yuan by the school rule,
// 2,759,028 with every indicator met.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/rectification_input.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "junheng/v1/rectification.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::CommandResult;
using ::junheng::testing::ReadFile;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kExample[] = JUNHENG_SOURCE_DIR "/examples/county-330106/";
constexpr char kCounty[] = "counties/330106/years/2025";

template <typename M>
M FromJson(const std::string& json) {
  M message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

// A date `days` from today as `--deadline` takes it, in Beijing.
std::string Date(int days) {
  return absl::FormatTime("%Y-%m-%d", absl::Now() + absl::Hours(24 * days),
                          cli::ChinaTime());
}

class RectificationCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string principals = dir_.File("principals.textproto");
    auto create = [&](const std::string& role, const std::string& scope,
                      const std::string& name) {
      return testing::CreateToken(principals, role, scope, name);
    };
    tokens_ = {
        {"county", create("county", "counties/330106", "钱塘示范县教育局")},
        {"inspector", create("inspector", "counties/330106", "督导组")},
        {"school26",
         create("school", "counties/330106/schools/2133010626", "临江镇初中")},
    };
    auto services = testing::StartServices(dir_, principals,
                                           JUNHENG_SOURCE_DIR "/standards");
    ASSERT_TRUE(services.ok()) << services.status();
    archive_ = std::move(services->archive);
    checklist_ = std::move(services->checklist);
    for (const char* table : {"schools", "counties"}) {
      auto r = Cli({"checklist", "import", table,
                    absl::StrCat(kExample, table, ".csv")});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  // The CLI as `who`, with the services' addresses in its environment.
  CommandResult Cli(const std::vector<std::string>& args,
                    const std::string& who = "county") {
    return RunCommand("junheng", args,
                      {"JUNHENG_CHECKLIST_ADDR=" + checklist_->address(),
                       "JUNHENG_ARCHIVE_ADDR=" + archive_->address(),
                       "JUNHENG_TOKEN=" + tokens_.at(who)},
                      absl::Seconds(120));
  }

  // `junheng checklist VERB --county 330106 --year 2025 ARGS…`
  CommandResult Checklist(const std::vector<std::string>& verb,
                          const std::vector<std::string>& args = {},
                          const std::string& who = "county") {
    std::vector<std::string> all = {"checklist"};
    all.insert(all.end(), verb.begin(), verb.end());
    all.insert(all.end(), {"--county", "330106", "--year", "2025"});
    all.insert(all.end(), args.begin(), args.end());
    return Cli(all, who);
  }

  // Writes the default plan as JSON; returns its path.
  std::string PlanFile(const std::vector<std::string>& extra = {}) {
    const std::string path = dir_.File("plan.json");
    std::vector<std::string> args = {"--format", "json", "-o", path};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Checklist({"plan"}, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("wrote " + path));
    return path;
  }

  v1::ListRectificationItemsResponse List(
      const std::vector<std::string>& args = {},
      const std::string& who = "county") {
    std::vector<std::string> all = {"--format", "json"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = Checklist({"items", "list"}, all, who);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return FromJson<v1::ListRectificationItemsResponse>(r.out);
  }

  TempDir dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<ServerProcess> archive_;
  std::unique_ptr<ServerProcess> checklist_;
};

TEST_F(RectificationCliTest, PlanPrintsTheExampleCountysPlan) {
  auto table = Checklist({"plan"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("县 330106 · 2025 学年"));
  EXPECT_THAT(table.out, HasSubstr("可行 feasible · 资源配置 未达标 FAIL → "
                                   "达标 pass"));
  EXPECT_THAT(table.out, HasSubstr("交流轮岗 自 钱塘示范县实验小学 "
                                   "2133010601"));
  EXPECT_THAT(table.out, HasSubstr("临江镇初级中学 2133010626"));
  EXPECT_THAT(table.out, HasSubstr("1,843 平方米"));
  EXPECT_THAT(table.out, HasSubstr("R5 小学差异系数"));
  EXPECT_THAT(table.out, HasSubstr("1,389,200"));

  const v1::RectificationPlan plan = *cli::ParsePlanJson(ReadFile(PlanFile()));
  EXPECT_EQ(plan.name(), kCounty);
  EXPECT_TRUE(plan.feasible());
  EXPECT_DOUBLE_EQ(plan.total_cost_yuan(), 1389200);
  ASSERT_EQ(plan.actions_size(), 5);
  int rotations = 0;
  for (const auto& a : plan.actions()) {
    if (a.kind() != v1::RectificationAction::ROTATE) continue;
    ++rotations;
    EXPECT_TRUE(absl::EndsWith(a.from_school(), "2133010601"));
    EXPECT_TRUE(absl::EndsWith(a.school(), "2133010614"));
    EXPECT_EQ(a.quantity(), 1);
  }
  EXPECT_EQ(rotations, 1);

  // Every indicator, as CSV: the cost column sums to the README's figure.
  auto csv = Checklist({"plan"}, {"--every_indicator", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> lines =
      absl::StrSplit(csv.out, '\n', absl::SkipEmpty());
  ASSERT_GT(lines.size(), 1u);
  std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  const size_t cost_at =
      std::find(header.begin(), header.end(), "cost_yuan") - header.begin();
  ASSERT_LT(cost_at, header.size());
  double sum = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    double cost = 0;
    ASSERT_TRUE(absl::SimpleAtod(cells.at(cost_at), &cost)) << lines[i];
    sum += cost;
  }
  EXPECT_DOUBLE_EQ(sum, 2759028);
  auto every = Checklist({"plan"}, {"--every_indicator"});
  EXPECT_THAT(every.out, HasSubstr("2,759,028"));
  EXPECT_THAT(every.out, HasSubstr("每项资源配置指标均达标"));

  // Without rotation the teacher is hired.
  auto hire = Checklist({"plan"}, {"--no_rotation"});
  ASSERT_EQ(hire.exit_code, 0) << hire.err;
  EXPECT_THAT(hire.out, Not(HasSubstr("交流轮岗")));
  EXPECT_THAT(hire.out, HasSubstr("骨干教师"));

  // A county's cost file: no land at 01, so its sports area goes elsewhere.
  WriteFile(dir_.File("costs.csv"),
            "school_code,resource,unit_cost_yuan,max_units\n"
            "2133010601,sports_area_m2,,0\n");
  auto costs = Checklist(
      {"plan"}, {"--costs", dir_.File("costs.csv"), "--format", "csv"});
  ASSERT_EQ(costs.exit_code, 0) << costs.err;
  EXPECT_THAT(costs.out, Not(HasSubstr("add,2133010601,,all,sports_area_m2")));
}

TEST_F(RectificationCliTest, BadPlanInputSaysWhatToFix) {
  WriteFile(dir_.File("costs.csv"),
            "school_code,resource,unit_cost_yuan,max_units\n"
            ",gold_bars,5,\n");
  auto bad = Checklist({"plan"}, {"--costs", dir_.File("costs.csv")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(bad.err, HasSubstr("  - " + dir_.File("costs.csv") +
                                 ": cost file line 2"));
  auto missing = Checklist({"plan"}, {"--costs", dir_.File("nope.csv")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot read the cost file"));
  auto no_year = Cli({"checklist", "plan", "--county", "330106"});
  EXPECT_EQ(no_year.exit_code, 2);
  EXPECT_THAT(no_year.err, HasSubstr("plan needs --county and --year"));
  EXPECT_EQ(Checklist({"plan"}, {"--format", "xlsx"}).exit_code, 2);
  auto other =
      Cli({"checklist", "plan", "--county", "330106", "--year", "2024"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("NOT_FOUND"));
  // A school reads its own items but plans nothing.
  auto school = Checklist({"plan"}, {}, "school26");
  EXPECT_EQ(school.exit_code, 1);
  EXPECT_THAT(school.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(RectificationCliTest, WhatIfShowsBeforeAndAfter) {
  const std::string plan = PlanFile();
  auto table = Checklist({"whatif"}, {"--plan", plan});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("钱塘示范县 330106 · 2025 学年 · 5 项措施"));
  EXPECT_THAT(table.out, HasSubstr("0.509 未达标 FAIL  0.500 达标 pass"));
  EXPECT_THAT(table.out, HasSubstr("石桥镇中心小学 2133010614"));
  EXPECT_THAT(table.out, HasSubstr("差异系数的主要来源"));
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n');
  bool resource = false;
  for (const auto& l : lines) {
    if (absl::StartsWith(l, "  资源配置")) {
      resource = true;
      EXPECT_THAT(l, HasSubstr("未达标 FAIL    达标 pass"));
    }
  }
  EXPECT_TRUE(resource) << table.out;

  // The same actions as an edited spreadsheet: the plan's CSV, read back.
  const std::string actions = dir_.File("actions.csv");
  ASSERT_EQ(Checklist({"plan"}, {"--format", "csv", "-o", actions}).exit_code,
            0);
  auto json = Checklist({"whatif"}, {"--actions", actions, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto response = FromJson<v1::SimulateRectificationResponse>(json.out);
  for (const auto& a : response.after().areas()) {
    if (a.code() == "resource") {
      EXPECT_EQ(a.outcome(), v1::PASS);
    }
  }
  for (const auto& a : response.before().areas()) {
    if (a.code() == "resource") {
      EXPECT_EQ(a.outcome(), v1::FAIL);
    }
  }
  EXPECT_FALSE(response.drivers().empty());

  // Only one classroom: R7 at 26 stays short.
  WriteFile(actions,
            "kind,school_code,from_school_code,level,resource,quantity\n"
            "add,2133010626,,all,multimedia_classrooms,1\n");
  auto one = Checklist({"whatif"}, {"--actions", actions});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("1 项措施"));

  // What the service refuses is named by the file's line.
  WriteFile(actions,
            "kind,school_code,from_school_code,level,resource,quantity\n"
            "\n"
            "add,2133010626,,all,rockets,2\n");
  auto refused = Checklist({"whatif"}, {"--actions", actions});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr(actions + " line 3 (resource)"));
  // What the CLI can tell itself is a usage error.
  WriteFile(actions,
            "kind,school_code,from_school_code,level,resource,quantity\n"
            "buy,2133010626,,all,books,2\n");
  auto local = Checklist({"whatif"}, {"--actions", actions});
  EXPECT_EQ(local.exit_code, 2);
  EXPECT_THAT(local.err, HasSubstr("line 2, column kind"));
  EXPECT_EQ(Checklist({"whatif"}).exit_code, 2);
  EXPECT_EQ(
      Checklist({"whatif"}, {"--plan", plan, "--actions", actions}).exit_code,
      2);
  WriteFile(dir_.File("broken.json"), "{\"name\": ");
  auto broken = Checklist({"whatif"}, {"--plan", dir_.File("broken.json")});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, HasSubstr("is not a plan"));
  auto elsewhere = Cli({"checklist", "whatif", "--county", "330106", "--year",
                        "2024", "--plan", plan});
  EXPECT_EQ(elsewhere.exit_code, 2);
  EXPECT_THAT(elsewhere.err,
              HasSubstr("holds the plan of " + std::string(kCounty)));
}

TEST_F(RectificationCliTest, ItemsAreAdoptedListedAndUpdated) {
  const std::string plan = PlanFile();
  auto adopted = Checklist({"items", "adopt"},
                           {"--plan", plan, "--owner", "县教育局装备科",
                            "--deadline", Date(90), "--request_id", "adopt-1"});
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  EXPECT_THAT(adopted.out, HasSubstr("adopted 5 rectification items"));
  EXPECT_THAT(adopted.out, HasSubstr("待整改"));
  EXPECT_THAT(adopted.out, HasSubstr(Date(90)));
  // The same request again adopts nothing new.
  auto again = Checklist({"items", "adopt"}, {"--plan", plan, "--request_id",
                                              "adopt-1", "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(
      FromJson<v1::AdoptRectificationPlanResponse>(again.out).items_size(), 5);
  v1::ListRectificationItemsResponse all = List();
  ASSERT_EQ(all.items_size(), 5);
  for (const auto& i : all.items()) {
    EXPECT_EQ(i.owner(), "县教育局装备科");
    EXPECT_EQ(i.status(), v1::RectificationItem::OPEN);
  }
  auto table = Checklist({"items", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("共 5 项 items · 逾期 0 项 overdue · "
                                   "估算费用 1,389,200 元"));
  EXPECT_THAT(table.out, HasSubstr("核验情况"));
  EXPECT_EQ(Checklist({"items", "adopt"},
                      {"--plan", plan, "--deadline", "2026-02-30"})
                .exit_code,
            2);

  // Update by number: status and owner, and nothing else.
  const std::string first = all.items(0).name();
  auto updated = Checklist({"items", "update", "1"},
                           {"--status", "in_progress", "--owner", "王校长"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_THAT(updated.out, HasSubstr("updated owner, status"));
  EXPECT_THAT(updated.out, HasSubstr("整改中 IN_PROGRESS"));
  auto got = Cli({"checklist", "items", "get", first, "--format", "json"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  auto item = FromJson<v1::RectificationItem>(got.out);
  EXPECT_EQ(item.status(), v1::RectificationItem::IN_PROGRESS);
  EXPECT_EQ(item.owner(), "王校长");
  EXPECT_EQ(item.deadline().seconds(), all.items(0).deadline().seconds());
  EXPECT_GT(item.revision(), all.items(0).revision());

  auto nothing = Checklist({"items", "update", "1"});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("nothing was changed"));
  EXPECT_EQ(
      Checklist({"items", "update", "1"}, {"--status", "verified"}).exit_code,
      2);
  auto bad_evidence =
      Checklist({"items", "update", "1"}, {"--evidence", "not a name"});
  EXPECT_EQ(bad_evidence.exit_code, 1);
  EXPECT_THAT(bad_evidence.err, HasSubstr("item.evidence[0]"));
  auto missing = Checklist({"items", "get", "99"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));

  // A deadline moved into the past makes the item overdue.
  ASSERT_EQ(
      Checklist({"items", "update", "2"}, {"--deadline", Date(-2)}).exit_code,
      0);
  auto overdue = Checklist({"items", "list"}, {"--overdue", "--format", "csv"});
  ASSERT_EQ(overdue.exit_code, 0) << overdue.err;
  std::vector<std::string> lines =
      absl::StrSplit(overdue.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << overdue.out;
  EXPECT_TRUE(absl::StartsWith(lines[1], "2,")) << lines[1];
  EXPECT_THAT(lines[1], HasSubstr(",true,"));
  EXPECT_EQ(List({"--status", "in_progress"}).items_size(), 1);
  EXPECT_EQ(List({"--school", "2133010626"}).items_size(), 1);
  EXPECT_EQ(List({"--status", "done"}).items_size(), 0);
  EXPECT_EQ(Checklist({"items", "list"}, {"--status", "shiny"}).exit_code, 2);

  // Inspectors read; they do not adopt.
  EXPECT_EQ(List({}, "inspector").items_size(), 5);
  auto inspector = Checklist({"items", "adopt"}, {"--plan", plan}, "inspector");
  EXPECT_EQ(inspector.exit_code, 1);
  EXPECT_THAT(inspector.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(RectificationCliTest, AnAdoptionThatMayNotHaveArrivedSaysHowToRetry) {
  const std::string plan = PlanFile();
  // Nothing listens on port 1: each attempt is UNAVAILABLE.
  auto r = RunCommand(
      "junheng", {"checklist", "items", "adopt", "--county", "330106", "--year",
                  "2025", "--plan", plan, "--checklist_addr", "127.0.0.1:1",
                  "--token", tokens_.at("county")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("trying again (3 of 3)"));
  EXPECT_THAT(r.err, HasSubstr("cannot reach the checklist service"));
  EXPECT_THAT(r.err, HasSubstr("run the same command with --request_id cli-"));
  // Nothing was adopted where the service is.
  EXPECT_EQ(List().items_size(), 0);
}

TEST_F(RectificationCliTest, AnItemIsVerifiedByTheStatisticsAndTheArchive) {
  ASSERT_EQ(Checklist({"items", "adopt"}, {"--plan", PlanFile()}).exit_code, 0);
  v1::ListRectificationItemsResponse mine = List({}, "school26");
  ASSERT_EQ(mine.items_size(), 1);
  const v1::RectificationItem classrooms = mine.items(0);
  EXPECT_EQ(classrooms.action().resource(), "multimedia_classrooms");

  // The school photographs its new classrooms and links the photo.
  WriteFile(dir_.File("classrooms.jpg"), "two new classrooms");
  auto put =
      Cli({"archive", "put", dir_.File("classrooms.jpg"), "--county", "330106",
           "--school", "2133010626", "--evidence", "classrooms", "--indicator",
           "R7", "--year", "2025", "--title", "新建多媒体教室照片"},
          "school26");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  // "uploaded NAME", then the version's details.
  const std::string first_line = put.out.substr(0, put.out.find('\n'));
  const std::string version(absl::StripPrefix(first_line, "uploaded "));
  ASSERT_TRUE(absl::StartsWith(version, "counties/330106/schools/")) << put.out;
  auto done = Cli({"checklist", "items", "update", classrooms.name(),
                   "--status", "done", "--evidence", version},
                  "school26");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("已完成 DONE"));
  EXPECT_THAT(done.out, HasSubstr(version));

  // The next import shows the classrooms: verified by nobody's hand.
  const std::string schools = ReadFile(std::string(kExample) + "schools.csv");
  WriteFile(
      dir_.File("schools.csv"),
      testing::AddToCsvCell(schools, "2133010626", "multimedia_classrooms",
                            classrooms.action().quantity()));
  ASSERT_EQ(Cli({"checklist", "import", "schools", dir_.File("schools.csv")})
                .exit_code,
            0);
  auto verified = Checklist({"items", "list"}, {"--status", "verified"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("已核验"));
  EXPECT_THAT(verified.out, HasSubstr("共 1 项"));
}

}  // namespace
}  // namespace junheng
