// ChunkStore: where the bytes of evidence live, as content-addressed chunks.
//
// The metadata store (archive_store.h) decides which chunks exist and when
// one may go; a ChunkStore only keeps bytes under their SHA-256. Two
// implementations: the chunks column family of the archive's own RocksDB
// (the default: one process, nothing to install) and an S3 bucket
// (s3_chunk_store.h), for a national archive whose bytes do not fit one
// machine.
//
// Thread-safety: every method may be called concurrently.
#ifndef JUNHENG_ARCHIVE_SERVICE_CHUNK_STORE_H_
#define JUNHENG_ARCHIVE_SERVICE_CHUNK_STORE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace junheng::archive {

class ChunkStore {
 public:
  virtual ~ChunkStore() = default;

  // For messages and logs: "RocksDB", "s3://bucket at http://host:port".
  virtual std::string Describe() const = 0;

  // True when a Put is durable on its own, outside the archive's RocksDB
  // write-ahead log: the metadata store then syncs the record that lets
  // recovery find an uncommitted chunk before the chunk is written.
  virtual bool IsRemote() const = 0;

  // How many Put or Get calls one upload or download should keep in flight
  // to use this store's bandwidth (a remote store hides its latency so).
  virtual int Parallelism() const = 0;

  // The size new uploads are cut into. Recorded per content, so it may
  // differ between stores and change over time. An object store pays a
  // fixed cost per object (RGW: a bucket-index update), so it wants larger
  // chunks than RocksDB, where 1 MiB keeps deduplication fine-grained.
  virtual int64_t ChunkSize() const = 0;

  // Stores `bytes` under `sha256`, their SHA-256 (the caller computed it).
  // `bulk`: part of a large upload; the store may defer durability to
  // Sync(true). Storing the same chunk twice is harmless.
  // RESOURCE_EXHAUSTED (no space), UNAVAILABLE (the store does not answer).
  virtual absl::Status Put(const Sha256Digest& sha256, absl::string_view bytes,
                           bool bulk) = 0;

  // The stored bytes, not verified against `sha256` (the download pipeline
  // decides how to verify). NOT_FOUND when absent; UNAVAILABLE when the
  // store does not answer.
  virtual absl::StatusOr<std::string> Get(const Sha256Digest& sha256) = 0;

  // As Get, but the store may skip its own checks of what it reads: the
  // caller checks the bytes itself, against the CRC-32C recorded at upload.
  // A store without checks of its own just reads.
  virtual absl::StatusOr<std::string> GetUnchecked(const Sha256Digest& sha256) {
    return Get(sha256);
  }

  // Removes a chunk nothing references. Absent chunks are not an error.
  virtual absl::Status Delete(const Sha256Digest& sha256) = 0;

  // Makes every Put that returned before it durable. `after_bulk`: some of
  // them were bulk puts. A store whose puts share the metadata store's log
  // (RocksDB) may leave the rest to the commit's sync of that log.
  virtual absl::Status Sync(bool after_bulk) = 0;

  // Keeps the chunk unchangeable and undeletable until `until_us` (Unix
  // microseconds), by anyone: an inspection freeze (FORMAT.md). Extending
  // is allowed, shortening is not (the later date wins). A store that
  // enforces this itself (S3 Object Lock) does; the RocksDB store relies on
  // the metadata store's freeze records.
  virtual absl::Status Retain(const Sha256Digest& sha256, int64_t until_us) = 0;

  // Calls `fn` with the digest of every stored chunk, in no set order,
  // until it returns false. For integrity checks and garbage collection.
  virtual absl::Status ForEach(
      const std::function<bool(const Sha256Digest&)>& fn) = 0;
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_CHUNK_STORE_H_
