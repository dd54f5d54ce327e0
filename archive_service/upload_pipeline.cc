#include "archive_service/upload_pipeline.h"

#include <algorithm>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "common/grpc_status.h"
#include "common/mutex.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

// Hashes and stages full chunks on worker threads (as many as the chunk
// store can use at once: one for RocksDB, several for a remote store, whose
// latency they hide). The threads start with the first chunk, so a small
// file costs no thread at all. Digests are kept in file order whatever
// order the workers finish in.
class ChunkStager {
 public:
  ChunkStager(ArchiveStore& store, uint64_t upload_id)
      : store_(store),
        upload_id_(upload_id),
        workers_(std::max(1, store.chunks().Parallelism())),
        window_(kMaxQueuedChunks + workers_ - 1) {}
  // Abandoning the stager (an upload failing midway) drops queued chunks
  // instead of staging them.
  ~ChunkStager() {
    {
      MutexLock lock(&mu_);
      if (status_.ok()) status_ = absl::CancelledError("upload abandoned");
    }
    Close().IgnoreError();
  }

  // Queues a chunk, waiting while the window is full. Returns the first
  // staging error, after which nothing more is staged.
  absl::Status Add(std::string chunk) {
    MutexLock lock(&mu_);
    if (threads_.empty()) {
      for (int i = 0; i < workers_; ++i)
        threads_.emplace_back([this] { Run(); });
    }
    auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return in_flight_ < window_ || !status_.ok();
    };
    mu_.Await(absl::Condition(&room));
    if (!status_.ok()) return status_;
    queue_.push_back({digests_.size(), std::move(chunk)});
    digests_.emplace_back();
    crcs_.emplace_back();
    ++in_flight_;
    return absl::OkStatus();
  }

  // Stages the last, possibly short, chunk in the calling thread once the
  // queue is drained, stops the threads and puts every chunk's digest and
  // CRC-32C into `*commit`.
  absl::Status Finish(std::string last, CommitRequest* commit) {
    RETURN_IF_ERROR(Close());
    commit->chunks = std::move(digests_);
    commit->chunk_crc32c = std::move(crcs_);
    if (!last.empty()) {
      Sha256Digest d = Sha256::Of(last);
      RETURN_IF_ERROR(store_.StageChunk(upload_id_, d, last));
      commit->chunks.push_back(d);
      commit->chunk_crc32c.push_back(Crc32c(last));
    }
    return absl::OkStatus();
  }

 private:
  struct Item {
    size_t index;
    std::string bytes;
  };

  absl::Status Close() {
    {
      MutexLock lock(&mu_);
      closed_ = true;
    }
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    MutexLock lock(&mu_);
    return status_;
  }

  void Run() {
    for (;;) {
      Item item;
      {
        MutexLock lock(&mu_);
        auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return !queue_.empty() || closed_ || !status_.ok();
        };
        mu_.Await(absl::Condition(&ready));
        if (queue_.empty() || !status_.ok()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Sha256Digest d = Sha256::Of(item.bytes);
      const uint32_t crc = Crc32c(item.bytes);
      absl::Status s = store_.StageChunk(upload_id_, d, item.bytes);
      MutexLock lock(&mu_);
      --in_flight_;  // only now, so Add() keeps the bound
      if (!s.ok()) {
        if (status_.ok()) status_ = s;
        return;
      }
      digests_[item.index] = d;
      crcs_[item.index] = crc;
    }
  }

  ArchiveStore& store_;
  const uint64_t upload_id_;
  const int workers_;
  const int window_;
  std::vector<std::thread> threads_;
  Mutex mu_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  // Grown by Add() and filled by the workers, both under mu_; read by
  // Finish() after the threads are joined.
  std::vector<Sha256Digest> digests_;
  std::vector<uint32_t> crcs_;
};

absl::StatusOr<CommitResult> Upload(ArchiveStore& store, const UploadSpec& spec,
                                    UploadSource& source, uint64_t upload_id) {
  const int64_t limit = spec.expected_size.value_or(spec.max_file_bytes);
  ChunkStager stager(store, upload_id);
  Sha256 file_hash;
  std::string buffer;
  std::string piece;
  int64_t size = 0;
  const size_t chunk_size = static_cast<size_t>(spec.commit.chunk_size);
  while (source.Next(&piece)) {
    size += static_cast<int64_t>(piece.size());
    if (size > limit) {
      if (spec.expected_size && size <= spec.max_file_bytes) {
        return InvalidField("header.size_bytes",
                            absl::StrCat("declared ", *spec.expected_size,
                                         " bytes but more were sent"));
      }
      return FileTooLarge(spec.max_file_bytes);
    }
    file_hash.Update(piece);
    if (buffer.empty() && piece.size() == chunk_size) {
      RETURN_IF_ERROR(stager.Add(std::move(piece)));
      continue;
    }
    absl::string_view rest = piece;
    while (!rest.empty()) {
      const size_t take = std::min(rest.size(), chunk_size - buffer.size());
      buffer.append(rest.data(), take);
      rest.remove_prefix(take);
      if (buffer.size() == chunk_size) {
        RETURN_IF_ERROR(stager.Add(std::move(buffer)));
        buffer.clear();
      }
    }
  }
  RETURN_IF_ERROR(source.Finish());
  CommitRequest commit = spec.commit;
  RETURN_IF_ERROR(stager.Finish(std::move(buffer), &commit));
  const Sha256Digest sha256 = file_hash.Finish();

  if (spec.expected_size && size != *spec.expected_size) {
    return InvalidField(
        "header.size_bytes",
        absl::StrCat("declared ", *spec.expected_size,
                     " bytes but the stream ended after ", size));
  }
  if (std::optional<Sha256Digest> trailer = source.TrailerSha256();
      trailer.has_value() && sha256 != *trailer) {
    return InvalidField(
        "trailer_sha256",
        absl::StrCat("declared ", ToHex(*trailer),
                     " but the bytes received hash to ", ToHex(sha256),
                     "; the file changed or was damaged in transit"));
  }
  if (spec.expected_sha256 && sha256 != *spec.expected_sha256) {
    return InvalidField(
        "header.sha256",
        absl::StrCat("declared ", ToHex(*spec.expected_sha256),
                     " but the bytes received hash to ", ToHex(sha256),
                     "; the file changed or was damaged in transit"));
  }
  commit.upload_id = upload_id;
  commit.sha256 = sha256;
  commit.size_bytes = size;
  return store.CommitVersion(commit);
}

}  // namespace

absl::Status FileTooLarge(int64_t limit) {
  return absl::ResourceExhaustedError(absl::StrCat(
      "the file is larger than this archive accepts (", limit,
      " bytes, --max_file_bytes); split it or ask the operator to raise the "
      "limit"));
}

absl::StatusOr<CommitResult> RunUpload(ArchiveStore& store,
                                       const UploadSpec& spec,
                                       UploadSource& source) {
  const uint64_t upload_id = store.NewUploadId();
  absl::StatusOr<CommitResult> result = Upload(store, spec, source, upload_id);
  if (!result.ok()) store.AbortUpload(upload_id);
  return result;
}

}  // namespace junheng::archive
