// Consistency checks of the evaluator's inputs. Blank values are fine (they
// are "not reported"); what is rejected is input no county could have: a
// negative count, a figure for a part the school type does not have, a
// school of another county or year, a code twice.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INPUT_CHECK_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INPUT_CHECK_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "checklist_service/evaluator/stats.h"

namespace junheng::checklist {

// OK, or INVALID_ARGUMENT naming the school code and the column.
absl::Status CheckSchool(const SchoolStats& school);

// CheckSchool for every school, plus: every school has the county's code and
// year, no school code or judgement code twice, no negative county figure.
absl::Status CheckCountyInput(const CountyInput& input);

// A county input that CheckCountyInput found consistent: the proof
// EvaluateCounty takes to skip the check. The service checks a county's
// snapshot once, when it loads it, and then evaluates it again and again
// (the check was a fourteenth of every evaluation). A view: the input must
// outlive it and not change.
class CheckedCountyInput {
 public:
  // `input`, checked. Errors: those of CheckCountyInput.
  static absl::StatusOr<CheckedCountyInput> Check(const CountyInput& input);

  const CountyInput& input() const { return *input_; }

 private:
  explicit CheckedCountyInput(const CountyInput& input) : input_(&input) {}

  const CountyInput* input_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INPUT_CHECK_H_
