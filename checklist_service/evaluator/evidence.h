// Evidence completeness as part of the verdict: for each county-level
// indicator result, whether the evidence its standard expects is in the
// archive, and where it is missing. Pure: the index of what the archive
// holds is an input (app/evidence_source.h fetches it).
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EVIDENCE_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EVIDENCE_H_

#include <set>
#include <string>
#include <utility>

#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// (indicator code, place) pairs with live evidence; a place is
// "counties/C" (county-level evidence) or "counties/C/schools/S".
using EvidenceIndex = std::set<std::pair<std::string, std::string>>;

// Sets `evidence` and `missing_evidence_at` of every county-level indicator
// result of `verdict` (its areas), and `verdict.evidence_checked`. With a
// null `index` (the archive was not asked or did not answer) every expected
// evidence is kUnknown. Evidence expected per school is looked for at each
// counted school.
void JudgeEvidence(const junheng::v1::IndicatorStandard& standard,
                   const EvidenceIndex* index, CountyVerdict& verdict);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EVIDENCE_H_
