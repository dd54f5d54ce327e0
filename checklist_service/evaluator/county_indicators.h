// The county-wide indicators (SCOPE_COUNTY: G6–G9, G11, G13–G15, Q1, Q2, Q9,
// S1, the 2012 government effort score), inspectors' judgements and veto
// items.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_COUNTY_INDICATORS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_COUNTY_INDICATORS_H_

#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Evaluates a SCOPE_COUNTY `indicator` from the county's statistics and its
// judgement (nullptr when none is recorded).
//
// Promises: every measurement the formula defines with value, threshold,
// outcome and, on failure, the shortfall (yuan, teachers to rotate,
// percentage points, levels); the judgement applied as ApplyJudgement
// describes; a reason for every failure and every blank input, naming the
// column. A blank input or a zero denominator (no eligible teachers) is
// "not reported", never a pass.
//
// Precondition: CheckEvaluable holds for the standard `indicator` is from.
CountyIndicatorResult EvaluateCountyIndicator(
    const junheng::v1::Indicator& indicator, const CountyStats& county,
    const Judgement* judgement);

// For an indicator with needs_judgement, sets `result.judgement` (kPass,
// kFail, or kNotReported when `judgement` is null or undecided) with its
// comment and evidence, and combines it into `result.outcome`. Does nothing
// otherwise. FORMULA_JUDGEMENT_SCORE takes its value from the score instead,
// in EvaluateCountyIndicator.
void ApplyJudgement(const junheng::v1::Indicator& indicator,
                    const Judgement* judgement, CountyIndicatorResult& result);

// A veto item is clear only when a judgement says so (passed = true); it
// applies when one says passed = false, and is not reported otherwise.
VetoResult EvaluateVeto(const junheng::v1::VetoItem& veto,
                        const Judgement* judgement);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_COUNTY_INDICATORS_H_
