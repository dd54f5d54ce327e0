// The evidence source of a checklist that runs beside an archive service: it
// lists the county's evidence over the archive's gRPC API (the services share
// no code, only the API), as the caller it acts for.
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_ARCHIVE_EVIDENCE_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_ARCHIVE_EVIDENCE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checklist_service/app/evidence_source.h"
#include "junheng/v1/archive.grpc.pb.h"

namespace junheng::checklist {

class ArchiveEvidenceSource final : public EvidenceSource {
 public:
  // `service_token`: the checklist's own token for the archive (a service
  // principal); empty when the archive runs without authentication.
  ArchiveEvidenceSource(std::unique_ptr<v1::ArchiveService::Stub> archive,
                        std::string service_token);

  // Lists every page of the county's live evidence of `year`.
  absl::StatusOr<EvidenceIndex> Fetch(const Principal& caller,
                                      const std::string& county, int year,
                                      absl::Duration timeout) override;
  // One GetEvidence per name.
  absl::StatusOr<std::vector<Lookup>> LookUp(
      const Principal& caller, const std::vector<std::string>& names,
      absl::Duration timeout) override;

 private:
  // The caller's identity as the archive expects it from a service.
  std::vector<std::pair<std::string, std::string>> MetadataFor(
      const Principal& caller) const;

  const std::unique_ptr<v1::ArchiveService::Stub> archive_;
  const std::string service_token_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_ARCHIVE_EVIDENCE_H_
