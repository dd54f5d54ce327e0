// Archive: the archive's application layer. It holds the business rules
// (what a first version needs, what a repeated request id means, what a
// deleted or frozen evidence refuses, what is audited) and runs uploads and
// downloads through their pipelines. It sees neither gRPC nor RocksDB: the
// gRPC adapter (archive_grpc_service.h) authenticates, validates and
// authorizes a request and then calls here; the metadata store
// (archive_store.h) and the chunk store (chunk_store.h) keep what it
// decides.
//
// Errors may name request fields (AIP-193 field violations): the rules are
// the API's rules.
//
// Thread-safety: every method may be called concurrently.
#ifndef JUNHENG_ARCHIVE_SERVICE_ARCHIVE_H_
#define JUNHENG_ARCHIVE_SERVICE_ARCHIVE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive_service/archive_store.h"
#include "archive_service/download_pipeline.h"
#include "archive_service/upload_admission.h"
#include "archive_service/upload_pipeline.h"
#include "common/audit_chain.h"
#include "common/resource_name.h"

namespace junheng::archive {

struct ArchiveOptions {
  // Uploads larger than this fail with RESOURCE_EXHAUSTED.
  int64_t max_file_bytes = int64_t{8} << 30;
  // Memory uploads may hold at once (upload_admission.h); 0: no limit.
  int64_t max_inflight_upload_bytes = int64_t{512} << 20;
  // How downloads are checked on the server (download_pipeline.h).
  ChunkCheck download_check = ChunkCheck::kSha256;
};

struct DownloadQuery {
  // Version 0: the latest, refused while the evidence is deleted.
  VersionName name;
  int64_t offset = 0;
  int64_t length = 0;  // 0: to the end
  Actor reader;
  std::string via;  // the service that forwarded the call, if any
};

class Archive {
 public:
  Archive(ArchiveStore& store, ArchiveOptions options)
      : store_(store),
        options_(options),
        admission_(options.max_inflight_upload_bytes) {}

  const ArchiveOptions& options() const { return options_; }

  // Stores the next version of spec.commit.name from `source`. Everything
  // that would refuse the commit is checked before the first byte is read:
  // a request id already used (its version is returned, or a field
  // violation if it was for other evidence), deleted or frozen evidence,
  // missing first-version metadata, the memory ceiling.
  absl::StatusOr<VersionInfo> Upload(UploadSpec spec, UploadSource& source);

  // Sends a version's bytes (or a range of them) to `sink`, after auditing
  // the read. OUT_OF_RANGE for an offset past the end; DATA_LOSS naming the
  // version for bytes that are missing or fail their check.
  absl::Status Download(const DownloadQuery& query, DownloadSink& sink);

  absl::StatusOr<EvidenceInfo> GetEvidence(const EvidenceName& name) {
    return store_.GetEvidence(name);
  }
  absl::StatusOr<ListPage> ListEvidence(const ListQuery& query) {
    return store_.ListEvidence(query);
  }
  absl::StatusOr<std::vector<VersionInfo>> ListVersions(
      const EvidenceName& name, int64_t after, int limit) {
    return store_.ListVersions(name, after, limit);
  }
  // Soft delete (deleted = true) or undelete.
  absl::StatusOr<EvidenceInfo> SetDeleted(const EvidenceName& name,
                                          bool deleted, const Actor& actor) {
    return store_.SetDeleted(name, deleted, actor);
  }
  // Freezes the evidence under `place` until `until_us` (or extends the
  // freeze): see ArchiveStore::Freeze.
  absl::StatusOr<FreezeInfo> Freeze(const Parent& place, int64_t until_us,
                                    const std::string& reason,
                                    const Actor& actor) {
    return store_.Freeze(place, until_us, reason, actor);
  }
  absl::Status ScanAudit(int64_t from,
                         const std::function<bool(const v1::AuditEntry&)>& fn) {
    return store_.ScanAudit(from, fn);
  }

 private:
  // The version `request_id` committed for `name`, if any.
  absl::StatusOr<std::optional<VersionInfo>> Replayed(
      const std::string& request_id, const EvidenceName& name);

  ArchiveStore& store_;
  const ArchiveOptions options_;
  UploadAdmission admission_;
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_ARCHIVE_H_
