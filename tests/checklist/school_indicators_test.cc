// R1–R7 per school level at, just below and just above each threshold, the
// 6-of-7 / 85% rule, shortfalls, and not-reported inputs. Thresholds come
// from the real standards/moe-2017-quality.textproto; expectations are
// computed by hand from standard.md.
#include "checklist_service/evaluator/school_indicators.h"

#include <string>
#include <vector>

#include "checklist_service/evaluator/inclusion.h"
#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/evaluator/school_checks.h"
#include "gtest/gtest.h"
#include "tests/checklist/test_util.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using testing::PassingJunior;
using testing::PassingPrimary;
using testing::Standard;

const v1::IndicatorStandard& S2017() { return Standard("moe-2017-quality"); }

// Sets the numerator of R<n> for the school's only part.
void SetQuantity(SchoolStats& s, const std::string& code, v1::Level level,
                 double q) {
  LevelStats& part = level == v1::LEVEL_PRIMARY ? s.primary : s.junior;
  const auto n = static_cast<int64_t>(q);
  if (code == "R1") part.teachers_above_degree = n;
  if (code == "R2") part.backbone_teachers = n;
  if (code == "R3") part.pe_art_teachers = n;
  if (code == "R4") s.shared.teaching_area_m2 = q;
  if (code == "R5") s.shared.sports_area_m2 = q;
  if (code == "R6") s.shared.equipment_value_yuan = q;
  if (code == "R7") s.shared.multimedia_classrooms = n;
}

const IndicatorResult& Find(const SchoolLevelVerdict& v,
                            const std::string& code) {
  for (const IndicatorResult& r : v.indicators) {
    if (r.code == code) return r;
  }
  ADD_FAILURE() << "no " << code;
  return v.indicators.front();
}

struct RRow {
  const char* code;
  v1::Level level;
  double quantity;  // for 1000 students
  double value;
  Outcome outcome;
  double shortfall;  // 0 when passing
};

constexpr v1::Level P = v1::LEVEL_PRIMARY;
constexpr v1::Level J = v1::LEVEL_JUNIOR;
constexpr Outcome kPass = Outcome::kPass;
constexpr Outcome kFail = Outcome::kFail;

// Just below (one teacher, m², yuan or room short), at, just above.
const RRow kRRows[] = {
    {"R1", P, 41, 4.1, kFail, 1},
    {"R1", P, 42, 4.2, kPass, 0},
    {"R1", P, 43, 4.3, kPass, 0},
    {"R1", J, 52, 5.2, kFail, 1},
    {"R1", J, 53, 5.3, kPass, 0},
    {"R1", J, 54, 5.4, kPass, 0},
    {"R2", P, 9, 0.9, kFail, 1},
    {"R2", P, 10, 1.0, kPass, 0},
    {"R2", P, 11, 1.1, kPass, 0},
    {"R2", J, 9, 0.9, kFail, 1},
    {"R2", J, 10, 1.0, kPass, 0},
    {"R2", J, 11, 1.1, kPass, 0},
    {"R3", P, 8, 0.8, kFail, 1},
    {"R3", P, 9, 0.9, kPass, 0},
    {"R3", P, 10, 1.0, kPass, 0},
    {"R3", J, 8, 0.8, kFail, 1},
    {"R3", J, 9, 0.9, kPass, 0},
    {"R3", J, 10, 1.0, kPass, 0},
    {"R4", P, 4499, 4.499, kFail, 1},
    {"R4", P, 4500, 4.5, kPass, 0},
    {"R4", P, 4501, 4.501, kPass, 0},
    {"R4", J, 5799, 5.799, kFail, 1},
    {"R4", J, 5800, 5.8, kPass, 0},
    {"R4", J, 5801, 5.801, kPass, 0},
    {"R5", P, 7499, 7.499, kFail, 1},
    {"R5", P, 7500, 7.5, kPass, 0},
    {"R5", P, 7501, 7.501, kPass, 0},
    {"R5", J, 10199, 10.199, kFail, 1},
    {"R5", J, 10200, 10.2, kPass, 0},
    {"R5", J, 10201, 10.201, kPass, 0},
    {"R6", P, 1999999, 1999.999, kFail, 1},
    {"R6", P, 2000000, 2000, kPass, 0},
    {"R6", P, 2000001, 2000.001, kPass, 0},
    {"R6", J, 2499999, 2499.999, kFail, 1},
    {"R6", J, 2500000, 2500, kPass, 0},
    {"R6", J, 2500001, 2500.001, kPass, 0},
    {"R7", P, 22, 2.2, kFail, 1},
    {"R7", P, 23, 2.3, kPass, 0},
    {"R7", P, 24, 2.4, kPass, 0},
    {"R7", J, 23, 2.3, kFail, 1},
    {"R7", J, 24, 2.4, kPass, 0},
    {"R7", J, 25, 2.5, kPass, 0},
};

TEST(SchoolIndicators, EveryThresholdBelowAtAbove) {
  for (const RRow& row : kRRows) {
    SCOPED_TRACE(::testing::Message() << row.code << " level " << row.level
                                      << " quantity " << row.quantity);
    SchoolStats s = row.level == P ? PassingPrimary("1") : PassingJunior("1");
    SetQuantity(s, row.code, row.level, row.quantity);
    const SchoolLevelVerdict v = EvaluateSchoolLevel(S2017(), s, row.level);
    const Measurement& m = Find(v, row.code).measurements.front();
    ASSERT_TRUE(m.value.has_value());
    EXPECT_NEAR(*m.value, row.value, 1e-9);
    EXPECT_EQ(m.outcome, row.outcome);
    if (row.outcome == kFail) {
      ASSERT_TRUE(m.shortfall.has_value());
      EXPECT_DOUBLE_EQ(m.shortfall->amount, row.shortfall);
      EXPECT_FALSE(m.shortfall->reduce);
      // One miss above the 85% floor still passes the school: 6 of 7.
      EXPECT_EQ(v.outcome, kPass);
      EXPECT_EQ(v.missed, 1);
    } else {
      EXPECT_FALSE(m.shortfall.has_value());
      EXPECT_EQ(v.outcome, kPass);
      EXPECT_EQ(v.met, 7);
    }
  }
}

TEST(SchoolIndicators, ShortfallsAsQuantitiesToAdd) {
  // R1: 950 students, 38 teachers = 4.0; 4.2 needs 39.9 → 2 more teachers.
  SchoolStats s = PassingPrimary("1");
  s.primary.students = 950;
  s.primary.teachers_above_degree = 38;
  SchoolLevelVerdict v = EvaluateSchoolLevel(S2017(), s, P);
  const Measurement& r1 = Find(v, "R1").measurements.front();
  EXPECT_NEAR(*r1.value, 4.0, 1e-12);
  EXPECT_EQ(r1.shortfall->amount, 2);
  EXPECT_EQ(r1.shortfall->unit, "teachers");

  SchoolStats t = PassingPrimary("2");
  t.primary.students = 800;
  t.primary.teachers_above_degree = 40;
  t.primary.backbone_teachers = 10;
  t.primary.pe_art_teachers = 10;
  t.shared.sports_area_m2 = 5588;
  t.shared.equipment_value_yuan = 1504000;  // 1,600,000 needed
  const SchoolLevelVerdict w = EvaluateSchoolLevel(S2017(), t, P);
  const Measurement& r5 = Find(w, "R5").measurements.front();
  EXPECT_EQ(r5.shortfall->amount, 412);
  EXPECT_EQ(r5.shortfall->unit, "m2");
  const Measurement& r6 = Find(w, "R6").measurements.front();
  EXPECT_EQ(r6.shortfall->amount, 96000);
  EXPECT_EQ(r6.shortfall->unit, "yuan");
  // Two misses: R5 at 6.985 (93%) and R6 at 1880 (94%): fails 6 of 7.
  EXPECT_EQ(w.outcome, kFail);
  EXPECT_EQ(w.missed, 2);
  const std::vector<std::string> reasons = LevelReasons(w);
  ASSERT_FALSE(reasons.empty());
  EXPECT_NE(reasons.front().find("生均体育运动场馆面积"), std::string::npos);
  EXPECT_NE(reasons.front().find("需增加 412 平方米"), std::string::npos);
}

struct RuleRow {
  const char* name;
  double r1_teachers;  // R1 numerator, 1000 primary students
  double r4_area;      // R4 numerator
  bool r5_reported;
  Outcome outcome;
};

TEST(SchoolIndicators, SixOfSevenWithEightyFivePercentFloor) {
  // Floors: R1 0.85 × 4.2 = 3.57; R4 0.85 × 4.5 = 3.825.
  const RuleRow rows[] = {
      {"all met", 50, 6000, true, kPass},
      {"one miss above floor", 36, 6000, true, kPass},
      {"one miss at floor", 50, 3825, true, kPass},
      {"one miss just under floor", 50, 3824, true, kFail},
      {"one miss under floor", 35, 6000, true, kFail},
      {"two misses above floor", 40, 4000, true, kFail},
      {"one not reported", 50, 6000, false, Outcome::kNotReported},
      {"one miss, one not reported", 40, 6000, false, Outcome::kNotReported},
      {"under floor and not reported", 30, 6000, false, kFail},
  };
  for (const RuleRow& row : rows) {
    SCOPED_TRACE(row.name);
    SchoolStats s = PassingPrimary("1");
    s.primary.teachers_above_degree = static_cast<int64_t>(row.r1_teachers);
    s.shared.teaching_area_m2 = row.r4_area;
    if (!row.r5_reported) s.shared.sports_area_m2.reset();
    EXPECT_EQ(EvaluateSchoolLevel(S2017(), s, P).outcome, row.outcome);
  }
}

TEST(SchoolIndicators, NotReportedIsNeverZeroOrPass) {
  SchoolStats s = PassingPrimary("1");
  s.primary.backbone_teachers.reset();
  const SchoolLevelVerdict v = EvaluateSchoolLevel(S2017(), s, P);
  const IndicatorResult& r2 = Find(v, "R2");
  EXPECT_EQ(r2.outcome, Outcome::kNotReported);
  EXPECT_FALSE(r2.measurements.front().value.has_value());
  ASSERT_FALSE(Reasons(r2).empty());
  EXPECT_NE(Reasons(r2).front().find("p_backbone_teachers 未填报"),
            std::string::npos);
  EXPECT_EQ(v.outcome, Outcome::kNotReported);
  EXPECT_EQ(v.not_reported, 1);
}

TEST(SchoolIndicators, StudentsNotReportedMakesEveryValueNotReported) {
  SchoolStats s = PassingPrimary("1");
  s.primary.students.reset();
  const SchoolLevelVerdict v = EvaluateSchoolLevel(S2017(), s, P);
  EXPECT_EQ(v.not_reported, 7);
  EXPECT_EQ(v.outcome, Outcome::kNotReported);
}

TEST(SchoolIndicators, NineYearSchoolSplitsSharedResources) {
  // 400 primary, 600 junior: weights 400 and 660, total 1060.
  SchoolStats s = PassingPrimary("9");
  s.type = SchoolType::kNineYear;
  s.junior = PassingJunior("9").junior;
  s.primary.students = 400;
  s.junior.students = 600;
  s.shared.teaching_area_m2 = 5300;  // 2000 m² primary, 3300 m² junior
  const SchoolLevelVerdict p = EvaluateSchoolLevel(S2017(), s, P);
  const SchoolLevelVerdict j = EvaluateSchoolLevel(S2017(), s, J);
  EXPECT_NEAR(*Find(p, "R4").measurements.front().value, 5.0, 1e-12);
  EXPECT_NEAR(*Find(j, "R4").measurements.front().value, 5.5, 1e-12);
  EXPECT_EQ(Find(p, "R4").outcome, kPass);  // ≥ 4.5
  EXPECT_EQ(Find(j, "R4").outcome, kFail);  // < 5.8
  // 5.8 × 600 = 3480 m² needed for the junior part: 180 short.
  EXPECT_EQ(Find(j, "R4").measurements.front().shortfall->amount, 180);
}

TEST(SchoolIndicators, Standard2012HasNoPerSchoolThresholds) {
  SchoolStats s = PassingPrimary("1");
  const SchoolLevelVerdict v =
      EvaluateSchoolLevel(Standard("moe-2012-basic"), s, P);
  EXPECT_EQ(v.outcome, Outcome::kNotApplicable);
  ASSERT_EQ(v.indicators.size(), 8u);
  for (const IndicatorResult& r : v.indicators) {
    EXPECT_EQ(r.outcome, Outcome::kNotApplicable) << r.code;
    EXPECT_TRUE(r.measurements.front().value.has_value()) << r.code;
  }
  // B5 books per student: 30000 / 1000.
  EXPECT_DOUBLE_EQ(*Find(v, "B5").measurements.front().value, 30.0);
}

TEST(Inclusion, SpecialSchoolsAndSmallTeachingPointsAreLeftOut) {
  const v1::Parameters& params = S2017().parameters();
  SchoolStats special = PassingPrimary("1");
  special.type = SchoolType::kSpecial;
  EXPECT_EQ(DecideInclusion(special, params).inclusion, Inclusion::kExcluded);

  SchoolStats point = PassingPrimary("2");
  point.type = SchoolType::kTeachingPoint;
  point.primary.students = 49;
  EXPECT_EQ(DecideInclusion(point, params).inclusion, Inclusion::kExcluded);
  point.primary.students = 50;
  EXPECT_EQ(DecideInclusion(point, params).inclusion, Inclusion::kCounted);
  point.primary.students = 51;
  EXPECT_EQ(DecideInclusion(point, params).inclusion, Inclusion::kCounted);
  point.primary.students.reset();
  EXPECT_EQ(DecideInclusion(point, params).inclusion, Inclusion::kUnknown);

  EXPECT_EQ(DecideInclusion(PassingJunior("3"), params).inclusion,
            Inclusion::kCounted);
}

// Every form of a blank input's sentence, word for word: notes are kept as
// their parts and rendered by Reasons() only when read, to the text they
// used to be built as.
TEST(SchoolIndicators, BlankInputSentences) {
  const auto first = [](const IndicatorResult& r) {
    const std::vector<std::string> reasons = Reasons(r);
    return reasons.empty() ? std::string("(none)") : reasons.front();
  };
  {
    SchoolStats s = PassingPrimary("1");
    s.primary.backbone_teachers.reset();
    s.shared.teaching_area_m2.reset();
    const SchoolLevelVerdict v = EvaluateSchoolLevel(S2017(), s, P);
    EXPECT_EQ(first(Find(v, "R2")),
              Label(Find(v, "R2")) + "：p_backbone_teachers 未填报");
    EXPECT_EQ(first(Find(v, "R4")),
              Label(Find(v, "R4")) +
                  "：teaching_area_m2 与 p_teaching_area_m2 均未填报");
  }
  {
    SchoolStats s = PassingPrimary("1");
    s.primary.students.reset();
    const SchoolLevelVerdict v = EvaluateSchoolLevel(S2017(), s, P);
    EXPECT_EQ(first(Find(v, "R1")),
              Label(Find(v, "R1")) + "：p_students 未填报，无法计算");
  }
  {
    SchoolStats s = PassingPrimary("1");
    s.type = SchoolType::kNineYear;
    s.junior = PassingJunior("x").junior;
    s.junior.students.reset();
    const SchoolLevelVerdict nine = EvaluateSchoolLevel(S2017(), s, P);
    EXPECT_EQ(first(Find(nine, "R4")),
              Label(Find(nine, "R4")) +
                  "：无法分摊全校共用资源 teaching_area_m2：各学段在校生数"
                  "（p_students, j_students）未填齐");
    s.type = SchoolType::kTwelveYear;
    s.senior_students = 100;
    const SchoolLevelVerdict twelve = EvaluateSchoolLevel(S2017(), s, P);
    EXPECT_EQ(first(Find(twelve, "R4")),
              Label(Find(twelve, "R4")) +
                  "：无法分摊全校共用资源 teaching_area_m2：各学段在校生数"
                  "（p_students, j_students, h_students）未填齐");
  }
  {
    SchoolStats s = PassingPrimary("1");
    s.music_rooms.reset();
    s.has_charter = false;
    s.primary.certified_teachers.reset();
    const IndicatorResult g3 =
        EvaluateSchoolCheck(testing::IndicatorOf("moe-2017-quality", "G3"), s);
    EXPECT_EQ(first(g3), Label(g3) + "：music_rooms 未填报");
    const IndicatorResult q3 =
        EvaluateSchoolCheck(testing::IndicatorOf("moe-2017-quality", "Q3"), s);
    EXPECT_EQ(first(q3), Label(q3) + "：学校没有经核准的章程");
    const IndicatorResult g12 =
        EvaluateSchoolCheck(testing::IndicatorOf("moe-2017-quality", "G12"), s);
    EXPECT_EQ(first(g12), Label(g12) + "：p_certified_teachers 未填报");
  }
}

}  // namespace
}  // namespace junheng::checklist
