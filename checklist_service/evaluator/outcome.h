// The tri-state (plus "not applicable") result of every check, how results
// combine, and how a value is compared with a threshold.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_OUTCOME_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_OUTCOME_H_

#include <algorithm>
#include <string>

#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

enum class Outcome {
  // Not applicable: e.g. a coefficient-only indicator has no per-school
  // threshold. Neutral when combined.
  kNotApplicable,
  kPass,
  // An input is blank or a value cannot be computed: the item can be neither
  // passed nor failed. Never a pass.
  kNotReported,
  kFail,
};

// The outcome of a set of checks: any failure fails it; otherwise anything
// not reported leaves it not reported; otherwise it passes (all-not-applicable
// stays not applicable). Inline: it folds every result of a county.
inline Outcome Combine(Outcome a, Outcome b) {
  // The enumerators are declared in order of precedence.
  return std::max(a, b);
}

// "≥", "≤", ">", "<".
const char* ComparisonSymbol(junheng::v1::Comparison comparison);

// "pass", "fail", "not reported", "not applicable".
const char* OutcomeName(Outcome outcome);

// "小学" / "初中" / "" for LEVEL_ALL.
const char* LevelNameZh(junheng::v1::Level level);

// A number for reasons and reports: up to 3 decimals, trailing zeros dropped
// ("4.2", "2000", "9711.6", "0.447").
std::string FormatNumber(double value);
// The same appended to `*out`: sentences are built in one string.
void AppendNumber(std::string* out, double value);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_OUTCOME_H_
