// Whole-county evaluation: the verdict, the complete list of failing items,
// coefficients inside the verdict, exclusions, the 2012 composite, a
// provincial variant and input errors.
#include "checklist_service/evaluator/evaluator.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/standard/standard_loader.h"
#include "gtest/gtest.h"
#include "tests/checklist/test_util.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using testing::PassingCounty;
using testing::PassingJudgements;
using testing::PassingJunior;
using testing::PassingPrimary;
using testing::Standard;

const v1::IndicatorStandard& S2017() { return Standard("moe-2017-quality"); }

// Three primary, two junior, one nine-year school, a special-education
// school and a teaching point of 30 students, all passing.
CountyInput PassingInput(const v1::IndicatorStandard& standard) {
  CountyInput input;
  input.county = PassingCounty();
  input.schools = {PassingPrimary("3301060001"), PassingPrimary("3301060002"),
                   PassingPrimary("3301060003"), PassingJunior("3301060004"),
                   PassingJunior("3301060005")};
  SchoolStats nine = PassingPrimary("3301060006");
  nine.type = SchoolType::kNineYear;
  nine.junior = PassingJunior("x").junior;
  nine.shared.teaching_area_m2 = 13000;
  nine.shared.sports_area_m2 = 21000;
  nine.shared.equipment_value_yuan = 5500000;
  nine.shared.multimedia_classrooms = 60;
  nine.primary.classes = 12;
  nine.junior.classes = 10;
  nine.primary.students = 600;
  nine.junior.students = 600;
  input.schools.push_back(nine);
  SchoolStats special = PassingPrimary("3301060007");
  special.type = SchoolType::kSpecial;
  // Figures that would fail R1–R7 and the coefficients if counted.
  special.primary.students = 80;
  special.shared.teaching_area_m2 = 100;
  input.schools.push_back(special);
  SchoolStats point = PassingPrimary("3301060008");
  point.type = SchoolType::kTeachingPoint;
  point.primary.students = 30;
  point.primary.teachers_above_degree = 0;
  input.schools.push_back(point);
  input.judgements = PassingJudgements(standard);
  return input;
}

const CoefficientResult& CoefficientOf(const CountyVerdict& v,
                                       const std::string& code,
                                       v1::Level level) {
  for (const CoefficientResult& c : v.coefficients) {
    if (c.code == code && c.level == level) return c;
  }
  ADD_FAILURE() << "no coefficient " << code;
  return v.coefficients.front();
}

bool HasItem(const CountyVerdict& v, const std::string& code,
             const std::string& school, Outcome outcome) {
  for (const FailingItem& item : v.failing_items) {
    const SchoolVerdict* at = SchoolOf(v, item);
    if (item.code == code && (at ? at->school_code : "") == school &&
        item.outcome == outcome) {
      return true;
    }
  }
  return false;
}

std::string Items(const CountyVerdict& v) {
  std::string text;
  for (const FailingItem& item : v.failing_items) {
    const SchoolVerdict* at = SchoolOf(v, item);
    text += std::string(item.code) + " " + (at ? at->school_code : "") + " " +
            OutcomeName(item.outcome) + ": " + FailingReason(v, item) + "\n";
  }
  return text;
}

TEST(EvaluateCounty, PassingCountyPasses) {
  absl::StatusOr<CountyVerdict> v =
      EvaluateCounty(S2017(), PassingInput(S2017()));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->outcome, Outcome::kPass) << Items(*v);
  EXPECT_TRUE(v->failing_items.empty()) << Items(*v);
  EXPECT_EQ(v->areas.size(), 4u);
  EXPECT_EQ(v->vetoes.size(), 6u);
  // 7 indicators × 2 levels.
  EXPECT_EQ(v->coefficients.size(), 14u);
  // Six primary parts (3 primary, the nine-year's, no special, no small
  // teaching point) and three junior parts.
  EXPECT_EQ(CoefficientOf(*v, "R1", v1::LEVEL_PRIMARY).schools, 4);
  EXPECT_EQ(CoefficientOf(*v, "R1", v1::LEVEL_PRIMARY).students, 3600);
  EXPECT_EQ(CoefficientOf(*v, "R1", v1::LEVEL_JUNIOR).schools, 3);
}

TEST(EvaluateCounty, ExcludedSchoolsAreReportedButNotCounted) {
  absl::StatusOr<CountyVerdict> v =
      EvaluateCounty(S2017(), PassingInput(S2017()));
  ASSERT_TRUE(v.ok());
  const SchoolVerdict& special = v->schools[6];
  EXPECT_EQ(special.inclusion, Inclusion::kExcluded);
  EXPECT_TRUE(special.levels.empty());
  // G12 covers every school, the special one too.
  ASSERT_EQ(special.checks.size(), 1u);
  EXPECT_EQ(special.checks[0].code, "G12");
  const SchoolVerdict& point = v->schools[7];
  EXPECT_EQ(point.inclusion, Inclusion::kExcluded);
  EXPECT_NE(point.inclusion_reason.find("不足 50 人"), std::string::npos);
}

TEST(EvaluateCounty, TeachingPointAtCutOffIsCounted) {
  CountyInput input = PassingInput(S2017());
  input.schools[7].primary.students = 50;  // 0 teachers above degree: R1 0.0
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->schools[7].inclusion, Inclusion::kCounted);
  EXPECT_EQ(v->outcome, Outcome::kFail);
  EXPECT_TRUE(HasItem(*v, "school_rule", "3301060008", Outcome::kFail))
      << Items(*v);
  EXPECT_EQ(CoefficientOf(*v, "R1", v1::LEVEL_PRIMARY).schools, 5);
}

TEST(EvaluateCounty, CoefficientOverLimitFailsWithValueAndCountyValue) {
  // Two primary schools of 1000 with 1.0 and 4.0 backbone teachers per 100:
  // X̄ = 2.5, S = 1.5, CV = 0.6 > 0.50. Both schools meet R2 themselves.
  CountyInput input;
  input.county = PassingCounty();
  input.schools = {PassingPrimary("3301060001"), PassingPrimary("3301060002")};
  input.schools[0].primary.backbone_teachers = 10;
  input.schools[1].primary.backbone_teachers = 40;
  input.judgements = PassingJudgements(S2017());
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  const CoefficientResult& c = CoefficientOf(*v, "R2", v1::LEVEL_PRIMARY);
  EXPECT_NEAR(*c.coefficient, 0.6, 1e-12);
  EXPECT_NEAR(*c.county_value, 2.5, 1e-12);
  EXPECT_DOUBLE_EQ(*c.limit, 0.50);
  EXPECT_EQ(c.outcome, Outcome::kFail);
  EXPECT_EQ(v->outcome, Outcome::kFail);
  EXPECT_TRUE(HasItem(*v, "R2", "", Outcome::kFail)) << Items(*v);
  EXPECT_NE(FailingReason(*v, v->failing_items[0]).find("0.6000"),
            std::string::npos);
  // No junior schools at all: there is no inter-school difference to
  // limit, so the junior coefficients are not applicable (and do not stop
  // the county from passing; see NoCountedSchoolAtALevel… below).
  EXPECT_EQ(CoefficientOf(*v, "R2", v1::LEVEL_JUNIOR).outcome,
            Outcome::kNotApplicable);
}

TEST(EvaluateCounty, CoefficientIsStudentWeighted) {
  // 100 students at 2.0 backbone per 100, 300 at 6.0: weighted CV 0.3464
  // passes; the unweighted 0.5 would sit at the limit.
  CountyInput input;
  input.county = PassingCounty();
  input.schools = {PassingPrimary("3301060001"), PassingPrimary("3301060002")};
  input.schools[0].primary.students = 100;
  input.schools[0].primary.backbone_teachers = 2;
  input.schools[1].primary.students = 300;
  input.schools[1].primary.backbone_teachers = 18;
  input.judgements = PassingJudgements(S2017());
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  const CoefficientResult& c = CoefficientOf(*v, "R2", v1::LEVEL_PRIMARY);
  EXPECT_NEAR(*c.coefficient, 0.34641016151377546, 1e-12);
  EXPECT_NEAR(*c.county_value, 5.0, 1e-12);
  EXPECT_EQ(c.students, 400);
}

TEST(EvaluateCounty, FailingItemsListEverythingFailingFirst) {
  CountyInput input = PassingInput(S2017());
  input.schools[0].primary.teachers_above_degree = 30;  // R1 3.0 < 85%
  input.schools[1].primary.max_class_size = 47;         // G5
  input.county.satisfaction_rate = 0.80;                // S1
  input.county.junior_consolidation_rate.reset();       // Q1 not reported
  input.judgements.back().passed = false;               // V6 applies
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->outcome, Outcome::kFail);
  EXPECT_TRUE(HasItem(*v, "school_rule", "3301060001", Outcome::kFail))
      << Items(*v);
  EXPECT_TRUE(HasItem(*v, "G5", "3301060002", Outcome::kFail)) << Items(*v);
  EXPECT_TRUE(HasItem(*v, "S1", "", Outcome::kFail)) << Items(*v);
  EXPECT_TRUE(HasItem(*v, "V6", "", Outcome::kFail)) << Items(*v);
  EXPECT_TRUE(HasItem(*v, "Q1", "", Outcome::kNotReported)) << Items(*v);
  EXPECT_EQ(v->failing_items.back().outcome, Outcome::kNotReported);
  EXPECT_EQ(v->failing_items.size(), 5u) << Items(*v);
  // The reason names the indicator in Chinese and the shortfall.
  EXPECT_NE(FailingReason(*v, v->failing_items[0])
                .find("每百名学生拥有高于规定学历教师数"),
            std::string::npos);
  EXPECT_NE(FailingReason(*v, v->failing_items[0]).find("需增加 12 名教师"),
            std::string::npos)
      << FailingReason(*v, v->failing_items[0]);
}

TEST(EvaluateCounty, NothingFailingButSomethingMissingIsNotAPass) {
  CountyInput input = PassingInput(S2017());
  input.judgements.erase(input.judgements.begin());  // G1 not judged
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->outcome, Outcome::kNotReported);
  ASSERT_EQ(v->failing_items.size(), 1u) << Items(*v);
  EXPECT_EQ(v->failing_items[0].code, "G1");
}

TEST(EvaluateCounty, MissingSchoolValueLeavesCoefficientNotReported) {
  CountyInput input = PassingInput(S2017());
  input.schools[2].shared.books.reset();  // not used by 2017: no effect
  input.schools[2].primary.pe_art_teachers.reset();
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(CoefficientOf(*v, "R3", v1::LEVEL_PRIMARY).outcome,
            Outcome::kNotReported);
  EXPECT_EQ(CoefficientOf(*v, "R3", v1::LEVEL_JUNIOR).outcome, Outcome::kPass);
  EXPECT_EQ(v->outcome, Outcome::kNotReported);
}

TEST(EvaluateCounty, TeachingPointWithoutStudentCountIsNotReported) {
  CountyInput input = PassingInput(S2017());
  input.schools[7].primary.students.reset();
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->schools[7].inclusion, Inclusion::kUnknown);
  EXPECT_EQ(v->outcome, Outcome::kNotReported);
  EXPECT_EQ(CoefficientOf(*v, "R1", v1::LEVEL_PRIMARY).outcome,
            Outcome::kNotReported);
}

// Schools whose eight 2012 figures are all k or 4k per student: each
// coefficient is 0.6 (X̄ = 2.5k, S = 1.5k).
SchoolStats Basic(const std::string& code, SchoolType type, double k) {
  SchoolStats s =
      type == SchoolType::kPrimary ? PassingPrimary(code) : PassingJunior(code);
  LevelStats& part = type == SchoolType::kPrimary ? s.primary : s.junior;
  part.students = 1000;
  s.shared.teaching_area_m2 = 1000 * k;
  s.shared.sports_area_m2 = 2000 * k;
  s.shared.equipment_value_yuan = 1000000 * k;
  s.shared.computers = static_cast<int64_t>(50 * k);
  s.shared.books = static_cast<int64_t>(10000 * k);
  part.teachers = static_cast<int64_t>(40 * k);
  part.teachers_above_degree = static_cast<int64_t>(30 * k);
  part.senior_title_teachers = static_cast<int64_t>(20 * k);
  return s;
}

TEST(EvaluateCounty2012, CompositeIsTheMeanOfEightCoefficients) {
  const v1::IndicatorStandard& s2012 = Standard("moe-2012-basic");
  CountyInput input;
  input.county = PassingCounty();
  input.schools = {Basic("3301060001", SchoolType::kPrimary, 1),
                   Basic("3301060002", SchoolType::kPrimary, 4),
                   Basic("3301060003", SchoolType::kJunior, 1),
                   Basic("3301060004", SchoolType::kJunior, 4)};
  input.judgements = PassingJudgements(s2012);
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(s2012, input);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->coefficients.size(), 16u);
  for (const CoefficientResult& c : v->coefficients) {
    EXPECT_NEAR(*c.coefficient, 0.6, 1e-12) << c.code;
    EXPECT_FALSE(c.limit.has_value());
    EXPECT_EQ(c.outcome, Outcome::kNotApplicable);
  }
  ASSERT_EQ(v->composites.size(), 2u);
  // Primary: 0.6 ≤ 0.65 passes; junior: 0.6 > 0.55 fails.
  EXPECT_NEAR(*v->composites[0].value, 0.6, 1e-12);
  EXPECT_EQ(v->composites[0].outcome, Outcome::kPass);
  EXPECT_DOUBLE_EQ(v->composites[1].limit, 0.55);
  EXPECT_EQ(v->composites[1].outcome, Outcome::kFail);
  EXPECT_EQ(v->outcome, Outcome::kFail);
  ASSERT_EQ(v->failing_items.size(), 1u) << Items(*v);
  EXPECT_EQ(v->failing_items[0].code, "composite_coefficient");
  EXPECT_EQ(v->failing_items[0].level, v1::LEVEL_JUNIOR);
}

TEST(EvaluateCounty2012, EqualSchoolsPass) {
  const v1::IndicatorStandard& s2012 = Standard("moe-2012-basic");
  CountyInput input;
  input.county = PassingCounty();
  input.schools = {Basic("3301060001", SchoolType::kPrimary, 2),
                   Basic("3301060002", SchoolType::kPrimary, 2),
                   Basic("3301060003", SchoolType::kJunior, 2)};
  input.judgements = PassingJudgements(s2012);
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(s2012, input);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->outcome, Outcome::kPass) << Items(*v);
}

TEST(EvaluateCountyVariant, StricterThresholdsAndAddedIndicator) {
  const v1::IndicatorStandard& province =
      Standard("example-province-2017-quality");
  CountyInput input = PassingInput(province);
  // R1 4.4 per 100: passes 4.2 nationally, misses the province's 4.5.
  input.schools[0].primary.teachers_above_degree = 44;
  absl::StatusOr<CountyVerdict> national = EvaluateCounty(S2017(), input);
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(province, input);
  ASSERT_TRUE(national.ok() && v.ok());
  EXPECT_EQ(national->outcome, Outcome::kPass) << Items(*national);
  const SchoolLevelVerdict& part = v->schools[0].levels[0];
  ASSERT_EQ(part.indicators.size(), 8u);  // R1–R7 and R8
  EXPECT_EQ(part.indicators[0].measurements[0].threshold, 4.5);
  EXPECT_EQ(part.indicators[0].outcome, Outcome::kFail);
  EXPECT_EQ(part.indicators[7].code, "R8");
  EXPECT_NEAR(*part.indicators[7].measurements[0].value, 20.0, 1e-12);
  // One miss of eight: 7 of 8 still passes the school.
  EXPECT_EQ(part.outcome, Outcome::kPass);
  EXPECT_EQ(part.rule_indicators, 8);
  EXPECT_EQ(v->coefficients.size(), 16u);
  EXPECT_EQ(v->outcome, Outcome::kPass) << Items(*v);
}

TEST(EvaluateCountyVariant, InheritedG7IsStricter) {
  const v1::IndicatorStandard& province =
      Standard("example-province-2017-quality");
  CountyInput input = PassingInput(province);
  input.county.special_ed_funds_per_student_yuan = 7000;
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(province, input);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(HasItem(*v, "G7", "", Outcome::kFail)) << Items(*v);
  EXPECT_EQ(EvaluateCounty(S2017(), input)->outcome, Outcome::kPass);
}

TEST(EvaluateCounty, InputErrors) {
  absl::Status status;
  CountyInput input = PassingInput(S2017());
  input.schools[0].county_code = "330107";
  EXPECT_EQ(EvaluateCounty(S2017(), input).status().code(),
            absl::StatusCode::kInvalidArgument);

  // A school twice: side by side (codes in order, as the store gives them),
  // and apart (out of order, as a file may give them).
  input = PassingInput(S2017());
  input.schools[1].school_code = input.schools[0].school_code;
  status = EvaluateCounty(S2017(), input).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("given twice"), absl::string_view::npos);
  input = PassingInput(S2017());
  input.schools.push_back(input.schools[0]);
  status = EvaluateCounty(S2017(), input).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("given twice"), absl::string_view::npos);
  // Out of order but each school once is fine.
  input = PassingInput(S2017());
  std::reverse(input.schools.begin(), input.schools.end());
  EXPECT_TRUE(EvaluateCounty(S2017(), input).ok());

  input = PassingInput(S2017());
  input.schools[0].primary.teachers = -1;
  status = EvaluateCounty(S2017(), input).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("p_teachers"), absl::string_view::npos);

  input = PassingInput(S2017());
  input.schools[0].junior.students = 120;  // a primary school
  EXPECT_EQ(EvaluateCounty(S2017(), input).status().code(),
            absl::StatusCode::kInvalidArgument);

  input = PassingInput(S2017());
  input.judgements.push_back(input.judgements.front());
  EXPECT_EQ(EvaluateCounty(S2017(), input).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A standard and an input checked once (as the service checks them on
// loading them) are evaluated to the same verdict as when checked at each
// call, and bad ones are refused by the checks with the same status.
TEST(EvaluateCounty, CheckedInputGivesTheSameVerdict) {
  const auto summary_of = [](const CountyVerdict& v) {
    std::vector<std::string> all{
        absl::StrCat("county ", OutcomeName(v.outcome))};
    for (const SchoolVerdict& school : v.schools) {
      all.push_back(
          absl::StrCat(school.school_code, " ", OutcomeName(school.outcome)));
      for (const SchoolLevelVerdict& part : school.levels) {
        for (const IndicatorResult& r : part.indicators) {
          all.push_back(absl::StrCat(school.school_code, " ", part.level, " ",
                                     r.code, " ", OutcomeName(r.outcome)));
          for (std::string& reason : Reasons(r)) all.push_back(reason);
        }
      }
      for (const IndicatorResult& r : school.checks) {
        all.push_back(absl::StrCat(school.school_code, " ", r.code, " ",
                                   OutcomeName(r.outcome), " ",
                                   r.measurements.size()));
        for (std::string& reason : Reasons(r)) all.push_back(reason);
      }
    }
    for (const FailingItem& item : v.failing_items) {
      all.push_back(absl::StrCat(item.code, " ", item.school, " ", item.level,
                                 " ", FailingReason(v, item)));
    }
    return all;
  };
  CountyInput input = PassingInput(S2017());
  input.schools[0].primary.teachers.reset();
  input.schools[1].shared.teaching_area_m2 = 1;
  const absl::StatusOr<CheckedStandard> standard =
      CheckedStandard::Check(S2017());
  ASSERT_TRUE(standard.ok()) << standard.status();
  const absl::StatusOr<CheckedCountyInput> checked =
      CheckedCountyInput::Check(input);
  ASSERT_TRUE(checked.ok()) << checked.status();
  const CountyVerdict once = EvaluateCounty(*standard, *checked);
  absl::StatusOr<CountyVerdict> each = EvaluateCounty(S2017(), input);
  ASSERT_TRUE(each.ok()) << each.status();
  EXPECT_EQ(once.outcome, Outcome::kFail);
  EXPECT_EQ(summary_of(once), summary_of(*each));

  input.schools[1].school_code = input.schools[0].school_code;
  const absl::Status refused = CheckedCountyInput::Check(input).status();
  EXPECT_EQ(refused, EvaluateCounty(S2017(), input).status());
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("given twice"), absl::string_view::npos);

  v1::IndicatorStandard broken = S2017();
  broken.mutable_indicators(0)->mutable_thresholds()->RemoveLast();
  const absl::Status unevaluable = CheckedStandard::Check(broken).status();
  EXPECT_EQ(unevaluable,
            EvaluateCounty(broken, PassingInput(S2017())).status());
  EXPECT_EQ(unevaluable.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(EvaluateCounty, RefusesAStandardWithGaps) {
  v1::IndicatorStandard broken = S2017();
  broken.mutable_indicators(0)->mutable_thresholds()->RemoveLast();
  absl::StatusOr<CountyVerdict> v =
      EvaluateCounty(broken, PassingInput(S2017()));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(v.status().message().find("R1"), absl::string_view::npos);
}

TEST(EvaluateSchool, SameAsInTheCounty) {
  CountyInput input = PassingInput(S2017());
  absl::StatusOr<SchoolVerdict> school =
      EvaluateSchool(S2017(), input.schools[5]);
  ASSERT_TRUE(school.ok());
  EXPECT_EQ(school->levels.size(), 2u);  // nine-year: primary and junior
  EXPECT_EQ(school->outcome, Outcome::kPass);
  EXPECT_EQ(school->checks.size(), 6u);  // G3 G4 G5 G12 Q3 Q4
}

// A copy of a verdict is independent of the original and its arena: G3's
// four measurements (past the one inline slot) and a blank input's note
// must read the same from a copy after the original is gone (ASan runs
// this too).
TEST(EvaluateCountyTest, CopyOutlivesTheOriginal) {
  CountyInput input = PassingInput(S2017());
  input.schools[0].primary.teachers.reset();
  auto verdict = std::make_unique<absl::StatusOr<CountyVerdict>>(
      EvaluateCounty(S2017(), input));
  ASSERT_TRUE(verdict->ok()) << verdict->status();
  const auto reasons_of = [](const CountyVerdict& v) {
    std::vector<std::string> all;
    for (const SchoolVerdict& school : v.schools) {
      for (const IndicatorResult& check : school.checks) {
        for (std::string& r : Reasons(check)) all.push_back(std::move(r));
        for (const Measurement& m : check.measurements) {
          all.push_back(absl::StrCat(check.code, " ", m.measure, " ",
                                     m.value.value_or(-1)));
        }
      }
    }
    return all;
  };
  const std::vector<std::string> before = reasons_of(**verdict);
  CountyVerdict copy = **verdict;
  CountyVerdict assigned;
  assigned = **verdict;
  verdict.reset();
  EXPECT_EQ(reasons_of(copy), before);
  EXPECT_EQ(reasons_of(assigned), before);
  // The blank figure's sentence is rendered from its parts.
  EXPECT_NE(std::find_if(before.begin(), before.end(),
                         [](const std::string& r) {
                           return absl::StrContains(r, "p_teachers 未填报");
                         }),
            before.end());
  // G3 has its four measurements at every covered school.
  size_t g3 = 0;
  for (const SchoolVerdict& school : copy.schools) {
    for (const IndicatorResult& check : school.checks) {
      if (check.code != "G3") continue;
      EXPECT_EQ(check.measurements.size(), 4u) << school.school_code;
      ++g3;
    }
  }
  EXPECT_GT(g3, 0u);
}

}  // namespace
}  // namespace junheng::checklist
