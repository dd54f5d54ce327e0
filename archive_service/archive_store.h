// ArchiveStore: the archive's metadata store (evidence, versions, contents,
// chunk references, request ids, freezes, the audit chain), behind one
// narrow interface. The bytes themselves live in a ChunkStore
// (chunk_store.h) that the metadata store owns and decides for: which chunk
// is referenced, which may be deleted. The business rules (what a first
// version needs, what a request id may repeat) are the application's
// (archive.h); the store only refuses what would break its invariants.
//
// An upload writes its chunks with StageChunk() as they arrive, then either
// CommitVersion() makes the version visible (one synced, atomic write: the
// version, the evidence record, its indexes, the request id, the reference
// counts and the audit entry, a link of the audit hash chain) or
// AbortUpload() discards what it staged. A
// crash before the commit leaves staged chunks that the next Open() deletes.
// Nothing ever changes or removes the bytes of a committed version.
//
// A resumable upload cut before it completed is parked instead: its staged
// chunks stay, and SaveUploadSession() records durably which prefix of the
// file they hold, under the upload's request id. Its chunks are then pinned
// like those of an upload in flight, across restarts, until a later stream
// commits it (CommitRequest::resumable: the record goes in the commit
// batch), DeleteUploadSession() abandons it, or it expires (Open() removes
// expired sessions; the application sweeps while running).
//
// Thread-safety: every method may be called concurrently from any thread.
// Errors: NOT_FOUND (no such evidence or version), FAILED_PRECONDITION
// (deleted or frozen evidence, new evidence without its metadata,
// shortening a freeze), ALREADY_EXISTS
// (undelete of live evidence; a request id committed for other evidence),
// RESOURCE_EXHAUSTED (disk full), UNAVAILABLE (the chunk store does not
// answer), DATA_LOSS (stored bytes or records that fail verification),
// INTERNAL (other storage failures). No error names a request field.
#ifndef JUNHENG_ARCHIVE_SERVICE_ARCHIVE_STORE_H_
#define JUNHENG_ARCHIVE_SERVICE_ARCHIVE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive_service/chunk_store.h"
#include "common/audit_chain.h"
#include "common/resource_name.h"
#include "common/sha256.h"
#include "junheng/v1/audit.pb.h"

namespace junheng::archive {

// Storage chunk size: uploads are cut into chunks of this size, each stored
// once under its SHA-256. Recorded per content (CommitRequest::chunk_size),
// so a store may use another.
inline constexpr int64_t kChunkSize = 1 << 20;

struct VersionInfo {
  int64_t version = 0;
  Sha256Digest sha256{};
  int64_t size_bytes = 0;
  std::string content_type;
  std::string filename;
  int64_t create_time_us = 0;
  std::string uploader;
  std::string request_id;
};

// An inspection freeze on a county or a school (FreezeEvidence).
struct FreezeInfo {
  Parent place = {};
  int64_t until_us = 0;
  std::string reason = {};
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::string creator = {};
  // Versions under the place whose chunks were put under retention.
  int64_t frozen_versions = 0;
};

// FAILED_PRECONDITION naming the freeze that refuses `what` (e.g.
// "counties/330106/schools/2133010601/evidence/r4 cannot be deleted").
absl::Status FrozenError(const FreezeInfo& freeze, absl::string_view what);

struct EvidenceInfo {
  EvidenceName name;
  std::string title;
  std::vector<std::string> indicator_codes;
  int32_t school_year = 0;
  int64_t version_count = 0;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  int64_t delete_time_us = 0;   // 0 while live
  int64_t frozen_until_us = 0;  // 0 unless under a freeze in force
  VersionInfo latest;
};

// Metadata an upload may set; empty fields keep the current value and are
// required when the upload creates the evidence.
struct EvidenceMetadata {
  std::string title;
  std::vector<std::string> indicator_codes;
  int32_t school_year = 0;
};

struct CommitRequest {
  uint64_t upload_id = 0;
  EvidenceName name;
  EvidenceMetadata metadata;
  Sha256Digest sha256{};
  int64_t size_bytes = 0;
  int64_t chunk_size = kChunkSize;
  // The SHA-256 of each chunk, in order, each staged or already stored.
  std::vector<Sha256Digest> chunks;
  // The CRC-32C of each chunk, in order (common/crc32c.h).
  std::vector<uint32_t> chunk_crc32c;
  std::string content_type;
  std::string filename;
  Actor uploader;
  std::string request_id;
  // The upload is resumable: the commit also ends the upload session of
  // request_id, in the same batch.
  bool resumable = false;
};

// A resumable upload whose stream ended before the file was complete.
struct UploadSession {
  // What the commit will need and the first header said: name, metadata,
  // content type, filename, the uploader who started it, request_id,
  // upload_id (its chunks are staged under it), chunk_size, and in chunks
  // and chunk_crc32c the committed prefix of the file. sha256 and
  // size_bytes are unused.
  CommitRequest upload;
  std::optional<int64_t> declared_size;
  std::optional<Sha256Digest> declared_sha256;
  // upload.chunks.size() * upload.chunk_size: where to resume.
  int64_t committed_bytes = 0;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  int64_t expire_time_us = 0;
};

// What a request id committed.
struct RequestInfo {
  std::optional<EvidenceName> name;  // nullopt: the record is unreadable
  int64_t version = 0;
};

struct CommitResult {
  VersionInfo version;
  // True when request_id had already committed this version.
  bool replayed = false;
};

struct Content {
  int64_t size_bytes = 0;
  int64_t chunk_size = 0;
  std::vector<Sha256Digest> chunks;
  // One per chunk, or empty for a content stored before CRCs were recorded.
  std::vector<uint32_t> chunk_crc32c;
};

struct ListQuery {
  Parent parent;               // empty county: every county
  std::string indicator_code;  // empty: any
  int32_t school_year = 0;     // 0: any
  bool show_deleted = false;
  std::string start_after;  // an opaque cursor from a previous page
  int limit = 50;
};

struct ListPage {
  std::vector<EvidenceInfo> evidence;
  std::string next_cursor;  // empty on the last page
};

// What CheckIntegrity() found; every list is empty in a healthy store.
struct IntegrityReport {
  int64_t evidence = 0, versions = 0, contents = 0, chunks = 0;
  std::vector<std::string> problems;
};

class ArchiveStore {
 public:
  virtual ~ArchiveStore() = default;

  // A fresh id for one upload's StageChunk/CommitVersion/AbortUpload calls.
  virtual uint64_t NewUploadId() = 0;

  // Stores one chunk of upload `upload_id` (not yet synced; CommitVersion
  // syncs). A chunk already referenced by committed content is not written
  // again. RESOURCE_EXHAUSTED when the disk is full.
  virtual absl::Status StageChunk(uint64_t upload_id,
                                  const Sha256Digest& sha256,
                                  absl::string_view bytes) = 0;

  // Deletes whatever the upload staged that nothing else references.
  virtual void AbortUpload(uint64_t upload_id) = 0;

  // Commits the next version of request.name atomically and durably, then
  // forgets the upload's staging. With a request_id that already committed
  // a version of the same evidence, returns that version with replayed =
  // true (the upload is aborted); ALREADY_EXISTS if it committed one of
  // other evidence.
  virtual absl::StatusOr<CommitResult> CommitVersion(
      const CommitRequest& request) = 0;

  // What a request id committed, if anything.
  virtual absl::StatusOr<std::optional<RequestInfo>> LookupRequest(
      const std::string& request_id) = 0;

  // The upload session of `request_id`, if any, expired or not (expired
  // ones stay until removed). DATA_LOSS for an unreadable record.
  virtual absl::StatusOr<std::optional<UploadSession>> GetUploadSession(
      const std::string& request_id) = 0;
  // Records `session` (creating or replacing its record), durable on
  // return: the chunk store is synced first, then the record, so every
  // chunk it lists survives a crash whenever the record does. Each chunk it
  // lists must have been staged (successfully) under its upload id, or be
  // referenced. One caller at a time per request id.
  virtual absl::Status SaveUploadSession(const UploadSession& session) = 0;
  // Abandons the session of `request_id`: the record goes first (durably),
  // then the chunks only it held. Nothing to do if there is none. One
  // caller at a time per request id, and no stream of it running.
  virtual absl::Status DeleteUploadSession(const std::string& request_id) = 0;
  struct SessionExpiry {
    std::string request_id;
    int64_t expire_time_us = 0;
  };
  // Every session, for the expiry sweep.
  virtual absl::StatusOr<std::vector<SessionExpiry>> ListUploadSessions() = 0;

  virtual absl::StatusOr<EvidenceInfo> GetEvidence(
      const EvidenceName& name) = 0;
  // version 0: the latest.
  virtual absl::StatusOr<VersionInfo> GetVersion(const EvidenceName& name,
                                                 int64_t version) = 0;
  // Versions after `after` (0: from the first), at most `limit`.
  virtual absl::StatusOr<std::vector<VersionInfo>> ListVersions(
      const EvidenceName& name, int64_t after, int limit) = 0;
  virtual absl::StatusOr<ListPage> ListEvidence(const ListQuery& query) = 0;

  virtual absl::StatusOr<Content> GetContent(const Sha256Digest& sha256) = 0;
  // The bytes of one chunk, verified against its SHA-256: DATA_LOSS if they
  // differ or the chunk is missing.
  virtual absl::StatusOr<std::string> ReadChunk(const Sha256Digest& sha256) = 0;
  // Where the bytes live, for the download pipeline's reads.
  virtual ChunkStore& chunks() = 0;

  // Sets (deleted = true) or clears the delete marker; durable on return.
  // FAILED_PRECONDITION while the evidence is frozen.
  virtual absl::StatusOr<EvidenceInfo> SetDeleted(const EvidenceName& name,
                                                  bool deleted,
                                                  const Actor& actor) = 0;

  // Freezes `place` (a county, or a school) until `until_us`, or extends
  // its freeze: from then on CommitVersion and SetDeleted refuse evidence
  // under it, and every chunk of its versions is put under retention in the
  // chunk store (ChunkStore::Retain). FAILED_PRECONDITION if it would
  // shorten the freeze in force. The record is durable before any chunk is
  // retained; on a chunk store error the freeze holds and calling again
  // with the same date finishes the job. Audited.
  virtual absl::StatusOr<FreezeInfo> Freeze(const Parent& place,
                                            int64_t until_us,
                                            const std::string& reason,
                                            const Actor& actor) = 0;
  // The freeze in force on evidence under `parent` (the later of its
  // county's and its school's), if any.
  virtual absl::StatusOr<std::optional<FreezeInfo>> FreezeOf(
      const Parent& parent) = 0;

  // Appends a read (a download) to the audit log. Written through the WAL
  // but not synced on its own: the next synced change makes it durable, so
  // reads do not pay a disk sync each.
  virtual absl::Status RecordRead(const Actor& actor,
                                  const AuditEvent& event) = 0;
  // Calls `fn` with each audit entry from sequence `from` on, in order,
  // until it returns false.
  virtual absl::Status ScanAudit(
      int64_t from, const std::function<bool(const v1::AuditEntry&)>& fn) = 0;

  // Full consistency check (fsck): reference counts against the versions
  // and contents that use them, every chunk referenced or pinned by an
  // upload in flight or a live upload session, no staging entry but those
  // of running uploads and live sessions, every session's chunks staged or
  // referenced, every chunk's bytes against its hash.
  virtual absl::StatusOr<IntegrityReport> CheckIntegrity() = 0;
};

struct StoreOptions {
  // Chunks column family memtable size; bounds memory during large uploads.
  size_t chunk_write_buffer_bytes = 16 << 20;
  // An upload's chunks past this many bytes are written without the WAL and
  // flushed to their files before the commit (one flush instead of writing
  // every byte twice). Negative: always through the WAL. Small uploads stay
  // below it, so they never pay for a flush.
  int64_t unlogged_after_bytes = int64_t{32} << 20;
  // Writes are refused with RESOURCE_EXHAUSTED while the data directory's
  // file system has less free space than this, so RocksDB itself never
  // runs out (its recovery from a failed write is fragile). 0: no reserve.
  int64_t min_free_bytes = int64_t{256} << 20;
};

// Opens (creating if needed) the store in `dir`, then cleans up what uploads
// interrupted by a crash left behind, and what expired upload sessions
// held; live sessions keep their chunks. The chunks live in `chunks`, or
// without one in the database's own chunks column family.
absl::StatusOr<std::unique_ptr<ArchiveStore>> OpenRocksArchiveStore(
    const std::string& dir, const StoreOptions& options = {},
    std::unique_ptr<ChunkStore> chunks = nullptr);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_ARCHIVE_STORE_H_
