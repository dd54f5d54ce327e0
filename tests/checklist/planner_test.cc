// The rectification planner: plans the evaluator confirms, on the example
// county, on generated counties (coefficients, rotations only, infeasible),
// optimality against brute force on tiny counties, and bad input.
#include "checklist_service/planner/planner.h"

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "checklist_service/csv/csv_import.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/planner/water_fill.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/checklist/test_util.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using ::testing::HasSubstr;
using testing::PassingCounty;
using testing::PassingJudgements;
using testing::PassingJunior;
using testing::PassingPrimary;
using testing::Standard;

const v1::IndicatorStandard& S2017() { return Standard("moe-2017-quality"); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

CostModel DefaultCosts() {
  absl::StatusOr<CostModel> costs =
      ParseCostModel(ReadFile(std::string(JUNHENG_SOURCE_DIR) +
                              "/standards/rectification-costs.csv"),
                     CostModel{});
  EXPECT_TRUE(costs.ok()) << costs.status();
  return *costs;
}

CountyInput ExampleCounty() {
  const std::string dir =
      std::string(JUNHENG_SOURCE_DIR) + "/examples/county-330106/";
  CountyInput input;
  csv::SchoolsImporter schools;
  EXPECT_TRUE(schools.Feed(ReadFile(dir + "schools.csv")).ok());
  auto school_rows = schools.Finish();
  EXPECT_TRUE(school_rows.ok()) << school_rows.status();
  input.schools = school_rows->rows;
  csv::CountiesImporter counties;
  EXPECT_TRUE(counties.Feed(ReadFile(dir + "counties.csv")).ok());
  auto county_rows = counties.Finish();
  EXPECT_TRUE(county_rows.ok()) << county_rows.status();
  input.county = county_rows->rows.front();
  return input;
}

Outcome ResourceOf(const CountyVerdict& verdict) {
  for (const AreaVerdict& area : verdict.areas) {
    if (area.code == "resource") return area.outcome;
  }
  return Outcome::kNotReported;
}

// The evaluator's own word on a plan, independent of the planner's.
Outcome ResourceAfter(const CountyInput& input, const Plan& plan) {
  absl::StatusOr<CountyInput> applied = ApplyPlan(input, plan.actions);
  EXPECT_TRUE(applied.ok()) << applied.status();
  absl::StatusOr<CountyVerdict> verdict = EvaluateCounty(S2017(), *applied);
  EXPECT_TRUE(verdict.ok()) << verdict.status();
  return ResourceOf(*verdict);
}

std::string Describe(const Plan& plan) {
  std::string out;
  for (const PlanAction& a : plan.actions) {
    out += absl::StrCat(
        a.kind == PlanAction::Kind::kRotate ? "rotate " : "add ",
        a.from_school_code, a.kind == PlanAction::Kind::kRotate ? "->" : "",
        a.school_code, " ", v1::Level_Name(a.level), " ",
        InfoOf(a.resource).column, " ", a.quantity, " = ", a.cost_yuan, "\n");
  }
  for (const PlanObstacle& o : plan.obstacles) out += o.message + "\n";
  return out;
}

TEST(PlannerExample, ClosesEveryResourceShortfallOfTheReadme) {
  const CountyInput input = ExampleCounty();
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, DefaultCosts());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->feasible) << Describe(*plan);
  EXPECT_EQ(plan->resource_before, Outcome::kFail);
  EXPECT_EQ(plan->resource_after, Outcome::kPass);
  EXPECT_EQ(ResourceAfter(input, *plan), Outcome::kPass);
  // The school rule's cheapest way: school 14 needs one backbone teacher
  // (6 of 612 is 0.98, a single miss above the floor), rotated in rather
  // than hired; school 26 two classrooms, its R4 left as its one miss; the
  // R5 primary coefficient closed by sports area at the urban schools.
  bool r2 = false, r7 = false, r5 = false;
  for (const PlanAction& a : plan->actions) {
    if (a.school_code == "2133010614") {
      r2 = a.kind == PlanAction::Kind::kRotate &&
           a.resource == Quantity::kBackboneTeachers && a.quantity == 1;
    }
    if (a.school_code == "2133010626" &&
        a.resource == Quantity::kMultimediaClassrooms) {
      r7 = a.quantity == 2;
    }
    for (const PlanGap& gap : a.closes) {
      r5 |= gap.coefficient && gap.indicator == "R5" &&
            a.resource == Quantity::kSportsArea;
    }
  }
  EXPECT_TRUE(r2 && r7 && r5) << Describe(*plan);
}

TEST(PlannerExample, EveryIndicatorClosesEveryShortfallByHand) {
  const CountyInput input = ExampleCounty();
  absl::StatusOr<Plan> plan = PlanRectification(
      S2017(), input, DefaultCosts(), {.require_every_indicator = true});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->feasible) << Describe(*plan);
  absl::StatusOr<CountyInput> applied = ApplyPlan(input, plan->actions);
  ASSERT_TRUE(applied.ok());
  absl::StatusOr<CountyVerdict> after = EvaluateCounty(S2017(), *applied);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(ResourceOf(*after), Outcome::kPass);
  for (const SchoolVerdict& school : after->schools) {
    for (const SchoolLevelVerdict& part : school.levels) {
      EXPECT_EQ(part.missed, 0) << school.school_code;
    }
  }
  // The README's hand-worked amounts: R4 +337 m² and R7 +2 classrooms at
  // school 26, R2 to 7 backbone teachers at school 14.
  double r4 = 0, r7 = 0, r2 = 0;
  for (const PlanAction& a : plan->actions) {
    if (a.school_code == "2133010626" && a.resource == Quantity::kTeachingArea)
      r4 += a.quantity;
    if (a.school_code == "2133010626" &&
        a.resource == Quantity::kMultimediaClassrooms)
      r7 += a.quantity;
    if (a.school_code == "2133010614" &&
        a.resource == Quantity::kBackboneTeachers)
      r2 += a.quantity;
  }
  EXPECT_EQ(r4, 337) << Describe(*plan);
  EXPECT_EQ(r7, 2);
  EXPECT_EQ(r2, 2);
}

// A county of primary schools passing everything, then changed.
CountyInput Primaries(int n) {
  CountyInput input;
  input.county = PassingCounty();
  for (int i = 0; i < n; ++i) {
    input.schools.push_back(PassingPrimary(absl::StrCat(3301060001 + i)));
  }
  input.judgements = PassingJudgements(S2017());
  return input;
}

TEST(Planner, OnlyRotationsWhenTeachersAreConcentrated) {
  CountyInput input = Primaries(4);
  // R2 6.0, 1.2, 1.2, 1.2 per 100 students: CV 0.87 > 0.50, every school
  // meeting 1.0.
  input.schools[0].primary.backbone_teachers = 60;
  for (int i = 1; i < 4; ++i) input.schools[i].primary.backbone_teachers = 12;
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, DefaultCosts());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->feasible) << Describe(*plan);
  ASSERT_FALSE(plan->actions.empty());
  for (const PlanAction& a : plan->actions) {
    EXPECT_EQ(a.kind, PlanAction::Kind::kRotate) << Describe(*plan);
    EXPECT_EQ(a.from_school_code, "3301060001");
  }
  EXPECT_EQ(ResourceAfter(input, *plan), Outcome::kPass);
  EXPECT_EQ(plan->cost_by_resource.count("rotation"), 1u);
}

TEST(Planner, WithoutRotationTeachersAreHired) {
  CountyInput input = Primaries(4);
  input.schools[0].primary.backbone_teachers = 60;
  for (int i = 1; i < 4; ++i) input.schools[i].primary.backbone_teachers = 12;
  CostModel costs = DefaultCosts();
  costs.rotation_cost_yuan.reset();
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, costs);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->feasible);
  for (const PlanAction& a : plan->actions) {
    EXPECT_EQ(a.kind, PlanAction::Kind::kAdd);
  }
  EXPECT_EQ(ResourceAfter(input, *plan), Outcome::kPass);
}

TEST(Planner, ADonorKeepsItsThreshold) {
  CountyInput input = Primaries(3);
  // School 2 needs 3 more (7 of 1000 against 1.0 → below the 85% floor);
  // school 1 has exactly 10, none to spare; school 3 has 11, one.
  input.schools[0].primary.backbone_teachers = 10;
  input.schools[1].primary.backbone_teachers = 7;
  input.schools[2].primary.backbone_teachers = 11;
  absl::StatusOr<Plan> plan = PlanRectification(
      S2017(), input, DefaultCosts(), {.require_every_indicator = true});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->feasible) << Describe(*plan);
  double rotated = 0, hired = 0;
  for (const PlanAction& a : plan->actions) {
    if (a.kind == PlanAction::Kind::kRotate) {
      EXPECT_EQ(a.from_school_code, "3301060003");
      rotated += a.quantity;
    } else {
      hired += a.quantity;
    }
  }
  EXPECT_EQ(rotated, 1) << Describe(*plan);
  EXPECT_EQ(hired, 2);
}

TEST(Planner, NoLandIsAnObstacleNamingTheSchool) {
  CountyInput input = Primaries(3);
  // R4 and R5 both missed at school 2: one must be closed, by area.
  input.schools[1].shared.teaching_area_m2 = 4000;  // 4.0 < 4.5
  input.schools[1].shared.sports_area_m2 = 7000;    // 7.0 < 7.5
  CostModel costs = DefaultCosts();
  costs.max_units["3301060002"][Quantity::kTeachingArea] = 0;
  costs.max_units["3301060002"][Quantity::kSportsArea] = 0;
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, costs);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->feasible);
  ASSERT_FALSE(plan->obstacles.empty());
  EXPECT_EQ(plan->obstacles[0].kind, PlanObstacle::Kind::kConstrained);
  EXPECT_THAT(plan->obstacles[0].message, HasSubstr("3301060002"));
  // With land at school 2 the cheaper of the two is built: sports area.
  costs.max_units.clear();
  plan = PlanRectification(S2017(), input, costs);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->feasible);
  ASSERT_EQ(plan->actions.size(), 1u) << Describe(*plan);
  EXPECT_EQ(plan->actions[0].resource, Quantity::kSportsArea);
  EXPECT_EQ(plan->actions[0].quantity, 500);
}

TEST(Planner, NotReportedInputIsAnObstacleNotAGuess) {
  CountyInput input = Primaries(3);
  input.schools[1].shared.sports_area_m2.reset();
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, DefaultCosts());
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->feasible);
  ASSERT_FALSE(plan->obstacles.empty());
  EXPECT_EQ(plan->obstacles[0].kind, PlanObstacle::Kind::kNotReported);
}

TEST(Planner, PassingCountyNeedsNothing) {
  const CountyInput input = Primaries(5);
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, DefaultCosts());
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->feasible);
  EXPECT_TRUE(plan->actions.empty());
  EXPECT_EQ(plan->total_cost_yuan, 0);
}

// Random counties of primary, junior and nine-year schools with every
// resource between 60% and 160% of its threshold: the planner's plan, when
// it says feasible, is one the evaluator passes, and never makes a school
// part miss an indicator it met.
TEST(PlannerGenerated, PlansTheEvaluatorPasses) {
  std::mt19937 random(20261203);
  std::uniform_real_distribution<double> factor(0.6, 1.6);
  int feasible = 0, coefficient_needed = 0, infeasible = 0;
  for (int county = 0; county < 150; ++county) {
    CountyInput input;
    input.county = PassingCounty();
    input.judgements = PassingJudgements(S2017());
    const int schools = 3 + county % 12;
    const bool unequal = county % 3 == 0;  // rich town, poor villages
    for (int i = 0; i < schools; ++i) {
      const int kind = (county + i) % 5;
      SchoolStats s = kind < 3 ? PassingPrimary(absl::StrCat(3301060001 + i))
                               : PassingJunior(absl::StrCat(3301060001 + i));
      if (kind == 4) {
        s.type = SchoolType::kNineYear;
        s.primary = PassingPrimary("x").primary;
        s.primary.students = 400;
        s.junior.students = 300;
        s.primary.classes = 10;
        s.junior.classes = 7;
      }
      const double rich = unequal && i == 0 ? 2.5 : 1.0;
      for (LevelStats* part : {&s.primary, &s.junior}) {
        if (!part->students.has_value()) continue;
        part->students = 100 + static_cast<int>(factor(random) * 600);
        const double p = static_cast<double>(*part->students) / 100;
        part->teachers_above_degree =
            static_cast<int64_t>(p * 5.0 * factor(random) * rich);
        part->backbone_teachers =
            static_cast<int64_t>(p * 1.0 * factor(random) * rich);
        part->pe_art_teachers =
            static_cast<int64_t>(p * 0.9 * factor(random) * rich);
        part->teachers = *part->teachers_above_degree + 20;
        part->certified_teachers = part->teachers;
      }
      const double p = static_cast<double>(s.primary.students.value_or(0) +
                                           s.junior.students.value_or(0));
      const double rich_area = unequal && i == 0 ? 2.0 : 1.0;
      s.shared.teaching_area_m2 =
          std::round(p * 5.0 * factor(random) * rich_area * 100) / 100;
      s.shared.sports_area_m2 =
          std::round(p * 9.0 * factor(random) * rich_area);
      s.shared.equipment_value_yuan =
          std::round(p * 2300 * factor(random) * rich_area);
      s.shared.multimedia_classrooms =
          static_cast<int64_t>(p / 100 * 2.4 * factor(random));
      input.schools.push_back(s);
    }
    CostModel costs = DefaultCosts();
    if (county % 7 == 0) {
      costs.max_units["3301060002"][Quantity::kTeachingArea] = 0;
      costs.max_units["3301060002"][Quantity::kSportsArea] = 0;
    }
    absl::StatusOr<CountyVerdict> before = EvaluateCounty(S2017(), input);
    ASSERT_TRUE(before.ok()) << before.status();
    for (const CoefficientResult& c : before->coefficients) {
      if (c.outcome == Outcome::kFail) {
        ++coefficient_needed;
        break;
      }
    }
    absl::StatusOr<Plan> plan = PlanRectification(
        S2017(), input, costs, {.require_every_indicator = county % 4 == 1});
    ASSERT_TRUE(plan.ok()) << plan.status();
    absl::StatusOr<CountyInput> applied = ApplyPlan(input, plan->actions);
    ASSERT_TRUE(applied.ok()) << applied.status();
    absl::StatusOr<CountyVerdict> after = EvaluateCounty(S2017(), *applied);
    ASSERT_TRUE(after.ok());
    if (plan->feasible) {
      ++feasible;
      EXPECT_EQ(ResourceOf(*after), Outcome::kPass)
          << "county " << county << "\n"
          << Describe(*plan);
    } else {
      ++infeasible;
      EXPECT_FALSE(plan->obstacles.empty()) << "county " << county;
    }
    // No part misses what it met before.
    for (size_t i = 0; i < before->schools.size(); ++i) {
      for (size_t l = 0; l < before->schools[i].levels.size(); ++l) {
        const auto& was = before->schools[i].levels[l].indicators;
        const auto& now = after->schools[i].levels[l].indicators;
        for (size_t k = 0; k < was.size(); ++k) {
          if (was[k].outcome == Outcome::kPass) {
            EXPECT_EQ(now[k].outcome, Outcome::kPass)
                << "county " << county << " school " << i << " " << was[k].code;
          }
        }
      }
    }
  }
  EXPECT_GT(feasible, 100);
  EXPECT_GT(coefficient_needed, 20);
  EXPECT_GT(infeasible, 0);
  std::cerr << "generated: " << feasible << " feasible, " << infeasible
            << " infeasible, " << coefficient_needed
            << " needing a coefficient\n";
}

// Tiny counties where only whole units matter (classrooms and backbone
// teachers at three small schools): the planner's cost against the
// cheapest plan found by trying every combination with the evaluator.
TEST(PlannerOptimality, WithinTheBruteForceOptimum) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> students(80, 260);
  std::uniform_int_distribution<int> low(0, 3);
  CostModel costs = DefaultCosts();
  costs.rotation_cost_yuan.reset();
  double worst = 1;
  int optimal = 0, trials = 0;
  for (int county = 0; county < 12; ++county) {
    CountyInput input = Primaries(3);
    for (SchoolStats& s : input.schools) {
      const int p = students(random);
      s.primary.students = p;
      s.primary.teachers_above_degree = p / 10;
      s.primary.pe_art_teachers = p / 50;
      s.primary.teachers = p / 10 + 5;
      s.primary.certified_teachers = s.primary.teachers;
      s.primary.backbone_teachers = std::max(0, (p + 99) / 100 - low(random));
      s.shared.multimedia_classrooms =
          std::max(0, static_cast<int>(std::ceil(p * 0.023)) - low(random));
      s.shared.teaching_area_m2 = p * 6.0;
      s.shared.sports_area_m2 = p * 9.0;
      s.shared.equipment_value_yuan = p * 2500.0;
      s.primary.classes = p / 40 + 1;
    }
    absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, costs);
    ASSERT_TRUE(plan.ok());
    ASSERT_TRUE(plan->feasible) << Describe(*plan);
    double best = -1;
    for (int code = 0; code < 4 * 4 * 4 * 4 * 4 * 4; ++code) {
      std::vector<PlanAction> actions;
      double cost = 0;
      int rest = code;
      for (int i = 0; i < 3; ++i) {
        for (Quantity q :
             {Quantity::kMultimediaClassrooms, Quantity::kBackboneTeachers}) {
          const int units = rest % 4;
          rest /= 4;
          if (units == 0) continue;
          PlanAction a;
          a.school_code = input.schools[i].school_code;
          a.resource = q;
          a.level = q == Quantity::kBackboneTeachers ? v1::LEVEL_PRIMARY
                                                     : v1::LEVEL_ALL;
          a.quantity = units;
          actions.push_back(a);
          cost += units * costs.unit_cost_yuan[q];
        }
      }
      if (best >= 0 && cost >= best) continue;
      absl::StatusOr<CountyInput> applied = ApplyPlan(input, actions);
      ASSERT_TRUE(applied.ok());
      absl::StatusOr<CountyVerdict> verdict = EvaluateCounty(S2017(), *applied);
      ASSERT_TRUE(verdict.ok());
      if (ResourceOf(*verdict) == Outcome::kPass) best = cost;
    }
    ASSERT_GE(best, 0);
    ++trials;
    if (plan->total_cost_yuan == best) ++optimal;
    if (best > 0) worst = std::max(worst, plan->total_cost_yuan / best);
    EXPECT_GE(plan->total_cost_yuan, best);
  }
  std::cerr << "optimality: " << optimal << " of " << trials
            << " optimal, worst ratio " << worst << "\n";
  EXPECT_LE(worst, 1.0 + 1e-12);
}

TEST(WaterLevel, RaisesTheLowestToACommonLevel) {
  using planner::FillTerm;
  // Two parts of equal size at 1.2 and 3.6: CV 0.5 exactly; limit 0.25
  // needs the low one at t with (3.6 − t)/(3.6 + t) = 0.25: t = 2.16.
  const std::vector<FillTerm> terms = {{100, 1.2, 1e300}, {100, 3.6, 3.6}};
  std::optional<double> t = planner::WaterLevel(terms, 0.25);
  ASSERT_TRUE(t.has_value());
  EXPECT_NEAR(*t, 2.16, 1e-9);
  // Capped below that: no level does.
  EXPECT_FALSE(planner::WaterLevel({{{100, 1.2, 2.0}, {100, 3.6, 3.6}}}, 0.25)
                   .has_value());
  // Already within: nothing to raise.
  std::optional<double> none = planner::WaterLevel(terms, 0.6);
  ASSERT_TRUE(none.has_value());
  EXPECT_LE(*none, 1.2);
}

TEST(CostModel, ParsesPricesAndLimits) {
  absl::StatusOr<CostModel> costs = ParseCostModel(
      "\xEF\xBB\xBFschool_code,resource,unit_cost_yuan,max_units\r\n"
      ",sports_area_m2,800,\r\n"
      "2133010601,sports_area_m2,,0\r\n"
      ",rotation,5000,\r\n",
      DefaultCosts());
  ASSERT_TRUE(costs.ok()) << costs.status();
  EXPECT_EQ(costs->unit_cost_yuan[Quantity::kSportsArea], 800);
  EXPECT_EQ(costs->unit_cost_yuan[Quantity::kTeachingArea], 3500);
  EXPECT_EQ(costs->max_units["2133010601"][Quantity::kSportsArea], 0);
  EXPECT_EQ(costs->rotation_cost_yuan, 5000);
}

TEST(CostModel, BadFilesNameLineAndColumn) {
  const std::string header = "school_code,resource,unit_cost_yuan,max_units\n";
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {",gold_bars,1,\n",
       "line 2, column resource: unknown resource 'gold_bars'"},
      {",sports_area_m2,-5,\n",
       "line 2, column unit_cost_yuan: -5 is negative"},
      {",sports_area_m2,abc,\n", "'abc' is not a number"},
      {",sports_area_m2,inf,\n", "not a number"},
      {"2133010601,sports_area_m2,5,0\n", "prices are county-wide"},
      {"2133010601,sports_area_m2,,\n", "needs max_units"},
      {"2133010601,sports_area_m2,,1.5\n", "whole number"},
      {"21330106,sports_area_m2,,1\n", "not a 10-digit school code"},
      {",sports_area_m2,,3\n", "a limit needs a school_code"},
      {"2133010601,rotation,,0\n", "rotation is priced for the county"},
      {",sports_area_m2\n", "4 columns expected"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CostModel> costs = ParseCostModel(header + c.body, {});
    ASSERT_FALSE(costs.ok()) << c.body;
    EXPECT_EQ(costs.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(costs.status().message(), HasSubstr(c.message)) << c.body;
  }
  EXPECT_THAT(ParseCostModel("a,b\n", {}).status().message(),
              HasSubstr("the header must be"));
  EXPECT_THAT(ParseCostModel("", {}).status().message(), HasSubstr("empty"));
}

TEST(Planner, BadInputIsRefused) {
  const CountyInput input = Primaries(2);
  CostModel costs = DefaultCosts();
  costs.unit_cost_yuan[Quantity::kSportsArea] = -1;
  absl::StatusOr<Plan> plan = PlanRectification(S2017(), input, costs);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr("sports_area_m2"));
  costs = DefaultCosts();
  costs.max_units["3301060001"][Quantity::kSportsArea] = -3;
  EXPECT_EQ(PlanRectification(S2017(), input, costs).status().code(),
            absl::StatusCode::kInvalidArgument);
  // The 2012 standard limits a composite, not each school part.
  EXPECT_EQ(PlanRectification(Standard("moe-2012-basic"), input, DefaultCosts())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ApplyPlan, RefusesActionsThatCannotBeApplied) {
  CountyInput input = Primaries(2);
  input.schools[1].shared.books.reset();
  auto add = [](std::string school, Quantity q, v1::Level level, double n) {
    PlanAction a;
    a.school_code = std::move(school);
    a.resource = q;
    a.level = level;
    a.quantity = n;
    return a;
  };
  PlanAction rotate =
      add("3301060002", Quantity::kBackboneTeachers, v1::LEVEL_PRIMARY, 21);
  rotate.kind = PlanAction::Kind::kRotate;
  rotate.from_school_code = "3301060001";
  PlanAction rotate_area = rotate;
  rotate_area.resource = Quantity::kSportsArea;
  rotate_area.quantity = 1;
  PlanAction rotate_self = rotate;
  rotate_self.from_school_code = "3301060002";
  rotate_self.quantity = 1;
  struct Case {
    PlanAction action;
    std::string message;
  } cases[] = {
      {add("9999999999", Quantity::kSportsArea, v1::LEVEL_ALL, 1),
       "no such school"},
      {add("3301060001", Quantity::kSportsArea, v1::LEVEL_ALL, 1.5),
       "positive whole number"},
      {add("3301060001", Quantity::kSportsArea, v1::LEVEL_ALL, -2),
       "positive whole number"},
      {add("3301060001", Quantity::kBackboneTeachers, v1::LEVEL_ALL, 1),
       "teachers are reported per part"},
      {add("3301060001", Quantity::kSportsArea, v1::LEVEL_JUNIOR, 1),
       "has no j_ part"},
      {add("3301060002", Quantity::kBooks, v1::LEVEL_ALL, 1),
       "books is not reported"},
      {add("3301060001", Quantity::kNone, v1::LEVEL_ALL, 1), "no resource"},
      {rotate, "fewer than 21"},
      {rotate_area, "only teachers rotate"},
      {rotate_self, "is the receiving school"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CountyInput> out = ApplyPlan(input, {&c.action, 1});
    ASSERT_FALSE(out.ok()) << c.message;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(out.status().message(), HasSubstr(c.message));
  }
}

TEST(ApplyPlan, AddsDecimalsExactly) {
  CountyInput input = Primaries(1);
  input.schools[0].shared.teaching_area_m2 = 14904.37;
  PlanAction a;
  a.school_code = "3301060001";
  a.resource = Quantity::kTeachingArea;
  a.level = v1::LEVEL_ALL;
  a.quantity = 1296;
  absl::StatusOr<CountyInput> out = ApplyPlan(input, {&a, 1});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out->schools[0].shared.teaching_area_m2, 16200.37);
  // A rotation moves the teacher's other counts with it.
  PlanAction r;
  r.kind = PlanAction::Kind::kRotate;
  input = Primaries(2);
  r.school_code = "3301060002";
  r.from_school_code = "3301060001";
  r.resource = Quantity::kBackboneTeachers;
  r.level = v1::LEVEL_PRIMARY;
  r.quantity = 3;
  out = ApplyPlan(input, {&r, 1});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->schools[0].primary.backbone_teachers, 17);
  EXPECT_EQ(out->schools[1].primary.backbone_teachers, 23);
  EXPECT_EQ(out->schools[0].primary.teachers, 57);
  EXPECT_EQ(out->schools[1].primary.certified_teachers, 63);
}

TEST(Drivers, SharesSumToTheSquaredCoefficient) {
  const CountyInput input = ExampleCounty();
  absl::StatusOr<CountyVerdict> verdict = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(verdict.ok());
  const std::vector<CoefficientDrivers> drivers = DriversOf(*verdict);
  ASSERT_FALSE(drivers.empty());
  for (const CoefficientDrivers& d : drivers) {
    double sum = 0;
    for (const CoefficientDriver& driver : d.drivers) {
      sum += driver.share_of_cv_squared;
    }
    EXPECT_NEAR(sum, d.coefficient * d.coefficient, 1e-9) << d.indicator;
    for (size_t i = 1; i < d.drivers.size(); ++i) {
      EXPECT_GE(d.drivers[i - 1].share_of_cv_squared,
                d.drivers[i].share_of_cv_squared);
    }
  }
}

}  // namespace
}  // namespace junheng::checklist
