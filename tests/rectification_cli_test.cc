// What `junheng checklist plan|whatif|items` read and print, without a
// server: the actions CSV, the plan file, deadlines, and the tables and CSV
// built from hand-made messages (the example county's default plan).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/cli.h"
#include "clients/rectification_input.h"
#include "clients/rectification_tables.h"
#include "clients/text_table.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCounty[] = "counties/330106/years/2025";

std::string School(const std::string& code) {
  return std::string(kCounty) + "/schools/" + code;
}

v1::RectificationAction Add(const std::string& code, const std::string& name,
                            v1::Level level, const std::string& resource,
                            double quantity, const std::string& unit,
                            const std::string& unit_zh, double cost) {
  v1::RectificationAction a;
  a.set_kind(v1::RectificationAction::ADD);
  a.set_school(School(code));
  a.set_school_name(name);
  a.set_level(level);
  a.set_resource(resource);
  a.set_quantity(quantity);
  a.set_unit(unit);
  a.set_unit_zh(unit_zh);
  a.set_cost_yuan(cost);
  return a;
}

void Closes(v1::RectificationAction* a, const std::string& indicator,
            v1::Level level, bool coefficient, const std::string& school = "") {
  v1::Gap* g = a->add_closes();
  g->set_indicator(indicator);
  g->set_level(level);
  g->set_coefficient(coefficient);
  if (!school.empty()) g->set_school(School(school));
}

// The example county's default plan, as the README works it out.
v1::RectificationPlan ExamplePlan() {
  v1::RectificationPlan p;
  p.set_name(kCounty);
  p.set_standard("standards/moe-2017-quality");
  p.set_revision(2);
  p.set_feasible(true);
  p.set_resource_before(v1::FAIL);
  p.set_resource_after(v1::PASS);
  const struct {
    const char* code;
    const char* name;
    double m2;
  } sports[] = {{"2133010601", "钱塘示范县实验小学", 1843},
                {"2133010603", "钱塘示范县城南小学", 92},
                {"2133010604", "钱塘示范县城西小学", 147}};
  for (const auto& s : sports) {
    v1::RectificationAction a =
        Add(s.code, s.name, v1::LEVEL_ALL, "sports_area_m2", s.m2, "m2",
            "平方米", s.m2 * 600);
    Closes(&a, "R5", v1::LEVEL_PRIMARY, true);
    if (s.m2 == 1843) Closes(&a, "R5", v1::LEVEL_PRIMARY, false, s.code);
    *p.add_actions() = a;
  }
  v1::RectificationAction rooms =
      Add("2133010626", "临江镇初级中学", v1::LEVEL_ALL,
          "multimedia_classrooms", 2, "classrooms", "间", 120000);
  Closes(&rooms, "R7", v1::LEVEL_JUNIOR, false, "2133010626");
  *p.add_actions() = rooms;
  v1::RectificationAction rotate =
      Add("2133010614", "石桥镇中心小学", v1::LEVEL_PRIMARY,
          "backbone_teachers", 1, "teachers", "名教师", 20000);
  rotate.set_kind(v1::RectificationAction::ROTATE);
  rotate.set_from_school(School("2133010601"));
  rotate.set_from_school_name("钱塘示范县实验小学");
  Closes(&rotate, "R2", v1::LEVEL_PRIMARY, false, "2133010614");
  *p.add_actions() = rotate;
  p.set_total_cost_yuan(1389200);
  (*p.mutable_cost_by_resource())["sports_area_m2"] = 1249200;
  (*p.mutable_cost_by_resource())["multimedia_classrooms"] = 120000;
  (*p.mutable_cost_by_resource())["rotation"] = 20000;
  return p;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The terminal column at which `cell` ends on `line`, or -1.
int EndColumn(const std::string& line, const std::string& cell) {
  const size_t at = line.find(cell);
  if (at == std::string::npos) return -1;
  return DisplayWidth(line.substr(0, at + cell.size()));
}

// --- the actions file

TEST(ActionsCsvTest, ReadsWhatASpreadsheetSaves) {
  // Byte-order mark, CRLF, columns in another order, an extra column, a
  // quoted number with a thousands separator, a blank line, upper case.
  const std::string csv =
      "\xEF\xBB\xBFquantity,resource,level,from_school_code,school_code,kind,"
      "备注\r\n"
      "\"1,843\",sports_area_m2,all,,2133010601,add,操场扩建\r\n"
      "\r\n"
      "1,backbone_teachers,Primary,2133010601,2133010614,ROTATE,\r\n";
  auto parsed = ParseActionsCsv(csv, kCounty);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->actions.size(), 2u);
  EXPECT_THAT(parsed->lines, ElementsAre(2, 4));
  const v1::RectificationAction& add = parsed->actions[0];
  EXPECT_EQ(add.kind(), v1::RectificationAction::ADD);
  EXPECT_EQ(add.school(), School("2133010601"));
  EXPECT_EQ(add.from_school(), "");
  EXPECT_EQ(add.level(), v1::LEVEL_ALL);
  EXPECT_EQ(add.resource(), "sports_area_m2");
  EXPECT_EQ(add.quantity(), 1843);
  const v1::RectificationAction& rotate = parsed->actions[1];
  EXPECT_EQ(rotate.kind(), v1::RectificationAction::ROTATE);
  EXPECT_EQ(rotate.school(), School("2133010614"));
  EXPECT_EQ(rotate.from_school(), School("2133010601"));
  EXPECT_EQ(rotate.level(), v1::LEVEL_PRIMARY);
  EXPECT_EQ(rotate.quantity(), 1);
}

TEST(ActionsCsvTest, NamesEveryBadLineAndColumn) {
  const std::string csv =
      "kind,school_code,from_school_code,level,resource,quantity\n"
      "add,2133010626,,all,multimedia_classrooms,2\n"
      "move,213301061,,middle,backbone_teachers,-1\n"
      "rotate,2133010614,,primary,backbone_teachers,1\n"
      "add,2133010626,2133010601,all,,lots\n";
  auto parsed = ParseActionsCsv(csv, kCounty);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(parsed.status().message());
  EXPECT_THAT(m, HasSubstr("line 3, column kind: \"move\" is neither add nor "
                           "rotate"));
  EXPECT_THAT(m, HasSubstr("line 3, column school_code: \"213301061\" is not "
                           "a 10-digit school code"));
  EXPECT_THAT(m, HasSubstr("line 3, column level: \"middle\""));
  EXPECT_THAT(m, HasSubstr("line 3, column quantity: \"-1\" is not a positive "
                           "number"));
  EXPECT_THAT(m, HasSubstr("line 4, column from_school_code: is empty"));
  EXPECT_THAT(m, HasSubstr("line 5, column from_school_code: is for rotate "
                           "only"));
  EXPECT_THAT(m, HasSubstr("line 5, column resource: is empty"));
  EXPECT_THAT(m, HasSubstr("line 5, column quantity: \"lots\""));
  EXPECT_THAT(m, Not(HasSubstr("line 2")));
}

TEST(ActionsCsvTest, SaysWhatIsWrongWithTheFileAsAWhole) {
  auto message = [](const std::string& csv) {
    auto parsed = ParseActionsCsv(csv, kCounty);
    EXPECT_FALSE(parsed.ok());
    return std::string(parsed.status().message());
  };
  EXPECT_THAT(message(""), HasSubstr("the file is empty"));
  EXPECT_THAT(message("\n\n"), HasSubstr("the file is empty"));
  EXPECT_THAT(message("kind,school,level,resource,qty\n"),
              HasSubstr("the header lacks school_code, from_school_code, "
                        "quantity"));
  EXPECT_THAT(
      message("kind,school_code,from_school_code,level,resource,quantity\n"),
      HasSubstr("no actions"));
  EXPECT_THAT(message(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)),
              HasSubstr("PNG image"));
  EXPECT_THAT(message("kind,school_code,from_school_code,level,resource,"
                      "quantity\nadd,\"2133010626,,all,books,5\n"),
              HasSubstr("line 2"));
}

TEST(ActionsCsvTest, APlansCsvReadsBackAsItsActions) {
  const v1::RectificationPlan plan = ExamplePlan();
  const std::string csv = PlanCsv(plan);
  EXPECT_TRUE(absl::StartsWith(csv, kActionColumns));
  auto parsed = ParseActionsCsv(csv, kCounty);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->actions.size(), static_cast<size_t>(plan.actions_size()));
  for (int i = 0; i < plan.actions_size(); ++i) {
    const auto& want = plan.actions(i);
    const auto& got = parsed->actions[i];
    EXPECT_EQ(got.kind(), want.kind()) << i;
    EXPECT_EQ(got.school(), want.school()) << i;
    EXPECT_EQ(got.from_school(), want.from_school()) << i;
    EXPECT_EQ(got.level(), want.level()) << i;
    EXPECT_EQ(got.resource(), want.resource()) << i;
    EXPECT_EQ(got.quantity(), want.quantity()) << i;
  }
}

// --- the plan file and deadlines

TEST(PlanJsonTest, ReadsWhatPlanFormatJsonWrites) {
  const v1::RectificationPlan plan = ExamplePlan();
  auto back = ParsePlanJson(ToJson(plan));
  ASSERT_OK(back);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*back, plan))
      << back->DebugString();
}

TEST(PlanJsonTest, RefusesWhatIsNoPlan) {
  auto message = [](const std::string& json) {
    auto plan = ParsePlanJson(json);
    EXPECT_FALSE(plan.ok());
    return std::string(plan.status().message());
  };
  EXPECT_THAT(message("kind,school_code\n"), HasSubstr("is not a plan"));
  EXPECT_THAT(message("{\"name\": \"counties/330106/years/2025\", "
                      "\"colour\": 1}"),
              HasSubstr("colour"));
  EXPECT_THAT(message("{}"), HasSubstr("holds no plan"));
  EXPECT_THAT(message("{\"name\": \"counties/330106/years/2025\", "
                      "\"actions\": [{\"kind\": \"BUY\"}]}"),
              HasSubstr("is not a plan"));
}

TEST(DeadlineTest, IsTheEndOfTheDayInChinaStandardTime) {
  auto t = ParseDeadline("2026-06-30");
  ASSERT_OK(t);
  // 2026-06-30 23:59:59 +08:00 is 15:59:59 UTC.
  absl::Time want;
  std::string error;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-06-30T15:59:59Z", &want,
                              &error));
  EXPECT_EQ(t->seconds(), absl::ToUnixSeconds(want));
  EXPECT_EQ(t->nanos(), 0);
  // Leap day.
  EXPECT_OK(ParseDeadline("2028-02-29"));
}

TEST(DeadlineTest, RefusesWhatIsNotADate) {
  for (const char* bad :
       {"", "2026-6-30", "2026-02-30", "2027-02-29", "30/06/2026",
        "2026-06-30T12:00", "tomorrow", "2026-13-01"}) {
    auto t = ParseDeadline(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_THAT(t.status().message(), HasSubstr("YYYY-MM-DD")) << bad;
  }
}

TEST(RequestIdTest, DiffersEachTimeAndFitsTheService) {
  const std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_NE(a, b);
  EXPECT_LE(a.size(), 128u);
  EXPECT_TRUE(absl::StartsWith(a, "cli-"));
}

// --- figures and words

TEST(GroupedTest, PutsThousandsSeparators) {
  EXPECT_EQ(Grouped(0), "0");
  EXPECT_EQ(Grouped(999), "999");
  EXPECT_EQ(Grouped(1000), "1,000");
  EXPECT_EQ(Grouped(1389200), "1,389,200");
  EXPECT_EQ(Grouped(2759028), "2,759,028");
  EXPECT_EQ(Grouped(1234.5), "1,234.5");
  EXPECT_EQ(Grouped(170328.25), "170,328.25");
  EXPECT_EQ(Grouped(-1234), "-1,234");
  EXPECT_EQ(Grouped(0.001), "0");
  EXPECT_EQ(Grouped(999.999), "1,000");
}

TEST(GapTextTest, SaysWhichIndicatorAtWhichLevel) {
  v1::Gap school;
  school.set_indicator("R2");
  school.set_level(v1::LEVEL_PRIMARY);
  school.set_school(School("2133010614"));
  EXPECT_EQ(GapText(school, School("2133010614")), "R2 小学");
  EXPECT_EQ(GapText(school, School("2133010601")), "R2 小学 2133010614");
  v1::Gap coefficient;
  coefficient.set_indicator("R5");
  coefficient.set_level(v1::LEVEL_PRIMARY);
  coefficient.set_coefficient(true);
  EXPECT_EQ(GapText(coefficient), "R5 小学差异系数");
  coefficient.set_level(v1::LEVEL_JUNIOR);
  EXPECT_EQ(GapText(coefficient), "R5 初中差异系数");
  EXPECT_STREQ(ItemStatusZh(v1::RectificationItem::OPEN), "待整改");
  EXPECT_STREQ(ItemStatusZh(v1::RectificationItem::IN_PROGRESS), "整改中");
  EXPECT_STREQ(ItemStatusZh(v1::RectificationItem::DONE), "已完成");
  EXPECT_STREQ(ItemStatusZh(v1::RectificationItem::VERIFIED), "已核验");
}

// --- the plan table

TEST(PlanTableTest, ReadsAsAnInspectorReadsIt) {
  const std::string table = PlanTable(ExamplePlan());
  EXPECT_THAT(table, HasSubstr("县 330106 · 2025 学年"));
  EXPECT_THAT(table, HasSubstr("标准 standards/moe-2017-quality · 数据修订 2"));
  EXPECT_THAT(table, HasSubstr("可行 feasible · 资源配置 未达标 FAIL → 达标 "
                               "pass"));
  EXPECT_THAT(table, HasSubstr("学校规则"));
  for (const char* column : {"序号", "学校", "学段", "措施", "资源", "数量",
                             "估算费用(元)", "解决的差距"}) {
    EXPECT_THAT(table, HasSubstr(column));
  }
  const std::vector<std::string> lines = Lines(table);
  auto line_of = [&](const std::string& needle) -> std::string {
    for (const auto& l : lines) {
      if (absl::StrContains(l, needle)) return l;
    }
    ADD_FAILURE() << "no line with " << needle << " in\n" << table;
    return "";
  };
  const std::string first = line_of("1,843 平方米");
  EXPECT_THAT(first, HasSubstr("钱塘示范县实验小学 2133010601"));
  EXPECT_THAT(first, HasSubstr("全校"));
  EXPECT_THAT(first, HasSubstr("增加"));
  EXPECT_THAT(first, HasSubstr("体育运动场馆面积"));
  EXPECT_THAT(first, HasSubstr("1,105,800"));
  // Its own miss at 01 is the same school: no code repeated.
  EXPECT_THAT(first, HasSubstr("R5 小学差异系数; R5 小学"));
  EXPECT_THAT(first, Not(HasSubstr("R5 小学 2133010601")));
  const std::string rotation = line_of("交流轮岗 自");
  EXPECT_THAT(rotation, HasSubstr("石桥镇中心小学 2133010614"));
  EXPECT_THAT(rotation, HasSubstr("  小学  交流轮岗 自 钱塘示范县实验小学 "
                                  "2133010601"));
  EXPECT_THAT(rotation, HasSubstr("骨干教师"));
  EXPECT_THAT(rotation, HasSubstr("1 名教师"));
  EXPECT_THAT(rotation, HasSubstr("R2 小学"));
  EXPECT_THAT(line_of("2 间"), HasSubstr("多媒体教室"));

  // Costs right-aligned under their header, Chinese counting two columns.
  const int header_end = EndColumn(line_of("序号"), "估算费用(元)");
  ASSERT_GT(header_end, 0);
  EXPECT_EQ(EndColumn(first, "1,105,800"), header_end);
  EXPECT_EQ(EndColumn(rotation, "20,000"), header_end);
  EXPECT_EQ(EndColumn(line_of("2 间"), "120,000"), header_end);

  // Totals by resource, then the grand total.
  EXPECT_THAT(table, HasSubstr("按资源合计"));
  EXPECT_THAT(line_of("2,082 平方米"), HasSubstr("1,249,200"));
  EXPECT_THAT(line_of("交流轮岗（骨干教师）"), HasSubstr("20,000"));
  EXPECT_THAT(line_of("  合计 total  "), HasSubstr("1,389,200"));
  EXPECT_THAT(table, Not(HasSubstr("obstacles")));
}

TEST(PlanTableTest, ShowsObstaclesAndAnInfeasiblePlan) {
  v1::RectificationPlan plan;
  plan.set_name(kCounty);
  plan.set_standard("standards/moe-2017-quality");
  plan.set_require_every_indicator(true);
  plan.set_resource_before(v1::FAIL);
  plan.set_resource_after(v1::FAIL);
  v1::Obstacle* o = plan.add_obstacles();
  o->set_kind(v1::Obstacle::CONSTRAINED);
  o->mutable_gap()->set_indicator("R5");
  o->mutable_gap()->set_level(v1::LEVEL_PRIMARY);
  o->mutable_gap()->set_school(School("2133010601"));
  o->set_message("该校不得增加体育运动场馆面积（限额 0），无法补足");
  const std::string table = PlanTable(plan);
  EXPECT_THAT(table, HasSubstr("不可行 NOT FEASIBLE"));
  EXPECT_THAT(table, HasSubstr("每项资源配置指标均达标"));
  EXPECT_THAT(table, HasSubstr("无整改措施"));
  EXPECT_THAT(table, HasSubstr("obstacles"));
  EXPECT_THAT(table, HasSubstr("条件限制 constrained"));
  EXPECT_THAT(table, HasSubstr("R5 小学 2133010601: 该校不得增加"));
}

TEST(PlanCsvTest, OneLinePerActionForSpreadsheets) {
  v1::RectificationPlan plan = ExamplePlan();
  // A name a spreadsheet would run as a formula stays text.
  plan.mutable_actions(0)->set_school_name("=HYPERLINK(\"x\")");
  const std::vector<std::string> lines = Lines(PlanCsv(plan));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "kind,school_code,from_school_code,level,resource,quantity,"
            "school_name,from_school_name,resource_zh,unit,cost_yuan,closes");
  EXPECT_EQ(lines[1],
            "add,2133010601,,all,sports_area_m2,1843,\"'=HYPERLINK(\"\"x\"\")"
            "\",,体育运动场馆面积,m2,1105800,R5 小学差异系数; R5 小学");
  EXPECT_EQ(
      lines[5],
      "rotate,2133010614,2133010601,primary,backbone_teachers,1,"
      "石桥镇中心小学,钱塘示范县实验小学,骨干教师,teachers,20000,R2 小学");
}

// --- items

v1::RectificationItem Item(int id, const v1::RectificationAction& action,
                           v1::RectificationItem::Status status,
                           const std::string& deadline_utc) {
  v1::RectificationItem i;
  i.set_name(absl::StrCat(kCounty, "/rectificationItems/", id));
  *i.mutable_action() = action;
  i.set_owner("县教育局装备科");
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, deadline_utc, &t, &error));
  i.mutable_deadline()->set_seconds(absl::ToUnixSeconds(t));
  i.set_status(status);
  i.set_revision(7);
  return i;
}

Items ExampleItems() {
  const v1::RectificationPlan plan = ExamplePlan();
  Items items;
  // 15:59:59 UTC is the last second of the day in Beijing; 16:30 UTC is
  // already the next day there.
  *items.Add() = Item(1, plan.actions(0), v1::RectificationItem::OPEN,
                      "2026-06-30T15:59:59Z");
  *items.Add() = Item(4, plan.actions(3), v1::RectificationItem::VERIFIED,
                      "2026-06-30T16:30:00Z");
  items[1].set_verification("已核验：R7 初中 已达标；证据均在档案中");
  items[1].add_evidence(
      "counties/330106/schools/2133010626/evidence/classrooms/versions/1");
  *items.Add() = Item(5, plan.actions(4), v1::RectificationItem::IN_PROGRESS,
                      "2026-01-31T15:59:59Z");
  items[2].set_overdue(true);
  items[2].set_owner("石桥镇中心小学, 王校长");
  return items;
}

TEST(ItemsTableTest, OneRowPerItemInChinese) {
  const std::string table = ItemsTable(ExampleItems());
  const std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 4u) << table;
  for (const char* column : {"编号", "学校", "措施/资源/数量", "估算费用(元)",
                             "责任人", "期限", "状态", "逾期", "核验情况"}) {
    EXPECT_THAT(lines[0], HasSubstr(column));
  }
  EXPECT_THAT(lines[1], HasSubstr("增加 体育运动场馆面积 1,843 平方米"));
  EXPECT_THAT(lines[1], HasSubstr("2026-06-30"));
  EXPECT_THAT(lines[1], HasSubstr("待整改"));
  EXPECT_THAT(lines[2], HasSubstr("2026-07-01"));
  EXPECT_THAT(lines[2], HasSubstr("已核验"));
  EXPECT_THAT(lines[2], HasSubstr("已核验：R7 初中 已达标"));
  EXPECT_THAT(lines[3], HasSubstr("交流轮岗 骨干教师 1 名教师（自 "
                                  "钱塘示范县实验小学 2133010601）"));
  EXPECT_THAT(lines[3], HasSubstr("整改中"));
  EXPECT_THAT(lines[3], HasSubstr("逾期"));
  EXPECT_THAT(lines[1], Not(HasSubstr("逾期")));
  const int status_end = EndColumn(lines[0], "状态");
  EXPECT_EQ(EndColumn(lines[1], "待整改"), status_end + 2);
  EXPECT_EQ(EndColumn(lines[3], "整改中"), status_end + 2);
}

TEST(ItemsCsvTest, KeepsEveryFieldForSpreadsheets) {
  const std::vector<std::string> lines = Lines(ItemsCsv(ExampleItems()));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "id,name,school_code,"));
  EXPECT_THAT(lines[1], HasSubstr(",2026-06-30T23:59:59+08:00,OPEN,false,"));
  EXPECT_THAT(lines[2], HasSubstr(",2026-07-01T00:30:00+08:00,VERIFIED,"));
  EXPECT_THAT(lines[2], HasSubstr("evidence/classrooms/versions/1,7"));
  EXPECT_THAT(lines[3], HasSubstr(",\"石桥镇中心小学, 王校长\","));
  EXPECT_THAT(lines[3], HasSubstr(",IN_PROGRESS,true,"));
}

TEST(ItemTextTest, ShowsOneItemFieldByField) {
  const std::string text = ItemText(ExampleItems()[1]);
  EXPECT_THAT(text, HasSubstr("rectificationItems/4（修订 revision 7）"));
  EXPECT_THAT(text, HasSubstr("临江镇初级中学 2133010626 全校"));
  EXPECT_THAT(text, HasSubstr("增加 多媒体教室 2 间"));
  EXPECT_THAT(text, HasSubstr("120,000 元"));
  EXPECT_THAT(text, HasSubstr("R7 初中"));
  EXPECT_THAT(text, HasSubstr("2026-07-01 00:30:00 (UTC+8)"));
  EXPECT_THAT(text, HasSubstr("已核验 VERIFIED"));
  EXPECT_THAT(text, HasSubstr("evidence/classrooms/versions/1"));
}

// --- what-if

v1::CountyEvaluation Evaluation(v1::Outcome resource, double r5,
                                v1::Outcome r5_outcome, v1::Outcome school14) {
  v1::CountyEvaluation e;
  e.set_name(kCounty);
  e.set_county_code("330106");
  e.set_county_name("钱塘示范县");
  e.set_year(2025);
  e.set_standard("standards/moe-2017-quality");
  e.set_revision(2);
  e.set_outcome(v1::FAIL);
  v1::AreaResult* area = e.add_areas();
  area->set_code("resource");
  area->set_name_zh("资源配置");
  area->set_outcome(resource);
  area->set_school_rule(school14);
  v1::IndicatorResult* r2 = area->add_indicators();
  r2->set_code("R2");
  r2->set_name_zh("每百名学生拥有县级以上骨干教师数");
  r2->set_outcome(v1::PASS);
  if (school14 != v1::PASS) r2->add_schools_not_passing("2133010614");
  v1::IndicatorResult* r1 = area->add_indicators();
  r1->set_code("R1");
  r1->set_name_zh("每百名学生拥有高于规定学历教师数");
  r1->set_outcome(v1::PASS);
  v1::AreaResult* government = e.add_areas();
  government->set_code("government");
  government->set_name_zh("政府保障程度");
  government->set_outcome(v1::FAIL);
  government->set_school_rule(v1::NOT_APPLICABLE);
  v1::CoefficientResult* c = e.add_coefficients();
  c->set_code("R5");
  c->set_level(v1::LEVEL_PRIMARY);
  c->set_value(r5);
  c->set_limit(0.5);
  c->set_outcome(r5_outcome);
  v1::SchoolEvaluation* s = e.add_schools();
  s->set_school_code("2133010614");
  s->set_school_name("石桥镇中心小学");
  s->set_counted(true);
  s->add_levels()->set_level(v1::LEVEL_PRIMARY);
  s->mutable_levels(0)->set_outcome(school14);
  v1::SchoolEvaluation* fine = e.add_schools();
  fine->set_school_code("2133010602");
  fine->set_school_name("钱塘示范县城东小学");
  fine->set_counted(true);
  fine->add_levels()->set_level(v1::LEVEL_PRIMARY);
  fine->mutable_levels(0)->set_outcome(v1::PASS);
  return e;
}

TEST(WhatIfTableTest, ShowsBeforeAndAfterSideBySide) {
  v1::SimulateRectificationResponse r;
  *r.mutable_before() = Evaluation(v1::FAIL, 0.5091, v1::FAIL, v1::FAIL);
  *r.mutable_after() = Evaluation(v1::PASS, 0.5, v1::PASS, v1::PASS);
  v1::CoefficientDrivers* d = r.add_drivers();
  d->set_indicator("R5");
  d->set_level(v1::LEVEL_PRIMARY);
  d->set_coefficient(0.5);
  d->set_limit(0.5);
  for (int i = 0; i < 7; ++i) {
    v1::CoefficientDriver* x = d->add_drivers();
    x->set_school(School(absl::StrCat("21330106", 10 + i)));
    x->set_school_name(absl::StrCat("学校", i));
    x->set_students(1000 + i);
    x->set_value(2072.951);
    x->set_share_of_cv_squared(0.25 / (i + 1));
    x->set_below_mean(i == 0);
  }
  const std::string table = WhatIfTable(r, 5);
  EXPECT_THAT(table, HasSubstr("钱塘示范县 330106 · 2025 学年 · 5 项措施"));
  const std::vector<std::string> lines = Lines(table);
  auto line_of = [&](const std::string& needle) -> std::string {
    for (const auto& l : lines) {
      if (absl::StrContains(l, needle)) return l;
    }
    ADD_FAILURE() << "no line with " << needle << " in\n" << table;
    return "";
  };
  EXPECT_THAT(line_of("资源配置"), HasSubstr("未达标 FAIL    达标 pass"));
  EXPECT_THAT(line_of("学校规则"), HasSubstr("未达标 FAIL    达标 pass"));
  EXPECT_THAT(line_of("县域 county"), HasSubstr("未达标 FAIL    未达标 FAIL"));
  // The government area has no school rule: no n/a line for it.
  const size_t rule = table.find("学校规则 school rule");
  ASSERT_NE(rule, std::string::npos);
  EXPECT_EQ(table.find("学校规则 school rule", rule + 1), std::string::npos);
  EXPECT_THAT(line_of("R5    小学"),
              HasSubstr("≤ 0.50  0.509 未达标 FAIL  0.500 达标 pass"));
  EXPECT_THAT(line_of("R2    "), HasSubstr("达标 pass · 1 校"));
  EXPECT_THAT(table, Not(HasSubstr("R1    达标")));
  EXPECT_THAT(line_of("石桥镇中心小学 2133010614  小学"),
              HasSubstr("未达标 FAIL    达标 pass"));
  EXPECT_THAT(table, Not(HasSubstr("钱塘示范县城东小学")));
  // Drivers: the top five, with their share of CV² (0.25 of 0.25 = 100%).
  EXPECT_THAT(table, HasSubstr("R5 小学 差异系数 0.500（限值 0.50）"));
  EXPECT_THAT(line_of("学校0 2133010610"),
              HasSubstr("1,000  2,072.95  100.0%  是"));
  EXPECT_THAT(line_of("学校4 2133010614"), HasSubstr("20.0%"));
  EXPECT_THAT(table, Not(HasSubstr("学校5")));
}

}  // namespace
}  // namespace junheng::cli
