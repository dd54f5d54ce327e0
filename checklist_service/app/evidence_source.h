// Where the checklist learns which evidence is in the archive: an interface,
// so that the application layer needs neither gRPC nor the archive's API.
// grpc/archive_evidence.h implements it over the archive service.
#ifndef JUNHENG_CHECKLIST_SERVICE_APP_EVIDENCE_SOURCE_H_
#define JUNHENG_CHECKLIST_SERVICE_APP_EVIDENCE_SOURCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "checklist_service/evaluator/evidence.h"
#include "common/access.h"

namespace junheng::checklist {

class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;

  // The county's live evidence of `year`, as seen by `caller` (the archive
  // authorizes the real caller, not the checklist), within `timeout`.
  // UNAVAILABLE or DEADLINE_EXCEEDED when it cannot answer in time;
  // PERMISSION_DENIED and others when it refuses.
  virtual absl::StatusOr<EvidenceIndex> Fetch(const Principal& caller,
                                              const std::string& county,
                                              int year,
                                              absl::Duration timeout) = 0;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_APP_EVIDENCE_SOURCE_H_
