// The gRPC face of the archive: validates requests, adapts streams to the
// application's UploadSource and DownloadSink (archive.h), converts between
// the API messages and the application's types, and maps statuses
// (common/grpc_status.h). No business rule and no storage logic lives here.
//
// Every RPC first authenticates the caller, then validates the request,
// then authorizes the caller for the place the request names (common/
// access.h), and only then looks anything up.
#ifndef JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_
#define JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_

#include <cstdint>

#include "archive_service/archive.h"
#include "common/authenticator.h"
#include "junheng/v1/archive.grpc.pb.h"

namespace junheng::archive {

class DownloadSender;

// Download is a raw callback method: its chunks leave as byte buffers that
// alias the bytes the store read (archive_grpc_service.cc).
class ArchiveGrpcService final
    : public v1::ArchiveService::WithRawCallbackMethod_Download<
          v1::ArchiveService::Service> {
 public:
  ArchiveGrpcService(Archive& archive, Authenticator& auth)
      : archive_(archive), auth_(auth) {}

  grpc::Status Upload(grpc::ServerContext* context,
                      grpc::ServerReader<v1::UploadRequest>* reader,
                      v1::EvidenceVersion* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Download(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;
  grpc::Status GetUploadSession(grpc::ServerContext* context,
                                const v1::GetUploadSessionRequest* request,
                                v1::UploadSession* response) override;
  grpc::Status DeleteUploadSession(
      grpc::ServerContext* context,
      const v1::DeleteUploadSessionRequest* request,
      google::protobuf::Empty* response) override;
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
  grpc::Status FreezeEvidence(grpc::ServerContext* context,
                              const v1::FreezeEvidenceRequest* request,
                              v1::EvidenceFreeze* response) override;
  grpc::Status GetAuditLog(grpc::ServerContext* context,
                           const v1::GetAuditLogRequest* request,
                           grpc::ServerWriter<v1::AuditEntry>* writer) override;

 private:
  absl::Status DoUpload(grpc::ServerContext* context,
                        grpc::ServerReader<v1::UploadRequest>* reader,
                        v1::EvidenceVersion* response);
  absl::Status DoDownload(const grpc::ServerContextBase& context,
                          const v1::DownloadRequest& request,
                          DownloadSender& sender);
  // The session `name` names, once the caller may upload to its evidence.
  absl::StatusOr<UploadSessionName> AuthorizeSession(
      grpc::ServerContext* context, const std::string& name);
  absl::Status DoGetEvidence(grpc::ServerContext* context,
                             const v1::GetEvidenceRequest& request,
                             v1::Evidence* response);
  absl::Status DoListEvidence(grpc::ServerContext* context,
                              const v1::ListEvidenceRequest& request,
                              v1::ListEvidenceResponse* response);
  absl::Status DoListVersions(grpc::ServerContext* context,
                              const v1::ListVersionsRequest& request,
                              v1::ListVersionsResponse* response);
  absl::Status DoFreeze(grpc::ServerContext* context,
                        const v1::FreezeEvidenceRequest& request,
                        v1::EvidenceFreeze* response);
  absl::Status DoSetDeleted(grpc::ServerContext* context,
                            const std::string& name_field, bool deleted,
                            v1::Evidence* response);

  Archive& archive_;
  Authenticator& auth_;
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_ARCHIVE_GRPC_SERVICE_H_
