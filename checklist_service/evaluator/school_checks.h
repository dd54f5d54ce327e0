// The indicators checked at every covered school (SCOPE_SCHOOL): G3 music and
// art rooms, G4 school size, G5 class size, G12 certified teachers, Q3
// charter, Q4 training funds. The county passes one of them when every
// covered school does.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_CHECKS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_CHECKS_H_

#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Checks `indicator` (SCOPE_SCHOOL) at `school`.
//
// Promises: the measurements the formula defines, each with value,
// threshold, outcome and, on failure, the shortfall (rooms to add, m² to
// enlarge the smallest room by, students over a size, certificates missing,
// yuan of training funds); reasons for every failure and for every input not
// reported, naming the column. The judgement part of an indicator that needs
// one is the county's, not evaluated here.
//
// Precondition: CheckEvaluable holds for the standard `indicator` is from.
IndicatorResult EvaluateSchoolCheck(const junheng::v1::Indicator& indicator,
                                    const SchoolStats& school);

// The same, into `*result` (a default-constructed result): a county holds
// thousands, built in place rather than moved.
void EvaluateSchoolCheck(const junheng::v1::Indicator& indicator,
                         const SchoolStats& school, IndicatorResult* result);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_CHECKS_H_
