// The upload pipeline: receive → hash → cut into chunks → stage → commit.
//
// It sees a plain UploadSource, not gRPC, so it can be benchmarked without a
// socket and tested over one. The caller's thread receives and computes the
// file's SHA-256; worker threads (one, or the chunk store's Parallelism())
// hash and stage the storage chunks, so receiving, hashing and writing
// overlap. At most kMaxQueuedChunks + workers - 1 chunks are held between
// them, which bounds an upload's memory to a few MiB whatever the file
// size. download_pipeline.h is the same shape in the other direction.
#ifndef JUNHENG_ARCHIVE_SERVICE_UPLOAD_PIPELINE_H_
#define JUNHENG_ARCHIVE_SERVICE_UPLOAD_PIPELINE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "archive_service/archive_store.h"

namespace junheng::archive {

inline constexpr int kMaxQueuedChunks = 3;

// The file's bytes, in order, in pieces of any size.
class UploadSource {
 public:
  virtual ~UploadSource() = default;
  // Stores the next piece in *piece; false when there is none, either
  // because the stream ended or because it failed (see Finish).
  virtual bool Next(std::string* piece) = 0;
  // After Next returned false: OK if the stream ended as it should, else
  // why not (the client cancelled, sent a second header, …).
  virtual absl::Status Finish() = 0;
  // After Finish: a SHA-256 the sender declared after the bytes, if any.
  virtual std::optional<Sha256Digest> TrailerSha256() { return std::nullopt; }
};

struct UploadSpec {
  // Everything but upload_id, sha256, size_bytes and chunks, which the
  // pipeline fills in; the file is cut into commit.chunk_size pieces.
  // commit.resumable: keep what arrived if the stream is cut (below).
  CommitRequest commit;
  std::optional<Sha256Digest> expected_sha256;
  std::optional<int64_t> expected_size;
  int64_t max_file_bytes = 0;

  // From the header, for the application's checks (archive.h).
  int64_t resume_offset = 0;
  bool content_type_given = false;

  // A resumable upload's session: with upload.upload_id 0 a new one (its
  // fields are what a record of it will say), else the recorded session
  // this stream resumes, whose committed prefix the file continues after,
  // under its upload id and chunk size.
  std::optional<UploadSession> session;
  // How long a session lives after a stream last added to it.
  int64_t session_ttl_us = 0;
  // A resumable stream records its progress each time this many more bytes
  // were staged, so that a crash of the server loses at most about this
  // much; 0: only when the stream ends.
  int64_t checkpoint_bytes = 0;
};

// Reads `source` to its end and commits the version. On any failure the
// upload leaves nothing behind, but for a resumable one (spec.session) cut
// before the end: then every whole chunk received stays, recorded in its
// session (ArchiveStore::SaveUploadSession), and the error says where to
// resume. A cut is the source failing with CANCELLED, DEADLINE_EXCEEDED or
// UNAVAILABLE, or ending before the declared size. A resumable stream
// that fails in the store leaves its session as last recorded; one whose
// bytes contradict the header ends its session.
//
// INVALID_ARGUMENT (field header.size_bytes or header.sha256) when the
// bytes differ from what the header declared; RESOURCE_EXHAUSTED past
// max_file_bytes; DATA_LOSS when a resumed session's stored chunks fail
// their check; otherwise the source's or the store's error.
absl::StatusOr<CommitResult> RunUpload(ArchiveStore& store,
                                       const UploadSpec& spec,
                                       UploadSource& source);

// RESOURCE_EXHAUSTED for a file over `limit` bytes.
absl::Status FileTooLarge(int64_t limit);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_UPLOAD_PIPELINE_H_
