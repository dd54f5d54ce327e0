// Evidence completeness: which indicators' expected evidence is in the
// archive, asked of the archive service over gRPC (the services share no
// code, only the API).
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_EVIDENCE_STATUS_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_EVIDENCE_STATUS_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.pb.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// (indicator code, place) pairs with live evidence; a place is
// "counties/C" (county-level evidence) or "counties/C/schools/S".
using EvidenceIndex = std::set<std::pair<std::string, std::string>>;

// Call metadata for the archive: the service's own token and the caller it
// acts for, so the archive authorizes the real caller.
using ArchiveMetadata = std::vector<std::pair<std::string, std::string>>;

// Lists the county's live evidence of `year`, all pages, within `timeout`.
// UNAVAILABLE or DEADLINE_EXCEEDED when the archive cannot answer in time.
absl::StatusOr<EvidenceIndex> FetchEvidence(v1::ArchiveService::Stub& archive,
                                            const ArchiveMetadata& metadata,
                                            const std::string& county, int year,
                                            absl::Duration timeout);

// Sets each county-level indicator result's evidence status (and where it
// is missing) from `index`, or EVIDENCE_UNKNOWN everywhere when it is null.
// Evidence expected per school is looked for at each of `counted_schools`
// (school codes).
void ApplyEvidence(const v1::IndicatorStandard& standard,
                   const EvidenceIndex* index,
                   const std::vector<std::string>& counted_schools,
                   v1::CountyEvaluation& eval);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_EVIDENCE_STATUS_H_
