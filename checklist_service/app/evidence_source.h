// Where the checklist learns which evidence is in the archive: an interface,
// so that the application layer needs neither gRPC nor the archive's API.
// grpc/archive_evidence.h implements it over the archive service.
#ifndef JUNHENG_CHECKLIST_SERVICE_APP_EVIDENCE_SOURCE_H_
#define JUNHENG_CHECKLIST_SERVICE_APP_EVIDENCE_SOURCE_H_

#include <string>
#include <vector>

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

  // What the archive holds under each of `names` (an evidence name, or a
  // version name …/versions/N), as seen by `caller`, within `timeout`:
  // one answer per name, in order. Errors as Fetch, for the archive as a
  // whole; a name it does not have, or will not show the caller, is an
  // answer, not an error.
  enum class Lookup { kPresent, kDeleted, kNotFound, kNotVisible };
  virtual absl::StatusOr<std::vector<Lookup>> LookUp(
      const Principal& caller, const std::vector<std::string>& names,
      absl::Duration timeout) = 0;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_APP_EVIDENCE_SOURCE_H_
