// The gRPC face of the archive: validates requests, adapts streams to the
// upload pipeline and the download loop, converts between the API messages
// and the store's types, and maps statuses (common/grpc_status.h). No
// storage logic lives here.
//
// Every RPC first authenticates the caller, then validates the request,
// then authorizes the caller for the place the request names (common/
// access.h), and only then looks anything up.
#ifndef JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_
#define JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_

#include <cstdint>

#include "archive_service/archive_store.h"
#include "archive_service/upload_admission.h"
#include "common/authenticator.h"
#include "junheng/v1/archive.grpc.pb.h"

namespace junheng::archive {

struct ServiceOptions {
  // Uploads larger than this fail with RESOURCE_EXHAUSTED.
  int64_t max_file_bytes = int64_t{8} << 30;
  // Memory uploads may hold at once (upload_admission.h); 0: no limit.
  int64_t max_inflight_upload_bytes = int64_t{512} << 20;
};

class ArchiveGrpcService final : public v1::ArchiveService::Service {
 public:
  ArchiveGrpcService(ArchiveStore& store, Authenticator& auth,
                     ServiceOptions options)
      : store_(store),
        auth_(auth),
        options_(options),
        admission_(options.max_inflight_upload_bytes) {}

  grpc::Status Upload(grpc::ServerContext* context,
                      grpc::ServerReader<v1::UploadRequest>* reader,
                      v1::EvidenceVersion* response) override;
  grpc::Status Download(
      grpc::ServerContext* context, const v1::DownloadRequest* request,
      grpc::ServerWriter<v1::DownloadResponse>* writer) override;
  grpc::Status GetEvidence(grpc::ServerContext* context,
                           const v1::GetEvidenceRequest* request,
                           v1::Evidence* response) override;
  grpc::Status ListEvidence(grpc::ServerContext* context,
                            const v1::ListEvidenceRequest* request,
                            v1::ListEvidenceResponse* response) override;
  grpc::Status ListVersions(grpc::ServerContext* context,
                            const v1::ListVersionsRequest* request,
                            v1::ListVersionsResponse* response) override;
  grpc::Status DeleteEvidence(grpc::ServerContext* context,
                              const v1::DeleteEvidenceRequest* request,
                              v1::Evidence* response) override;
  grpc::Status UndeleteEvidence(grpc::ServerContext* context,
                                const v1::UndeleteEvidenceRequest* request,
                                v1::Evidence* response) override;
  grpc::Status GetAuditLog(grpc::ServerContext* context,
                           const v1::GetAuditLogRequest* request,
                           grpc::ServerWriter<v1::AuditEntry>* writer) override;

 private:
  absl::Status DoUpload(grpc::ServerContext* context,
                        grpc::ServerReader<v1::UploadRequest>* reader,
                        v1::EvidenceVersion* response);
  absl::Status DoDownload(grpc::ServerContext* context,
                          const v1::DownloadRequest& request,
                          grpc::ServerWriter<v1::DownloadResponse>* writer);
  absl::Status DoGetEvidence(grpc::ServerContext* context,
                             const v1::GetEvidenceRequest& request,
                             v1::Evidence* response);
  absl::Status DoListEvidence(grpc::ServerContext* context,
                              const v1::ListEvidenceRequest& request,
                              v1::ListEvidenceResponse* response);
  absl::Status DoListVersions(grpc::ServerContext* context,
                              const v1::ListVersionsRequest& request,
                              v1::ListVersionsResponse* response);
  absl::Status DoSetDeleted(grpc::ServerContext* context,
                            const std::string& name_field, bool deleted,
                            v1::Evidence* response);

  ArchiveStore& store_;
  Authenticator& auth_;
  const ServiceOptions options_;
  UploadAdmission admission_;
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_
