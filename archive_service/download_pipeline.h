// The download pipeline: read → verify → send, the upload pipeline's mirror.
//
// Reader threads fetch the chunks of a byte range from the chunk store up
// to a bounded window ahead (one or two for RocksDB, the store's
// Parallelism() for a remote one) and verify them; the caller's thread cuts
// the range out of them and hands them to a DownloadSink in order. It sees
// a plain sink, not gRPC, so it can be benchmarked and tested without a
// socket. Memory is bounded by the window, whatever the file size.
#ifndef JUNHENG_ARCHIVE_SERVICE_DOWNLOAD_PIPELINE_H_
#define JUNHENG_ARCHIVE_SERVICE_DOWNLOAD_PIPELINE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "archive_service/archive_store.h"
#include "archive_service/chunk_store.h"

namespace junheng::archive {

// Where a download's bytes go, in order.
class DownloadSink {
 public:
  virtual ~DownloadSink() = default;
  // Called once by Archive::Download before any byte, with the version
  // being sent. False when the receiver went away.
  virtual bool Begin(const VersionInfo& version) = 0;
  // False when the receiver went away; the download stops.
  virtual bool Write(std::string bytes) = 0;
};

// How the bytes a download sends are checked on the server
// (RELIABILITY.md, "Verifying downloads").
enum class ChunkCheck {
  // Every chunk is hashed and compared with its SHA-256 before it is sent.
  kSha256,
  // The chunks of a part of a file are hashed (its receiver cannot check
  // a part); those of a whole file are checked against the CRC-32C
  // recorded at upload (or, for contents stored before CRCs were, by the
  // chunk store's own checksums), and its receiver checks the file's
  // SHA-256, which the first message carries.
  kRangesOnly,
};

struct DownloadRange {
  int64_t begin = 0;
  int64_t end = 0;  // exclusive; begin <= end <= content size
};

// Sends bytes [range.begin, range.end) of `content` to `sink`. DATA_LOSS
// for a missing chunk or one that fails its check (nothing of it is sent),
// CANCELLED when the sink refuses bytes, the chunk store's error otherwise.
absl::Status RunDownload(ChunkStore& chunks, const Content& content,
                         DownloadRange range, ChunkCheck check,
                         DownloadSink& sink);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_DOWNLOAD_PIPELINE_H_
