#include "checklist_service/standard/formula.h"

namespace junheng::checklist {
namespace {

using junheng::v1::Formula;
namespace v1 = junheng::v1;

constexpr bool kHigher = true;
constexpr bool kLower = false;
constexpr bool kPerLevel = true;
constexpr bool kAll = false;

FormulaSpec Ratio(Formula formula, Quantity quantity, double per_students) {
  FormulaSpec spec{formula, v1::SCOPE_SCHOOL_LEVEL, {{"", kPerLevel, kHigher}}};
  spec.quantity = quantity;
  spec.per_students = per_students;
  return spec;
}

FormulaSpec Single(Formula formula, v1::Scope scope, bool per_level,
                   bool higher_is_better) {
  return FormulaSpec{formula, scope, {{"", per_level, higher_is_better}}};
}

std::vector<FormulaSpec> MakeTable() {
  std::vector<FormulaSpec> table = {
      Ratio(v1::FORMULA_TEACHERS_ABOVE_DEGREE_PER_100_STUDENTS,
            Quantity::kTeachersAboveDegree, 100),
      Ratio(v1::FORMULA_BACKBONE_TEACHERS_PER_100_STUDENTS,
            Quantity::kBackboneTeachers, 100),
      Ratio(v1::FORMULA_PE_ART_TEACHERS_PER_100_STUDENTS,
            Quantity::kPeArtTeachers, 100),
      Ratio(v1::FORMULA_TEACHING_AREA_PER_STUDENT, Quantity::kTeachingArea, 1),
      Ratio(v1::FORMULA_SPORTS_AREA_PER_STUDENT, Quantity::kSportsArea, 1),
      Ratio(v1::FORMULA_EQUIPMENT_VALUE_PER_STUDENT, Quantity::kEquipmentValue,
            1),
      Ratio(v1::FORMULA_MULTIMEDIA_CLASSROOMS_PER_100_STUDENTS,
            Quantity::kMultimediaClassrooms, 100),
      Ratio(v1::FORMULA_COMPUTERS_PER_100_STUDENTS, Quantity::kComputers, 100),
      Ratio(v1::FORMULA_BOOKS_PER_STUDENT, Quantity::kBooks, 1),
      Ratio(v1::FORMULA_TEACHERS_PER_100_STUDENTS, Quantity::kTeachers, 100),
      Ratio(v1::FORMULA_SENIOR_TITLE_TEACHERS_PER_100_STUDENTS,
            Quantity::kSeniorTitleTeachers, 100),

      {v1::FORMULA_MUSIC_ART_ROOMS,
       v1::SCOPE_SCHOOL,
       {{"classes_per_room", kAll, kLower},
        {"music_room_area_m2", kAll, kHigher},
        {"art_room_area_m2", kAll, kHigher}}},
      {v1::FORMULA_SCHOOL_SIZE,
       v1::SCOPE_SCHOOL,
       {{"single_level_school", kAll, kLower},
        {"through_school", kAll, kLower}}},
      Single(v1::FORMULA_CLASS_SIZE, v1::SCOPE_SCHOOL, kPerLevel, kLower),
      Single(v1::FORMULA_CERTIFIED_TEACHER_SHARE, v1::SCOPE_SCHOOL, kAll,
             kHigher),
      {v1::FORMULA_SCHOOL_CHARTER, v1::SCOPE_SCHOOL, {}},
      Single(v1::FORMULA_TRAINING_FUNDS_SHARE, v1::SCOPE_SCHOOL, kAll, kHigher),

      {v1::FORMULA_SMALL_SCHOOLS_FUNDED_AS_100, v1::SCOPE_COUNTY, {}},
      Single(v1::FORMULA_SPECIAL_ED_FUNDS_PER_STUDENT, v1::SCOPE_COUNTY, kAll,
             kHigher),
      Single(v1::FORMULA_TEACHER_SALARY_RATIO, v1::SCOPE_COUNTY, kAll, kHigher),
      Single(v1::FORMULA_TRAINING_360H_COMPLETION, v1::SCOPE_COUNTY, kAll,
             kHigher),
      {v1::FORMULA_TEACHER_ROTATION,
       v1::SCOPE_COUNTY,
       {{"rotation_rate", kAll, kHigher}, {"backbone_share", kAll, kHigher}}},
      Single(v1::FORMULA_NEARBY_ENROLLMENT, v1::SCOPE_COUNTY, kPerLevel,
             kHigher),
      Single(v1::FORMULA_QUALITY_HIGH_SCHOOL_QUOTA, v1::SCOPE_COUNTY, kAll,
             kHigher),
      Single(v1::FORMULA_MIGRANT_CHILDREN_PUBLIC, v1::SCOPE_COUNTY, kAll,
             kHigher),
      Single(v1::FORMULA_JUNIOR_CONSOLIDATION, v1::SCOPE_COUNTY, kAll, kHigher),
      Single(v1::FORMULA_DISABLED_ENROLLMENT, v1::SCOPE_COUNTY, kAll, kHigher),
      {v1::FORMULA_QUALITY_MONITORING,
       v1::SCOPE_COUNTY,
       {{"min_level", kAll, kHigher},
        {"interschool_difference", kAll, kLower}}},
      Single(v1::FORMULA_SATISFACTION, v1::SCOPE_COUNTY, kAll, kHigher),
  };
  FormulaSpec judgement{v1::FORMULA_JUDGEMENT, v1::SCOPE_COUNTY, {}};
  judgement.judgement_only = true;
  table.push_back(judgement);
  FormulaSpec score =
      Single(v1::FORMULA_JUDGEMENT_SCORE, v1::SCOPE_COUNTY, kAll, kHigher);
  score.judgement_only = true;
  table.push_back(score);
  return table;
}

}  // namespace

QuantityInfo InfoOf(Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
      return {"teachers_above_degree", "teachers", "名教师", true};
    case Quantity::kBackboneTeachers:
      return {"backbone_teachers", "teachers", "名教师", true};
    case Quantity::kPeArtTeachers:
      return {"pe_art_teachers", "teachers", "名教师", true};
    case Quantity::kTeachers:
      return {"teachers", "teachers", "名教师", true};
    case Quantity::kSeniorTitleTeachers:
      return {"senior_title_teachers", "teachers", "名教师", true};
    case Quantity::kTeachingArea:
      return {"teaching_area_m2", "m2", "平方米", true};
    case Quantity::kSportsArea:
      return {"sports_area_m2", "m2", "平方米", true};
    case Quantity::kEquipmentValue:
      return {"equipment_value_yuan", "yuan", "元", true};
    case Quantity::kMultimediaClassrooms:
      return {"multimedia_classrooms", "classrooms", "间", true};
    case Quantity::kComputers:
      return {"computers", "computers", "台", true};
    case Quantity::kBooks:
      return {"books", "books", "册", true};
    case Quantity::kNone:
      break;
  }
  return {"", "", "", false};
}

bool HigherIsBetter(v1::Comparison comparison) {
  return comparison == v1::COMPARISON_AT_LEAST ||
         comparison == v1::COMPARISON_GREATER_THAN;
}

const FormulaSpec* FindFormula(Formula formula) {
  static const std::vector<FormulaSpec>* const kTable =
      new std::vector<FormulaSpec>(MakeTable());
  for (const FormulaSpec& spec : *kTable) {
    if (spec.formula == formula) return &spec;
  }
  return nullptr;
}

const v1::Threshold* FindThreshold(const v1::Indicator& indicator,
                                   v1::Level level, absl::string_view measure) {
  for (const v1::Threshold& threshold : indicator.thresholds()) {
    if (threshold.level() == level && threshold.measure() == measure) {
      return &threshold;
    }
  }
  return nullptr;
}

}  // namespace junheng::checklist
