// The school-level indicators (2017 R1–R7, 2012 B1–B8) of one part of one
// school, and the per-school rule: a part passes when it meets at least
// `school_rule.min_met` of the rule's indicators and every one it misses
// reaches `school_rule.floor_fraction` of its threshold (6 of 7, 85%).
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_INDICATORS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_INDICATORS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "checklist_service/evaluator/apportion.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "checklist_service/standard/formula.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Evaluates the `level` part of `school`.
//
// Promises: one IndicatorResult per SCOPE_SCHOOL_LEVEL indicator of
// `standard`, in its order, each with one Measurement: value (per student or
// per 100 students, unrounded), threshold, outcome and, when it fails, the
// shortfall as a quantity to add, rounded up to whole teachers, rooms, m²,
// yuan. A blank input makes the value "not reported", never 0. The part's
// outcome is the school rule's (kNotApplicable without a rule): kFail when
// more are missed than the rule allows or one is under its floor, otherwise
// kNotReported when any is not reported, otherwise kPass.
//
// Preconditions: CheckEvaluable(standard) is OK; `level` is one of
// PartsOf(school.type); the part's students are not 0 (a part without
// students has no per-student values; the caller leaves it out).
SchoolLevelVerdict EvaluateSchoolLevel(
    const junheng::v1::IndicatorStandard& standard, const SchoolStats& school,
    junheng::v1::Level level);

// What EvaluateSchoolLevel looks up in the standard for every school part
// (formulas, thresholds, the rule), looked up once: a county evaluates
// hundreds of parts against the same standard. Points into `standard`,
// which must outlive it.
struct SchoolLevelPlan {
  struct Item {
    const junheng::v1::Indicator* indicator = nullptr;
    absl::string_view code;
    const FormulaSpec* spec = nullptr;
    // The formula's quantity, read at each part.
    QuantityReader reader;
    // By level: [0] primary, [1] junior; nullptr when the standard has none.
    const junheng::v1::Threshold* threshold[2] = {nullptr, nullptr};
    bool in_school_rule = false;
  };
  // The SCOPE_SCHOOL_LEVEL indicators, in the standard's order.
  std::vector<Item> items;
  const junheng::v1::ApportionFactors* factors = nullptr;
  // nullptr when the standard has no school rule (2012).
  const junheng::v1::SchoolRule* rule = nullptr;
};

SchoolLevelPlan PlanSchoolLevels(
    const junheng::v1::IndicatorStandard& standard);

// EvaluateSchoolLevel with the lookups done.
SchoolLevelVerdict EvaluateSchoolLevel(const SchoolLevelPlan& plan,
                                       const SchoolStats& school,
                                       junheng::v1::Level level);

// The same into `*out`, a default-constructed verdict whose results are
// allocated where it says (a county verdict's arena).
void EvaluateSchoolLevel(const SchoolLevelPlan& plan, const SchoolStats& school,
                         junheng::v1::Level level, SchoolLevelVerdict* out);

// Whether `indicator` falls under the standard's school rule.
bool InSchoolRule(const junheng::v1::IndicatorStandard& standard,
                  const junheng::v1::Indicator& indicator);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_INDICATORS_H_
