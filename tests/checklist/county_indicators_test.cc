// The government-guarantee, quality and recognition indicators (county-wide
// and per school), judgements and vetoes, each at, just below and just above
// its threshold from the real 2017 and 2012 files.
#include "checklist_service/evaluator/county_indicators.h"

#include <functional>
#include <string>

#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/evaluator/school_checks.h"
#include "gtest/gtest.h"
#include "tests/checklist/test_util.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using testing::IndicatorOf;
using testing::PassingCounty;
using testing::PassingJunior;
using testing::PassingPrimary;

constexpr Outcome kPass = Outcome::kPass;
constexpr Outcome kFail = Outcome::kFail;
constexpr Outcome kNotReported = Outcome::kNotReported;

const Measurement& MeasurementOf(const IndicatorResult& r,
                                 const std::string& measure, v1::Level level) {
  for (const Measurement& m : r.measurements) {
    if (m.measure == measure && m.level == level) return m;
  }
  ADD_FAILURE() << r.code << " has no measurement " << measure;
  return r.measurements.front();
}

Judgement Passed(const std::string& code) {
  Judgement j;
  j.code = code;
  j.passed = true;
  return j;
}

struct CountyRow {
  const char* code;
  std::function<void(CountyStats&)> set;
  const char* measure;
  v1::Level level;
  Outcome outcome;
  double shortfall;
};

constexpr v1::Level kAll = v1::LEVEL_ALL;

TEST(CountyIndicators, EveryThresholdBelowAtAbove) {
  const CountyRow rows[] = {
      {"G7", [](CountyStats& c) { c.special_ed_funds_per_student_yuan = 5999; },
       "", kAll, kFail, 1},
      {"G7", [](CountyStats& c) { c.special_ed_funds_per_student_yuan = 6000; },
       "", kAll, kPass, 0},
      {"G7", [](CountyStats& c) { c.special_ed_funds_per_student_yuan = 6001; },
       "", kAll, kPass, 0},
      // G8: teachers' pay against civil servants' 100,000 yuan.
      {"G8",
       [](CountyStats& c) {
         c.civil_servant_avg_salary_yuan = 100000;
         c.teacher_avg_salary_yuan = 99999;
       },
       "", kAll, kFail, 1},
      {"G8",
       [](CountyStats& c) {
         c.civil_servant_avg_salary_yuan = 100000;
         c.teacher_avg_salary_yuan = 100000;
       },
       "", kAll, kPass, 0},
      {"G8",
       [](CountyStats& c) {
         c.civil_servant_avg_salary_yuan = 100000;
         c.teacher_avg_salary_yuan = 100001;
       },
       "", kAll, kPass, 0},
      {"G9", [](CountyStats& c) { c.training_360h_completion_rate = 0.99; }, "",
       kAll, kFail, 1},
      {"G9", [](CountyStats& c) { c.training_360h_completion_rate = 1.0; }, "",
       kAll, kPass, 0},
      // G11: 1000 eligible; 10% = 100 teachers.
      {"G11",
       [](CountyStats& c) {
         c.rotation_eligible_teachers = 1000;
         c.rotated_teachers = 99;
       },
       "rotation_rate", kAll, kFail, 1},
      {"G11",
       [](CountyStats& c) {
         c.rotation_eligible_teachers = 1000;
         c.rotated_teachers = 100;
         c.rotated_backbone_teachers = 20;
       },
       "rotation_rate", kAll, kPass, 0},
      {"G11",
       [](CountyStats& c) {
         c.rotation_eligible_teachers = 1000;
         c.rotated_teachers = 101;
       },
       "rotation_rate", kAll, kPass, 0},
      // Backbone teachers: 20% of 100 rotated = 20.
      {"G11",
       [](CountyStats& c) {
         c.rotated_teachers = 100;
         c.rotated_backbone_teachers = 19;
       },
       "backbone_share", kAll, kFail, 1},
      {"G11",
       [](CountyStats& c) {
         c.rotated_teachers = 100;
         c.rotated_backbone_teachers = 20;
       },
       "backbone_share", kAll, kPass, 0},
      {"G11",
       [](CountyStats& c) {
         c.rotated_teachers = 100;
         c.rotated_backbone_teachers = 21;
       },
       "backbone_share", kAll, kPass, 0},
      {"G13", [](CountyStats& c) { c.nearby_enrollment_rate_primary = 0.99; },
       "", v1::LEVEL_PRIMARY, kFail, 1},
      {"G13", [](CountyStats& c) { c.nearby_enrollment_rate_primary = 1.0; },
       "", v1::LEVEL_PRIMARY, kPass, 0},
      {"G13", [](CountyStats& c) { c.nearby_enrollment_rate_junior = 0.94; },
       "", v1::LEVEL_JUNIOR, kFail, 1},
      {"G13", [](CountyStats& c) { c.nearby_enrollment_rate_junior = 0.95; },
       "", v1::LEVEL_JUNIOR, kPass, 0},
      {"G13", [](CountyStats& c) { c.nearby_enrollment_rate_junior = 0.96; },
       "", v1::LEVEL_JUNIOR, kPass, 0},
      {"G14", [](CountyStats& c) { c.quality_high_school_quota_ratio = 0.49; },
       "", kAll, kFail, 1},
      {"G14", [](CountyStats& c) { c.quality_high_school_quota_ratio = 0.50; },
       "", kAll, kPass, 0},
      {"G14", [](CountyStats& c) { c.quality_high_school_quota_ratio = 0.51; },
       "", kAll, kPass, 0},
      {"G15", [](CountyStats& c) { c.migrant_children_public_ratio = 0.84; },
       "", kAll, kFail, 1},
      {"G15", [](CountyStats& c) { c.migrant_children_public_ratio = 0.85; },
       "", kAll, kPass, 0},
      {"G15", [](CountyStats& c) { c.migrant_children_public_ratio = 0.86; },
       "", kAll, kPass, 0},
      {"Q1", [](CountyStats& c) { c.junior_consolidation_rate = 0.94; }, "",
       kAll, kFail, 1},
      {"Q1", [](CountyStats& c) { c.junior_consolidation_rate = 0.95; }, "",
       kAll, kPass, 0},
      {"Q1", [](CountyStats& c) { c.junior_consolidation_rate = 0.96; }, "",
       kAll, kPass, 0},
      {"Q2", [](CountyStats& c) { c.disabled_enrollment_rate = 0.94; }, "",
       kAll, kFail, 1},
      {"Q2", [](CountyStats& c) { c.disabled_enrollment_rate = 0.95; }, "",
       kAll, kPass, 0},
      {"Q2", [](CountyStats& c) { c.disabled_enrollment_rate = 0.96; }, "",
       kAll, kPass, 0},
      {"Q9", [](CountyStats& c) { c.monitoring_min_level = 2; }, "min_level",
       kAll, kFail, 1},
      {"Q9", [](CountyStats& c) { c.monitoring_min_level = 3; }, "min_level",
       kAll, kPass, 0},
      {"Q9", [](CountyStats& c) { c.monitoring_min_level = 4; }, "min_level",
       kAll, kPass, 0},
      // Strictly below 0.15: 0.15 itself fails.
      {"Q9", [](CountyStats& c) { c.monitoring_interschool_difference = 0.14; },
       "interschool_difference", kAll, kPass, 0},
      {"Q9", [](CountyStats& c) { c.monitoring_interschool_difference = 0.15; },
       "interschool_difference", kAll, kFail, 0},
      {"Q9", [](CountyStats& c) { c.monitoring_interschool_difference = 0.16; },
       "interschool_difference", kAll, kFail, 0.01},
      {"S1", [](CountyStats& c) { c.satisfaction_rate = 0.84; }, "", kAll,
       kFail, 1},
      {"S1", [](CountyStats& c) { c.satisfaction_rate = 0.85; }, "", kAll,
       kPass, 0},
      {"S1", [](CountyStats& c) { c.satisfaction_rate = 0.86; }, "", kAll,
       kPass, 0},
  };
  for (const CountyRow& row : rows) {
    CountyStats county = PassingCounty();
    row.set(county);
    const v1::Indicator& indicator = IndicatorOf("moe-2017-quality", row.code);
    const Judgement judgement = Passed(row.code);
    const IndicatorResult r =
        EvaluateCountyIndicator(indicator, county, &judgement);
    const Measurement& m = MeasurementOf(r, row.measure, row.level);
    SCOPED_TRACE(::testing::Message() << row.code << " " << row.measure
                                      << " value " << m.value.value_or(-1));
    EXPECT_EQ(m.outcome, row.outcome);
    EXPECT_EQ(r.outcome, row.outcome);
    if (row.outcome == kFail) {
      ASSERT_TRUE(m.shortfall.has_value());
      EXPECT_NEAR(m.shortfall->amount, row.shortfall, 1e-9);
      EXPECT_FALSE(Reasons(r).empty());
    }
  }
}

TEST(CountyIndicators, ShortfallUnits) {
  CountyStats c = PassingCounty();
  c.civil_servant_avg_salary_yuan = 100000;
  c.teacher_avg_salary_yuan = 97500;
  const Judgement j = Passed("G8");
  IndicatorResult g8 =
      EvaluateCountyIndicator(IndicatorOf("moe-2017-quality", "G8"), c, &j);
  EXPECT_EQ(g8.measurements[0].shortfall->unit, "yuan_per_teacher");
  EXPECT_EQ(g8.measurements[0].shortfall->amount, 2500);

  c.satisfaction_rate = 0.8;
  IndicatorResult s1 = EvaluateCountyIndicator(
      IndicatorOf("moe-2017-quality", "S1"), c, nullptr);
  EXPECT_EQ(s1.measurements[0].shortfall->unit, "percentage_points");
  EXPECT_NEAR(s1.measurements[0].shortfall->amount, 5, 1e-9);
}

TEST(CountyIndicators, BlankInputIsNotReported) {
  CountyStats c = PassingCounty();
  c.special_ed_funds_per_student_yuan.reset();
  IndicatorResult r = EvaluateCountyIndicator(
      IndicatorOf("moe-2017-quality", "G7"), c, nullptr);
  EXPECT_EQ(r.outcome, kNotReported);
  ASSERT_FALSE(Reasons(r).empty());
  EXPECT_NE(Reasons(r)[0].find("special_ed_funds_per_student_yuan 未填报"),
            std::string::npos);

  // No eligible teachers: the rate cannot be computed, which is no pass.
  c = PassingCounty();
  c.rotation_eligible_teachers = 0;
  r = EvaluateCountyIndicator(IndicatorOf("moe-2017-quality", "G11"), c,
                              nullptr);
  EXPECT_EQ(r.outcome, kNotReported);
}

TEST(CountyIndicators, FlagG6) {
  const v1::Indicator& g6 = IndicatorOf("moe-2017-quality", "G6");
  CountyStats c = PassingCounty();
  EXPECT_EQ(EvaluateCountyIndicator(g6, c, nullptr).outcome, kPass);
  c.small_schools_funded_as_100 = false;
  EXPECT_EQ(EvaluateCountyIndicator(g6, c, nullptr).outcome, kFail);
  c.small_schools_funded_as_100.reset();
  EXPECT_EQ(EvaluateCountyIndicator(g6, c, nullptr).outcome, kNotReported);
}

TEST(Judgements, PureJudgementIndicator) {
  const v1::Indicator& g1 = IndicatorOf("moe-2017-quality", "G1");
  const CountyStats c = PassingCounty();
  EXPECT_EQ(EvaluateCountyIndicator(g1, c, nullptr).outcome, kNotReported);
  Judgement j = Passed("G1");
  EXPECT_EQ(EvaluateCountyIndicator(g1, c, &j).outcome, kPass);
  j.passed = false;
  j.comment = "布局规划未经批准";
  IndicatorResult r = EvaluateCountyIndicator(g1, c, &j);
  EXPECT_EQ(r.outcome, kFail);
  EXPECT_EQ(r.judgement, kFail);
  EXPECT_NE(Reasons(r).back().find("布局规划未经批准"), std::string::npos);
  j.passed.reset();
  EXPECT_EQ(EvaluateCountyIndicator(g1, c, &j).outcome, kNotReported);
}

TEST(Judgements, FigureAndJudgementBothNeeded) {
  // G14: 60% of places allocated, but the tilt to rural schools is judged
  // insufficient.
  const v1::Indicator& g14 = IndicatorOf("moe-2017-quality", "G14");
  const CountyStats c = PassingCounty();
  Judgement j = Passed("G14");
  EXPECT_EQ(EvaluateCountyIndicator(g14, c, &j).outcome, kPass);
  EXPECT_EQ(EvaluateCountyIndicator(g14, c, nullptr).outcome, kNotReported);
  j.passed = false;
  EXPECT_EQ(EvaluateCountyIndicator(g14, c, &j).outcome, kFail);
}

TEST(Judgements, ScoredGovernmentEffort2012) {
  const v1::Indicator& e2 = IndicatorOf("moe-2012-basic", "E2");
  const CountyStats c = PassingCounty();
  Judgement j;
  j.code = "E2";
  for (auto [score, outcome] : {std::pair{84.9, kFail}, std::pair{85.0, kPass},
                                std::pair{85.1, kPass}}) {
    j.score = score;
    EXPECT_EQ(EvaluateCountyIndicator(e2, c, &j).outcome, outcome) << score;
  }
  j.score.reset();
  EXPECT_EQ(EvaluateCountyIndicator(e2, c, &j).outcome, kNotReported);
  EXPECT_EQ(EvaluateCountyIndicator(e2, c, nullptr).outcome, kNotReported);
}

TEST(Vetoes, ClearOnlyWhenJudgedClear) {
  v1::VetoItem veto;
  veto.set_code("V6");
  veto.set_name_zh("有弄虚作假行为");
  EXPECT_EQ(EvaluateVeto(veto, nullptr).outcome, kNotReported);
  Judgement j = Passed("V6");
  EXPECT_EQ(EvaluateVeto(veto, &j).outcome, kPass);
  j.passed = false;
  EXPECT_EQ(EvaluateVeto(veto, &j).outcome, kFail);
}

struct SchoolRow {
  const char* name;
  const char* code;
  std::function<void(SchoolStats&)> set;
  const char* measure;
  v1::Level level;
  Outcome outcome;
  double shortfall;
};

TEST(SchoolChecks, EveryThresholdBelowAtAbove) {
  const v1::Level P = v1::LEVEL_PRIMARY;
  const SchoolRow rows[] = {
      // G3: 24 classes need 2 rooms of each kind; 25 need 3.
      {"1 music room for 24 classes", "G3",
       [](SchoolStats& s) { s.music_rooms = 1; }, "music_rooms", kAll, kFail,
       1},
      {"2 music rooms for 24 classes", "G3",
       [](SchoolStats& s) { s.music_rooms = 2; }, "music_rooms", kAll, kPass,
       0},
      {"2 art rooms for 25 classes", "G3",
       [](SchoolStats& s) { s.primary.classes = 25; }, "art_rooms", kAll, kFail,
       1},
      {"3 art rooms for 24 classes", "G3",
       [](SchoolStats& s) { s.art_rooms = 3; }, "art_rooms", kAll, kPass, 0},
      {"a school of 5 classes still needs a room", "G3",
       [](SchoolStats& s) {
         s.primary.classes = 5;
         s.art_rooms = 0;
       },
       "art_rooms", kAll, kFail, 1},
      {"music room 95 m²", "G3",
       [](SchoolStats& s) { s.music_room_min_area_m2 = 95; },
       "music_room_area_m2", kAll, kFail, 1},
      {"music room 96 m²", "G3",
       [](SchoolStats& s) { s.music_room_min_area_m2 = 96; },
       "music_room_area_m2", kAll, kPass, 0},
      {"music room 97 m²", "G3",
       [](SchoolStats& s) { s.music_room_min_area_m2 = 97; },
       "music_room_area_m2", kAll, kPass, 0},
      {"art room 89 m²", "G3",
       [](SchoolStats& s) { s.art_room_min_area_m2 = 89; }, "art_room_area_m2",
       kAll, kFail, 1},
      {"art room 90 m²", "G3",
       [](SchoolStats& s) { s.art_room_min_area_m2 = 90; }, "art_room_area_m2",
       kAll, kPass, 0},
      {"art room 91 m²", "G3",
       [](SchoolStats& s) { s.art_room_min_area_m2 = 91; }, "art_room_area_m2",
       kAll, kPass, 0},
      {"primary school of 2001", "G4",
       [](SchoolStats& s) { s.primary.students = 2001; }, "single_level_school",
       kAll, kFail, 1},
      {"primary school of 2000", "G4",
       [](SchoolStats& s) { s.primary.students = 2000; }, "single_level_school",
       kAll, kPass, 0},
      {"primary school of 1999", "G4",
       [](SchoolStats& s) { s.primary.students = 1999; }, "single_level_school",
       kAll, kPass, 0},
      {"nine-year school of 2501", "G4",
       [](SchoolStats& s) {
         s.type = SchoolType::kNineYear;
         s.primary.students = 1501;
         s.junior.students = 1000;
       },
       "through_school", kAll, kFail, 1},
      {"nine-year school of 2500", "G4",
       [](SchoolStats& s) {
         s.type = SchoolType::kNineYear;
         s.primary.students = 1500;
         s.junior.students = 1000;
       },
       "through_school", kAll, kPass, 0},
      {"primary class of 46", "G5",
       [](SchoolStats& s) { s.primary.max_class_size = 46; }, "max_class_size",
       P, kFail, 1},
      {"primary class of 45", "G5",
       [](SchoolStats& s) { s.primary.max_class_size = 45; }, "max_class_size",
       P, kPass, 0},
      {"primary class of 44", "G5",
       [](SchoolStats& s) { s.primary.max_class_size = 44; }, "max_class_size",
       P, kPass, 0},
      {"59 of 60 certified", "G12",
       [](SchoolStats& s) { s.primary.certified_teachers = 59; }, "", kAll,
       kFail, 1},
      {"60 of 60 certified", "G12",
       [](SchoolStats& s) { s.primary.certified_teachers = 60; }, "", kAll,
       kPass, 0},
      {"no charter", "Q3", [](SchoolStats& s) { s.has_charter = false; },
       "has_charter", kAll, kFail, 0},
      {"charter", "Q3", [](SchoolStats& s) { s.has_charter = true; },
       "has_charter", kAll, kPass, 0},
      // Q4: 5% of 1,000,000 = 50,000 yuan.
      {"training 49,999", "Q4",
       [](SchoolStats& s) { s.training_funds_yuan = 49999; }, "", kAll, kFail,
       1},
      {"training 50,000", "Q4",
       [](SchoolStats& s) { s.training_funds_yuan = 50000; }, "", kAll, kPass,
       0},
      {"training 50,001", "Q4",
       [](SchoolStats& s) { s.training_funds_yuan = 50001; }, "", kAll, kPass,
       0},
  };
  for (const SchoolRow& row : rows) {
    SCOPED_TRACE(row.name);
    SchoolStats s = PassingPrimary("1");
    row.set(s);
    if (s.type == SchoolType::kNineYear) {
      const int64_t students = *s.junior.students;
      s.junior = PassingJunior("1").junior;
      s.junior.students = students;
    }
    const IndicatorResult r =
        EvaluateSchoolCheck(IndicatorOf("moe-2017-quality", row.code), s);
    const Measurement& m = MeasurementOf(r, row.measure, row.level);
    EXPECT_EQ(m.outcome, row.outcome);
    EXPECT_EQ(r.outcome, row.outcome);
    if (row.outcome == kFail) {
      EXPECT_FALSE(Reasons(r).empty());
      if (row.shortfall > 0) {
        ASSERT_TRUE(m.shortfall.has_value());
        EXPECT_DOUBLE_EQ(m.shortfall->amount, row.shortfall);
      }
    }
  }
}

TEST(SchoolChecks, JuniorClassSize) {
  const v1::Indicator& g5 = IndicatorOf("moe-2017-quality", "G5");
  for (auto [size, outcome] :
       {std::pair{49, kPass}, std::pair{50, kPass}, std::pair{51, kFail}}) {
    SchoolStats s = PassingJunior("1");
    s.junior.max_class_size = size;
    EXPECT_EQ(EvaluateSchoolCheck(g5, s).outcome, outcome) << size;
  }
}

TEST(SchoolChecks, BlankInputsAreNotReported) {
  SchoolStats s = PassingPrimary("1");
  s.primary.classes.reset();
  EXPECT_EQ(
      EvaluateSchoolCheck(IndicatorOf("moe-2017-quality", "G3"), s).outcome,
      kNotReported);
  s = PassingPrimary("1");
  s.has_charter.reset();
  EXPECT_EQ(
      EvaluateSchoolCheck(IndicatorOf("moe-2017-quality", "Q3"), s).outcome,
      kNotReported);
  s = PassingPrimary("1");
  s.training_funds_yuan.reset();
  EXPECT_EQ(
      EvaluateSchoolCheck(IndicatorOf("moe-2017-quality", "Q4"), s).outcome,
      kNotReported);
}

}  // namespace
}  // namespace junheng::checklist
