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

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "archive_service/archive_store.h"
#include "archive_service/download_pipeline.h"
#include "archive_service/upload_admission.h"
#include "archive_service/upload_header.h"
#include "archive_service/upload_pipeline.h"
#include "common/audit_chain.h"
#include "common/mutex.h"
#include "common/resource_name.h"

namespace junheng::archive {

struct ArchiveOptions {
  // Uploads larger than this fail with RESOURCE_EXHAUSTED.
  int64_t max_file_bytes = int64_t{8} << 30;
  // Memory uploads may hold at once (upload_admission.h); 0: no limit.
  int64_t max_inflight_upload_bytes = int64_t{512} << 20;
  // How downloads are checked on the server (download_pipeline.h).
  ChunkCheck download_check = ChunkCheck::kSha256;
  // How long a resumable upload's session lives after a stream last added
  // to it; expired sessions are swept every quarter of this (at least every
  // second, at most every ten minutes). 0: sessions are never swept.
  absl::Duration upload_session_ttl = absl::Hours(7 * 24);
  // A resumable stream records its progress every this many bytes
  // (UploadSpec::checkpoint_bytes).
  int64_t upload_checkpoint_bytes = int64_t{64} << 20;
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
  // Starts the sweep of expired upload sessions, which the destructor stops.
  Archive(ArchiveStore& store, ArchiveOptions options);
  ~Archive();
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  const ArchiveOptions& options() const { return options_; }

  // Stores the next version of spec.commit.name from `source`. Everything
  // that would refuse the commit is checked before the first byte is read:
  // a request id already used (its version is returned, or a field
  // violation if it was for other evidence), deleted or frozen evidence,
  // missing first-version metadata, the memory ceiling, an upload with the
  // same request id in progress (ABORTED), and for a resumable upload
  // (spec.commit.resumable) a resume_offset other than its session's
  // committed size (FAILED_PRECONDITION) or fields that differ from the
  // session's (field violations). The fields a resume leaves out are the
  // session's.
  absl::StatusOr<VersionInfo> Upload(UploadSpec spec, UploadSource& source);

  // The live session of `name` (NOT_FOUND when none: never started,
  // completed, deleted, expired, or one of other evidence).
  absl::StatusOr<UploadSession> GetUploadSession(const UploadSessionName& name);
  // Abandons it, freeing its chunks. NOT_FOUND as above; ABORTED while a
  // stream uploads to it.
  absl::Status DeleteUploadSession(const UploadSessionName& name);
  // Removes every expired session no stream is resuming; returns how many.
  // The sweep calls it; tests may too.
  absl::StatusOr<int> SweepUploadSessions();

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

  // One upload or session change per request id at a time: held while a
  // stream with that request id runs, and while its session is deleted.
  class Claim {
   public:
    Claim(Archive* archive, std::string request_id)
        : archive_(archive), request_id_(std::move(request_id)) {}
    Claim(Claim&& other) noexcept
        : archive_(std::exchange(other.archive_, nullptr)),
          request_id_(std::move(other.request_id_)) {}
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    ~Claim();

   private:
    Archive* archive_;
    std::string request_id_;
  };
  // ABORTED naming `what` when another caller holds it.
  absl::StatusOr<Claim> ClaimRequest(const std::string& request_id,
                                     absl::string_view what);
  // The session of `request_id` unless expired (an expired one is removed
  // on the way: the caller holds the claim).
  absl::StatusOr<std::optional<UploadSession>> LiveSession(
      const std::string& request_id);
  // Makes `spec` the resumption of `session`: its fields where the header
  // left them out, field violations where the header differs.
  static absl::Status MergeSession(const UploadSession& session,
                                   UploadSpec& spec);
  void SweepLoop();

  ArchiveStore& store_;
  const ArchiveOptions options_;
  UploadAdmission admission_;
  Mutex claims_mu_;
  absl::flat_hash_set<std::string> claims_ ABSL_GUARDED_BY(claims_mu_);
  // The sweep's thread and its stop signal (std:: primitives: it waits
  // with a timeout).
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_ARCHIVE_H_
