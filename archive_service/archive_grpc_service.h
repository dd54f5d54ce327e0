// The gRPC face of the archive: validates requests, adapts streams to the
// upload pipeline and the download loop, converts between the API messages
// and the store's types, and maps statuses (common/grpc_status.h). No
// storage logic lives here.
#ifndef JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_
#define JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_

#include <cstdint>

#include "archive_service/archive_store.h"
#include "junheng/v1/archive.grpc.pb.h"

namespace junheng::archive {

struct ServiceOptions {
  // Uploads larger than this fail with RESOURCE_EXHAUSTED.
  int64_t max_file_bytes = int64_t{8} << 30;
};

class ArchiveGrpcService final : public v1::ArchiveService::Service {
 public:
  ArchiveGrpcService(ArchiveStore& store, ServiceOptions options)
      : store_(store), options_(options) {}

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

 private:
  absl::Status DoUpload(grpc::ServerContext* context,
                        grpc::ServerReader<v1::UploadRequest>* reader,
                        v1::EvidenceVersion* response);
  absl::Status DoDownload(grpc::ServerContext* context,
                          const v1::DownloadRequest& request,
                          grpc::ServerWriter<v1::DownloadResponse>* writer);
  absl::Status DoListEvidence(const v1::ListEvidenceRequest& request,
                              v1::ListEvidenceResponse* response);
  absl::Status DoListVersions(const v1::ListVersionsRequest& request,
                              v1::ListVersionsResponse* response);

  ArchiveStore& store_;
  const ServiceOptions options_;
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_
