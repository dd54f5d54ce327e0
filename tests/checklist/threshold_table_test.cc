// Every threshold of every standard file, decided at the threshold, one unit
// under and one unit over: one teacher, one classroom, one student, one fen,
// 0.01 m², 0.0001 of a rate. The figures at the threshold are computed here
// in exact rational arithmetic from the threshold as written in the file
// (T × students / per for a per-student ratio, T × base for a share), so
// "at" is the threshold exactly and a decision within any tolerance of it
// would show. Plus the cases that once went wrong, by hand.
#include <gmpxx.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checklist_service/evaluator/county_indicators.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/inclusion.h"
#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/evaluator/school_checks.h"
#include "checklist_service/evaluator/school_indicators.h"
#include "checklist_service/standard/formula.h"
#include "gtest/gtest.h"
#include "tests/checklist/test_util.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using testing::PassingCounty;
using testing::PassingJudgements;
using testing::PassingJunior;
using testing::PassingPrimary;
using testing::RealStandards;

// An exact rational as the double the CSV importer would hold for its
// decimal (it must have a short decimal expansion).
double AsFigure(const mpq_class& q) {
  mpq_class scaled = q * 1000000;
  EXPECT_EQ(scaled.get_den(), 1) << q.get_str() << " has no 6-decimal form";
  return std::stod(mpq_class(scaled).get_num().get_str()) / 1e6;
}

// What `comparison` says of a value under, at and over its threshold.
struct Expected {
  bool under, at, over;
};
Expected For(v1::Comparison comparison) {
  switch (comparison) {
    case v1::COMPARISON_AT_LEAST:
      return {false, true, true};
    case v1::COMPARISON_GREATER_THAN:
      return {false, false, true};
    case v1::COMPARISON_AT_MOST:
      return {true, true, false};
    case v1::COMPARISON_LESS_THAN:
      return {true, false, false};
    default:
      ADD_FAILURE();
      return {};
  }
}

void SetPartQuantity(SchoolStats& s, v1::Level level, Quantity quantity,
                     double value) {
  LevelStats& part = level == v1::LEVEL_JUNIOR ? s.junior : s.primary;
  const auto count = static_cast<int64_t>(value);
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
      part.teachers_above_degree = count;
      break;
    case Quantity::kBackboneTeachers:
      part.backbone_teachers = count;
      break;
    case Quantity::kPeArtTeachers:
      part.pe_art_teachers = count;
      break;
    case Quantity::kTeachers:
      part.teachers = count;
      break;
    case Quantity::kSeniorTitleTeachers:
      part.senior_title_teachers = count;
      break;
    case Quantity::kTeachingArea:
      s.shared.teaching_area_m2 = value;
      break;
    case Quantity::kSportsArea:
      s.shared.sports_area_m2 = value;
      break;
    case Quantity::kEquipmentValue:
      s.shared.equipment_value_yuan = value;
      break;
    case Quantity::kMultimediaClassrooms:
      s.shared.multimedia_classrooms = count;
      break;
    case Quantity::kComputers:
      s.shared.computers = count;
      break;
    case Quantity::kBooks:
      s.shared.books = count;
      break;
    case Quantity::kNone:
      ADD_FAILURE();
  }
}

// R1–R7 (and any per-student ratio a standard thresholds): a part of 10,000
// students, so that T × students / per is a whole number of teachers or
// rooms and a whole fen or 0.01 m² for every threshold of two decimals.
TEST(ThresholdTable, EveryPerStudentThresholdOfEveryStandard) {
  int checked = 0;
  for (const auto& [id, standard] : RealStandards()) {
    for (const v1::Indicator& indicator : standard.indicators()) {
      if (indicator.scope() != v1::SCOPE_SCHOOL_LEVEL) continue;
      const FormulaSpec* spec = FindFormula(indicator.formula());
      ASSERT_NE(spec, nullptr);
      for (const v1::Threshold& t : indicator.thresholds()) {
        SCOPED_TRACE(absl::StrCat(id, " ", indicator.code(), " level ",
                                  t.level(), " ", t.value()));
        const int64_t students = 10000;
        const mpq_class at = ReportedDecimal(t.value()) * students /
                             static_cast<long>(spec->per_students);
        const bool whole = InfoOf(spec->quantity).whole &&
                           spec->quantity != Quantity::kTeachingArea &&
                           spec->quantity != Quantity::kSportsArea &&
                           spec->quantity != Quantity::kEquipmentValue;
        // The smallest step a county can report: one whole thing, or 0.01.
        const mpq_class unit = whole ? mpq_class(1) : mpq_class(1, 100);
        const Expected expected = For(t.comparison());
        const std::pair<mpq_class, bool> cases[] = {{at - unit, expected.under},
                                                    {at, expected.at},
                                                    {at + unit, expected.over}};
        for (const auto& [figure, pass] : cases) {
          SchoolStats s = t.level() == v1::LEVEL_JUNIOR
                              ? PassingJunior("3301060001")
                              : PassingPrimary("3301060001");
          (t.level() == v1::LEVEL_JUNIOR ? s.junior : s.primary).students =
              students;
          SetPartQuantity(s, t.level(), spec->quantity, AsFigure(figure));
          const SchoolLevelVerdict v =
              EvaluateSchoolLevel(standard, s, t.level());
          const IndicatorResult* r = nullptr;
          for (const IndicatorResult& i : v.indicators) {
            if (i.code == indicator.code()) r = &i;
          }
          ASSERT_NE(r, nullptr);
          const Measurement& m = r->measurements.front();
          EXPECT_EQ(m.outcome, pass ? Outcome::kPass : Outcome::kFail)
              << "figure " << figure.get_str() << " value " << *m.value;
          if (!pass) {
            // One unit short is one unit to add (a ceiling: to remove).
            ASSERT_TRUE(m.shortfall.has_value());
            EXPECT_EQ(m.shortfall->amount, 1) << figure.get_str();
            // The displayed value never reads as the threshold it misses.
            const std::vector<std::string> reasons = Reasons(*r);
            ASSERT_EQ(reasons.size(), 1u);
            EXPECT_EQ(reasons[0].find(
                          absl::StrCat(" ", FormatNumber(t.value()), "，标准")),
                      std::string::npos)
                << reasons[0];
          }
          ++checked;
        }
      }
    }
  }
  // 2017: R1–R7 at two levels; the variant likewise (2012 has none).
  EXPECT_GE(checked, 2 * 14 * 3);
}

// The school rule's floor, f × T (85%), at, under and over.
TEST(ThresholdTable, SchoolRuleFloorOfEveryStandard) {
  for (const auto& [id, standard] : RealStandards()) {
    if (!standard.has_school_rule()) continue;
    SCOPED_TRACE(id);
    const v1::Indicator* r6 = nullptr;
    for (const v1::Indicator& i : standard.indicators()) {
      if (i.formula() == v1::FORMULA_EQUIPMENT_VALUE_PER_STUDENT) r6 = &i;
    }
    ASSERT_NE(r6, nullptr);
    const v1::Threshold* t = FindThreshold(*r6, v1::LEVEL_PRIMARY, "");
    ASSERT_NE(t, nullptr);
    const mpq_class floor =
        ReportedDecimal(t->value()) *
        ReportedDecimal(standard.school_rule().floor_fraction()) * 1000;
    const std::pair<mpq_class, bool> cases[] = {
        {floor - mpq_class(1, 100), false},
        {floor, true},
        {floor + mpq_class(1, 100), true}};
    for (const auto& [figure, passes] : cases) {
      SchoolStats s = PassingPrimary("3301060001");
      s.shared.equipment_value_yuan = AsFigure(figure);
      const SchoolLevelVerdict v =
          EvaluateSchoolLevel(standard, s, v1::LEVEL_PRIMARY);
      EXPECT_EQ(v.missed, 1);
      EXPECT_EQ(v.below_floor, passes ? 0 : 1) << figure.get_str();
      EXPECT_EQ(v.outcome, passes ? Outcome::kPass : Outcome::kFail);
    }
  }
}

// The false pass: 12,499,999.99 yuan for 5,000 junior students is
// 2,499.999998 a student, one fen short of "≥ 2500" in all.
TEST(ThresholdTable, OneFenShortOfTheEquipmentThresholdIsShort) {
  const v1::IndicatorStandard& s2017 = testing::Standard("moe-2017-quality");
  SchoolStats s = PassingJunior("3301060001");
  s.junior.students = 5000;
  s.junior.classes = 100;
  s.shared.teaching_area_m2 = 35000;
  s.shared.sports_area_m2 = 60000;
  s.shared.multimedia_classrooms = 150;
  s.junior.teachers = 400;
  s.junior.teachers_above_degree = 300;
  s.junior.backbone_teachers = 100;
  s.junior.pe_art_teachers = 60;
  s.junior.certified_teachers = 400;
  s.shared.equipment_value_yuan = 12499999.99;
  // And R7 is missed too (2.38 < 2.4 per 100): 5 of 7 met.
  s.shared.multimedia_classrooms = 119;
  SchoolLevelVerdict v = EvaluateSchoolLevel(s2017, s, v1::LEVEL_JUNIOR);
  EXPECT_EQ(v.met, 5);
  EXPECT_EQ(v.missed, 2);
  EXPECT_EQ(v.outcome, Outcome::kFail);
  const Measurement& r6 = v.indicators[5].measurements.front();
  EXPECT_EQ(v.indicators[5].code, "R6");
  EXPECT_EQ(r6.outcome, Outcome::kFail);
  EXPECT_EQ(r6.shortfall->amount, 1);  // one yuan, rounded up from one fen
  // The figure shown is not "2500".
  EXPECT_NE(Reasons(v.indicators[5])[0].find("2499.999998"), std::string::npos)
      << Reasons(v.indicators[5])[0];
  s.shared.equipment_value_yuan = 12500000.00;
  v = EvaluateSchoolLevel(s2017, s, v1::LEVEL_JUNIOR);
  EXPECT_EQ(v.indicators[5].measurements.front().outcome, Outcome::kPass);
}

// Coefficients: two schools of equal size at m(1 − L) and m(1 + L) have a
// coefficient of exactly L. One unit less spread passes, one more fails.
struct CoefficientCase {
  std::string standard;
  std::string code;
  v1::Level level;
  // Quantities per 1000 students at the limit, and the unit of change.
  mpq_class low, high, unit;
};

CountyVerdict EvaluateTwoSchools(const CoefficientCase& c,
                                 const mpq_class& low) {
  const v1::IndicatorStandard& standard = testing::Standard(c.standard);
  CountyInput input;
  input.county = PassingCounty();
  const v1::Indicator& indicator = testing::IndicatorOf(c.standard, c.code);
  const FormulaSpec* spec = FindFormula(indicator.formula());
  for (int i = 0; i < 2; ++i) {
    SchoolStats s = c.level == v1::LEVEL_JUNIOR
                        ? PassingJunior(absl::StrCat("330106000", i + 1))
                        : PassingPrimary(absl::StrCat("330106000", i + 1));
    SetPartQuantity(s, c.level, spec->quantity,
                    AsFigure(i == 0 ? low : c.high));
    input.schools.push_back(s);
  }
  input.judgements = PassingJudgements(standard);
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(standard, input);
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

const CoefficientResult& Find(const CountyVerdict& v, const std::string& code,
                              v1::Level level) {
  for (const CoefficientResult& c : v.coefficients) {
    if (c.code == code && c.level == level) return c;
  }
  ADD_FAILURE() << code;
  return v.coefficients.front();
}

TEST(ThresholdTable, CoefficientAtItsLimitPassesExactly) {
  const CoefficientCase cases[] = {
      // The case: R2 primary 1.2 and 3.6 per 100 → exactly 0.50.
      {"moe-2017-quality", "R2", v1::LEVEL_PRIMARY, 12, 36, 1},
      // Junior 1.1 and 2.9 per 100 → exactly 0.45.
      {"moe-2017-quality", "R2", v1::LEVEL_JUNIOR, 11, 29, 1},
      // Areas: 3 and 9 m² a student → 0.50; 0.01 m² changes it.
      {"moe-2017-quality", "R4", v1::LEVEL_PRIMARY, 3000, 9000,
       mpq_class(1, 100)},
      {"moe-2017-quality", "R5", v1::LEVEL_JUNIOR, mpq_class(11000),
       mpq_class(29000), mpq_class(1, 100)},
      // Money: 1100 and 2900 yuan a student → 0.45; one fen changes it.
      {"moe-2017-quality", "R6", v1::LEVEL_JUNIOR, 1100000, 2900000,
       mpq_class(1, 100)},
      {"moe-2017-quality", "R7", v1::LEVEL_PRIMARY, 15, 45, 1},
  };
  for (const CoefficientCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.code, " ", c.level));
    CountyVerdict at = EvaluateTwoSchools(c, c.low);
    const CoefficientResult& r = Find(at, c.code, c.level);
    EXPECT_EQ(r.outcome, Outcome::kPass) << *r.coefficient;
    EXPECT_TRUE(r.reasons.empty());
    CountyVerdict under = EvaluateTwoSchools(c, c.low + c.unit);
    EXPECT_EQ(Find(under, c.code, c.level).outcome, Outcome::kPass);
    CountyVerdict over = EvaluateTwoSchools(c, c.low - c.unit);
    const CoefficientResult& o = Find(over, c.code, c.level);
    EXPECT_EQ(o.outcome, Outcome::kFail);
    ASSERT_EQ(o.reasons.size(), 1u);
    // The value shown exceeds the limit shown.
    EXPECT_EQ(o.reasons[0].find(absl::StrCat(FormatNumber(*o.limit), "000，")),
              std::string::npos)
        << o.reasons[0];
  }
}

// 2012: the composite is the mean of eight coefficients; all eight exactly
// at 0.65 puts the mean exactly at its limit (a rational sum), and one
// coefficient a unit over or under moves it over or under (irrational
// sums, decided by bracketing the square roots).
TEST(ThresholdTable, CompositeAtItsLimitPassesExactly) {
  const v1::IndicatorStandard& s2012 = testing::Standard("moe-2012-basic");
  auto county = [&](int delta_teachers) {
    CountyInput input;
    input.county = PassingCounty();
    for (int i = 0; i < 2; ++i) {
      SchoolStats s = PassingPrimary(absl::StrCat("330106000", i + 1));
      // m(1 ∓ 0.65) with m = 6 m², 10 m², 2000 yuan, 20 per 100, 30 books.
      const bool low = i == 0;
      s.shared.teaching_area_m2 = low ? 2100 : 9900;
      s.shared.sports_area_m2 = low ? 3500 : 16500;
      s.shared.equipment_value_yuan = low ? 700000 : 3300000;
      s.shared.computers = low ? 70 : 330;
      s.shared.books = low ? 10500 : 49500;
      s.primary.teachers = low ? 70 + delta_teachers : 330;
      s.primary.teachers_above_degree = low ? 70 : 330;
      s.primary.senior_title_teachers = low ? 70 : 330;
      s.primary.certified_teachers = *s.primary.teachers;
      input.schools.push_back(s);
    }
    input.judgements = PassingJudgements(s2012);
    absl::StatusOr<CountyVerdict> v = EvaluateCounty(s2012, input);
    EXPECT_TRUE(v.ok()) << v.status();
    return *v;
  };
  auto primary = [](const CountyVerdict& v) {
    for (const CompositeResult& c : v.composites) {
      if (c.level == v1::LEVEL_PRIMARY) return c;
    }
    return CompositeResult{};
  };
  EXPECT_EQ(primary(county(0)).outcome, Outcome::kPass)
      << *primary(county(0)).value;
  EXPECT_EQ(primary(county(1)).outcome, Outcome::kPass);
  EXPECT_EQ(primary(county(-1)).outcome, Outcome::kFail);
  // The junior level has no school at all: not applicable, not a gap.
  for (const CompositeResult& c : county(0).composites) {
    if (c.level == v1::LEVEL_JUNIOR) {
      EXPECT_EQ(c.outcome, Outcome::kNotApplicable);
    }
  }
}

// A county whose junior students are all in an excluded (special) school
// has no junior coefficient to meet, and can pass.
TEST(ThresholdTable, NoCountedSchoolAtALevelDoesNotBlockTheCounty) {
  const v1::IndicatorStandard& s2017 = testing::Standard("moe-2017-quality");
  CountyInput input;
  input.county = PassingCounty();
  input.schools = {PassingPrimary("3301060001"), PassingPrimary("3301060002")};
  input.judgements = PassingJudgements(s2017);
  absl::StatusOr<CountyVerdict> v = EvaluateCounty(s2017, input);
  ASSERT_TRUE(v.ok()) << v.status();
  for (const CoefficientResult& c : v->coefficients) {
    EXPECT_EQ(c.outcome, c.level == v1::LEVEL_JUNIOR ? Outcome::kNotApplicable
                                                     : Outcome::kPass)
        << c.code;
  }
  EXPECT_EQ(v->outcome, Outcome::kPass);
  for (const FailingItem& item : v->failing_items) {
    ADD_FAILURE() << item.code << " " << FailingReason(*v, item);
  }
}

// Per-school checks and county indicators: one row per threshold, with the
// figure at the threshold computed from the file's value.
struct Row {
  v1::Formula formula;
  std::string measure;
  v1::Level level;
  // Sets the figure(s) so that the measured value is `value`.
  std::function<void(SchoolStats&, CountyStats&, const mpq_class& value)> set;
  // The figure at the threshold T, and the smallest reportable step.
  std::function<mpq_class(const mpq_class& t)> at;
  mpq_class unit;
};

TEST(ThresholdTable, EverySchoolCheckAndCountyThresholdOfEveryStandard) {
  const std::vector<Row> rows = {
      // G3: ⌈24 classes / T⌉ rooms: rooms = 24/T exactly at T = 12.
      {v1::FORMULA_MUSIC_ART_ROOMS, "music_room_area_m2", v1::LEVEL_ALL,
       [](SchoolStats& s, CountyStats&, const mpq_class& v) {
         s.music_room_min_area_m2 = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 100)},
      {v1::FORMULA_MUSIC_ART_ROOMS, "art_room_area_m2", v1::LEVEL_ALL,
       [](SchoolStats& s, CountyStats&, const mpq_class& v) {
         s.art_room_min_area_m2 = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 100)},
      // G4: students of a primary school against its size limit.
      {v1::FORMULA_SCHOOL_SIZE, "single_level_school", v1::LEVEL_ALL,
       [](SchoolStats& s, CountyStats&, const mpq_class& v) {
         s.primary.students = v.get_num().get_si();
       },
       [](const mpq_class& t) { return t; }, 1},
      // G5: the largest class.
      {v1::FORMULA_CLASS_SIZE, "", v1::LEVEL_PRIMARY,
       [](SchoolStats& s, CountyStats&, const mpq_class& v) {
         s.primary.max_class_size = v.get_num().get_si();
       },
       [](const mpq_class& t) { return t; }, 1},
      // Q4: training funds / public funds of 1,000,000.00 yuan.
      {v1::FORMULA_TRAINING_FUNDS_SHARE, "", v1::LEVEL_ALL,
       [](SchoolStats& s, CountyStats&, const mpq_class& v) {
         s.public_funds_yuan = 1000000;
         s.training_funds_yuan = AsFigure(v);
       },
       [](const mpq_class& t) { return mpq_class(t * 1000000); },
       mpq_class(1, 100)},
      // G7: yuan per special-education student.
      {v1::FORMULA_SPECIAL_ED_FUNDS_PER_STUDENT, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.special_ed_funds_per_student_yuan = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 100)},
      // G8: teachers' pay / civil servants' 110,000.00 yuan.
      {v1::FORMULA_TEACHER_SALARY_RATIO, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.civil_servant_avg_salary_yuan = 110000;
         c.teacher_avg_salary_yuan = AsFigure(v);
       },
       [](const mpq_class& t) { return mpq_class(t * 110000); },
       mpq_class(1, 100)},
      // G11: rotated / 1000 eligible, backbone / rotated 150.
      {v1::FORMULA_TEACHER_ROTATION, "rotation_rate", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.rotation_eligible_teachers = 1000;
         c.rotated_teachers = v.get_num().get_si();
         c.rotated_backbone_teachers = v.get_num().get_si();
       },
       [](const mpq_class& t) { return mpq_class(t * 1000); }, 1},
      {v1::FORMULA_TEACHER_ROTATION, "backbone_share", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.rotated_teachers = 150;
         c.rotated_backbone_teachers = v.get_num().get_si();
       },
       [](const mpq_class& t) { return mpq_class(t * 150); }, 1},
      // Rates reported as fractions, to four decimals.
      {v1::FORMULA_TRAINING_360H_COMPLETION, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.training_360h_completion_rate = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_NEARBY_ENROLLMENT, "", v1::LEVEL_JUNIOR,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.nearby_enrollment_rate_junior = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_NEARBY_ENROLLMENT, "", v1::LEVEL_PRIMARY,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.nearby_enrollment_rate_primary = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_QUALITY_HIGH_SCHOOL_QUOTA, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.quality_high_school_quota_ratio = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_MIGRANT_CHILDREN_PUBLIC, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.migrant_children_public_ratio = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_JUNIOR_CONSOLIDATION, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.junior_consolidation_rate = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_DISABLED_ENROLLMENT, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.disabled_enrollment_rate = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_QUALITY_MONITORING, "min_level", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.monitoring_min_level = v.get_num().get_si();
       },
       [](const mpq_class& t) { return t; }, 1},
      {v1::FORMULA_QUALITY_MONITORING, "interschool_difference", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.monitoring_interschool_difference = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
      {v1::FORMULA_SATISFACTION, "", v1::LEVEL_ALL,
       [](SchoolStats&, CountyStats& c, const mpq_class& v) {
         c.satisfaction_rate = AsFigure(v);
       },
       [](const mpq_class& t) { return t; }, mpq_class(1, 10000)},
  };
  int checked = 0;
  for (const auto& [id, standard] : RealStandards()) {
    for (const v1::Indicator& indicator : standard.indicators()) {
      for (const Row& row : rows) {
        if (indicator.formula() != row.formula) continue;
        const v1::Threshold* t =
            FindThreshold(indicator, row.level, row.measure);
        if (t == nullptr) continue;
        SCOPED_TRACE(absl::StrCat(id, " ", indicator.code(), " ", row.measure,
                                  " ", t->value()));
        const mpq_class at = row.at(ReportedDecimal(t->value()));
        const Expected expected = For(t->comparison());
        const std::pair<mpq_class, bool> cases[] = {
            {at - row.unit, expected.under},
            {at, expected.at},
            {at + row.unit, expected.over}};
        for (const auto& [figure, pass] : cases) {
          // A rate cannot exceed 1, nor a count go below 0.
          if (figure < 0 || (row.unit < mpq_class(1, 1000) && figure > 1)) {
            continue;
          }
          SchoolStats school = PassingPrimary("3301060001");
          CountyStats county = PassingCounty();
          row.set(school, county, figure);
          const IndicatorResult r =
              indicator.scope() == v1::SCOPE_SCHOOL
                  ? EvaluateSchoolCheck(indicator, school)
                  : EvaluateCountyIndicator(indicator, county, nullptr);
          const Measurement* m = nullptr;
          for (const Measurement& x : r.measurements) {
            const bool same_measure = x.measure == row.measure ||
                                      (row.formula == v1::FORMULA_CLASS_SIZE &&
                                       x.measure == "max_class_size");
            if (same_measure &&
                (row.level == v1::LEVEL_ALL || x.level == row.level)) {
              m = &x;
            }
          }
          ASSERT_NE(m, nullptr);
          EXPECT_EQ(m->outcome, pass ? Outcome::kPass : Outcome::kFail)
              << "figure " << figure.get_str();
          ++checked;
        }
      }
    }
  }
  EXPECT_GE(checked, 50);
}

}  // namespace
}  // namespace junheng::checklist
