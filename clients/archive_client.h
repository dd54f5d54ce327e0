// A small client for the archive service, returning absl::Status with the
// server's field violations attached (common/grpc_status.h). Used by the CLI,
// the tests and the benchmarks; the checklist service does not (the services
// share only the API).
//
//   auto channel = junheng::Connect("127.0.0.1:50051");
//   junheng::ArchiveClient archive(channel);
//   auto version = archive.UploadFile(header, "ledger.pdf", nullptr);
#ifndef JUNHENG_CLIENTS_ARCHIVE_CLIENT_H_
#define JUNHENG_CLIENTS_ARCHIVE_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/connection.h"
#include "common/sha256.h"
#include "grpcpp/channel.h"
#include "junheng/v1/archive.grpc.pb.h"

namespace junheng {

// Called with (bytes done, bytes total) as a transfer progresses.
using Progress = std::function<void(int64_t, int64_t)>;

class ArchiveClient {
 public:
  struct Options {
    // Deadline of unary calls. Streams have none: a large file may take long.
    absl::Duration call_timeout = absl::Seconds(30);
    // Bytes per upload message.
    size_t chunk_bytes = 1 << 20;
    // Sent as x-junheng-user; recorded as the uploader by a service run
    // without authentication.
    std::string user;
    // Sent as 'authorization: Bearer <token>'.
    std::string token;
  };

  explicit ArchiveClient(std::shared_ptr<grpc::Channel> channel)
      : ArchiveClient(std::move(channel), Options()) {}
  ArchiveClient(std::shared_ptr<grpc::Channel> channel, Options options);

  // Uploads `read` bytes: `read(buf, max)` fills up to max bytes into buf and
  // returns how many, 0 at the end, or -1 on a read error. Without a
  // header.sha256 the bytes are hashed as they are sent and the digest
  // follows them (trailer_sha256), so the server commits only what was read;
  // but not when header.resume_offset is set: the trailer is the whole
  // file's digest, of which this call sees only the rest
  // (UploadFileResumable hashes the part before).
  absl::StatusOr<v1::EvidenceVersion> Upload(
      const v1::UploadHeader& header,
      const std::function<int64_t(char*, size_t)>& read,
      const Progress& progress = nullptr);

  // Uploads a file, declaring its size up front and its SHA-256 after the
  // bytes (one read of the file), so the server verifies them end to end.
  // Retries on UNAVAILABLE, and on RESOURCE_EXHAUSTED with a short retry hint
  // (a busy archive), with the same request id (one is generated if the header
  // has none), so a retry never adds a second version.
  absl::StatusOr<v1::EvidenceVersion> UploadFile(
      v1::UploadHeader header, const std::string& path,
      const Progress& progress = nullptr);

  // As UploadFile, but resumable (UploadHeader.resumable): a stream that
  // breaks is resumed from what the archive holds (GetUploadSession), up to
  // `max_breaks` times, waiting 1 s, 2 s, 4 s, … (at most 30 s) in between.
  // The request id is the header's (then [A-Za-z0-9._~-]{1,128}) or a new
  // one; with the header's, an upload session an earlier call left behind
  // is resumed where it stands, so running the same upload again continues
  // it. `on_session` (optional) is told the session's name before the first
  // byte is sent, so a caller can say how to resume later.
  absl::StatusOr<v1::EvidenceVersion> UploadFileResumable(
      v1::UploadHeader header, const std::string& path,
      const Progress& progress = nullptr, int max_breaks = 20,
      const std::function<void(const std::string&)>& on_session = nullptr);

  // {evidence name}/uploads/{request id}.
  absl::StatusOr<v1::UploadSession> GetUploadSession(const std::string& name);
  absl::Status DeleteUploadSession(const std::string& name);

  // Streams a version's bytes to `sink`, returning its metadata. `on_version`
  // (optional) sees the metadata before any byte. A sink or on_version
  // returning false cancels the download (CANCELLED). A whole-file download
  // (no offset, no length) is checked against the version's SHA-256 at the
  // end: DATA_LOSS then means the sink saw damaged bytes and must discard
  // them (DownloadToFile does). The server checks ranges itself.
  absl::StatusOr<v1::EvidenceVersion> Download(
      const v1::DownloadRequest& request,
      const std::function<bool(absl::string_view)>& sink,
      const Progress& progress = nullptr,
      const std::function<bool(const v1::EvidenceVersion&)>& on_version =
          nullptr);

  struct Downloaded {
    v1::EvidenceVersion version;
    std::string path;
  };
  // Downloads version or evidence `name` to `path` (empty: the uploaded file
  // name, else the evidence id, in the current directory) through a
  // temporary file that takes the final name only after the whole file
  // arrived and its SHA-256 matched: a failed download leaves no partial
  // file. ALREADY_EXISTS if the path exists and !overwrite.
  absl::StatusOr<Downloaded> DownloadToFile(const std::string& name,
                                            const std::string& path,
                                            bool overwrite,
                                            const Progress& progress = nullptr);

  absl::StatusOr<v1::Evidence> GetEvidence(const std::string& name);
  absl::StatusOr<v1::ListEvidenceResponse> ListEvidence(
      const v1::ListEvidenceRequest& request);
  // Every page of ListEvidence.
  absl::StatusOr<std::vector<v1::Evidence>> ListAllEvidence(
      v1::ListEvidenceRequest request);
  absl::StatusOr<std::vector<v1::EvidenceVersion>> ListAllVersions(
      const std::string& name);
  absl::StatusOr<v1::Evidence> DeleteEvidence(const std::string& name);
  absl::StatusOr<v1::Evidence> UndeleteEvidence(const std::string& name);

  v1::ArchiveService::Stub& stub() { return *stub_; }

 private:
  // Upload(), with `hash` holding the digest of the file before
  // header.resume_offset and `done` the bytes before it, for progress.
  absl::StatusOr<v1::EvidenceVersion> UploadStream(
      const v1::UploadHeader& header,
      const std::function<int64_t(char*, size_t)>& read,
      const Progress& progress, Sha256& hash, bool trailer);
  void Prepare(grpc::ClientContext& context, bool unary) const;
  template <typename Request, typename Response>
  absl::StatusOr<Response> Unary(
      grpc::Status (v1::ArchiveService::Stub::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*),
      const Request& request);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ArchiveService::Stub> stub_;
  Options options_;
};

// A random request id: 32 hex digits.
std::string NewRequestId();

}  // namespace junheng

#endif  // JUNHENG_CLIENTS_ARCHIVE_CLIENT_H_
