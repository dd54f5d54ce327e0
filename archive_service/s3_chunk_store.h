// ChunkStore on an S3 bucket (Ceph RGW, MinIO, a provincial cloud's object
// storage): each chunk is one object named chunks/{64 hex digits of its
// SHA-256}; FORMAT.md has the layout and how unreferenced objects are
// collected.
//
// A PUT is durable when the store answers 200, so Sync() has nothing left
// to do. The bucket is created with Object Lock enabled if it does not
// exist (Object Lock can only be turned on at creation), so that an
// inspection freeze can put chunks under COMPLIANCE retention.
#ifndef JUNHENG_ARCHIVE_SERVICE_S3_CHUNK_STORE_H_
#define JUNHENG_ARCHIVE_SERVICE_S3_CHUNK_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "archive_service/chunk_store.h"
#include "archive_service/s3_client.h"

namespace junheng::archive {

inline constexpr char kS3ChunkPrefix[] = "chunks/";

// The object key of a chunk.
std::string S3ChunkKey(const Sha256Digest& sha256);

struct S3ChunkStoreOptions {
  S3Options s3;
  // Requests one upload or download keeps in flight.
  int parallelism = 4;
  // Size of new chunks (one object each).
  int64_t chunk_size = int64_t{8} << 20;
};

// Connects and makes sure the bucket exists. A store that does not answer
// is not an error here: the archive starts, serves what its metadata
// holds, and refuses uploads with UNAVAILABLE until the store is back.
absl::StatusOr<std::unique_ptr<ChunkStore>> OpenS3ChunkStore(
    const S3ChunkStoreOptions& options);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_S3_CHUNK_STORE_H_
