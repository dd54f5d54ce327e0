// Consistency checks of the evaluator's inputs. Blank values are fine (they
// are "not reported"); what is rejected is input no county could have: a
// negative count, a figure for a part the school type does not have, a
// school of another county or year, a code twice.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INPUT_CHECK_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INPUT_CHECK_H_

#include "absl/status/status.h"
#include "checklist_service/evaluator/stats.h"

namespace junheng::checklist {

// OK, or INVALID_ARGUMENT naming the school code and the column.
absl::Status CheckSchool(const SchoolStats& school);

// CheckSchool for every school, plus: every school has the county's code and
// year, no school code or judgement code twice, no negative county figure.
absl::Status CheckCountyInput(const CountyInput& input);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INPUT_CHECK_H_
