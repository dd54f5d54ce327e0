// The evaluator: does a county (or one school) meet an indicator standard,
// and if not, the complete list of why.
//
// A pure library: plain statistics in, plain verdicts out. It reads no
// clock, file, database or network, and returns the same verdict for the
// same inputs every time, so an evaluation can be reproduced as of any
// revision of the data. Thread-safe: it keeps no state between calls.
//
// Rules it keeps (docs: shared/domain/standard.md):
//   - A blank input is "not reported": the item is kNotReported, never
//     guessed and never a pass; a county with anything not reported and
//     nothing failing is kNotReported, not kPass.
//   - Special-education schools and teaching points under the standard's
//     cut-off are left out of the school-level indicators and the
//     coefficients (they are still checked by indicators covering all
//     schools, e.g. G12).
//   - Coefficients are weighted by students and compared with their limits
//     unrounded.
//
// Usage:
//   ASSIGN_OR_RETURN(std::vector<IndicatorStandard> standards, ...loader...);
//   absl::StatusOr<CountyVerdict> verdict = EvaluateCounty(standard, input);
//   if (verdict.ok() && verdict->outcome != Outcome::kPass) {
//     for (const FailingItem& item : verdict->failing_items) ...
//   }
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EVALUATOR_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EVALUATOR_H_

#include "absl/status/statusor.h"
#include "checklist_service/evaluator/input_check.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "checklist_service/standard/standard_check.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Evaluates one county for one school year against `standard` (a resolved
// standard as the loader returns it).
//
// Returns the verdict: every school with its parts' indicators and school
// rule, every coefficient (value, X̄, limit, outcome), every area's county
// indicators with judgements applied, every veto item, and `failing_items`,
// the complete list of everything failing and then everything not reported.
// Judgements whose code the standard does not use are ignored (a county's
// judgements serve several standards).
//
// Errors (nothing is evaluated):
//   FAILED_PRECONDITION  `standard` fails CheckEvaluable (not loaded through
//                        the loader, or built by hand with a gap).
//   INVALID_ARGUMENT     inconsistent input: a school of another county or
//                        year, a school code twice, two judgements for one
//                        code, a negative or non-finite figure, or figures for
//                        a part the school type does not have (j_students of
//                        a primary school, h_students outside a twelve-year
//                        school). The message names the school and column.
absl::StatusOr<CountyVerdict> EvaluateCounty(
    const junheng::v1::IndicatorStandard& standard, const CountyInput& input);

// The same for a standard and an input already checked (a service checks
// each once, on loading it): the same verdict, without checking either
// again.
CountyVerdict EvaluateCounty(const CheckedStandard& standard,
                             const CheckedCountyInput& input);

// Evaluates one school on its own: whether it is counted, its parts'
// school-level indicators and school rule, and the SCOPE_SCHOOL indicators
// covering it (without their county-level judgements). The same verdict as
// the school's entry in EvaluateCounty.
//
// Errors: as EvaluateCounty, for this school.
absl::StatusOr<SchoolVerdict> EvaluateSchool(
    const junheng::v1::IndicatorStandard& standard, const SchoolStats& school);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EVALUATOR_H_
