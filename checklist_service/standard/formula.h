// The registry of formulas: for each junheng.v1.Formula, where it is measured,
// which thresholds it takes and, for per-student ratios, what it divides.
// The loader validates standard files against it and the evaluator computes
// by it, so a formula a file names either exists here or the file is
// rejected at start-up.
#ifndef JUNHENG_CHECKLIST_SERVICE_STANDARD_FORMULA_H_
#define JUNHENG_CHECKLIST_SERVICE_STANDARD_FORMULA_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// The numerator of a per-student ratio: a teacher count reported per part,
// or a shared resource (apportioned to parts, see apportion.h).
enum class Quantity {
  kNone,
  kTeachersAboveDegree,
  kBackboneTeachers,
  kPeArtTeachers,
  kTeachers,
  kSeniorTitleTeachers,
  kTeachingArea,
  kSportsArea,
  kEquipmentValue,
  kMultimediaClassrooms,
  kComputers,
  kBooks,
};

// Where a quantity comes from and how a shortfall of it is expressed.
struct QuantityInfo {
  // The CSV column (without p_/j_ prefix), for "not reported" reasons.
  const char* column;
  const char* unit;     // "teachers", "m2", "yuan", …
  const char* unit_zh;  // "名教师", "平方米", "元", …
  // Whole things (people, rooms, books) are rounded up to whole units.
  bool whole;
};
QuantityInfo InfoOf(Quantity quantity);

// One thresholded quantity of a formula.
struct MeasureSpec {
  // Threshold.measure: "" for a formula's single value.
  const char* name;
  // Thresholds at LEVEL_PRIMARY and LEVEL_JUNIOR (true) or LEVEL_ALL.
  bool per_level;
  // The comparison must be AT_LEAST/GREATER_THAN (true) or AT_MOST/LESS_THAN.
  bool higher_is_better;
};

struct FormulaSpec {
  junheng::v1::Formula formula;
  junheng::v1::Scope scope;
  // Every threshold the formula needs; empty when it takes none.
  std::vector<MeasureSpec> measures;
  // FORMULA_JUDGEMENT and FORMULA_JUDGEMENT_SCORE: needs_judgement must be
  // set, the value comes from the inspector.
  bool judgement_only = false;
  // SCOPE_SCHOOL_LEVEL: value = quantity × per_students / students.
  Quantity quantity = Quantity::kNone;
  double per_students = 1;
};

// Whether a comparison is satisfied by larger values (AT_LEAST, GREATER_THAN).
bool HigherIsBetter(junheng::v1::Comparison comparison);

// The spec of `formula`, or nullptr for FORMULA_UNSPECIFIED and for numbers
// that name no formula.
const FormulaSpec* FindFormula(junheng::v1::Formula formula);

// The threshold of `indicator` for (level, measure), or nullptr.
const junheng::v1::Threshold* FindThreshold(
    const junheng::v1::Indicator& indicator, junheng::v1::Level level,
    absl::string_view measure);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_STANDARD_FORMULA_H_
