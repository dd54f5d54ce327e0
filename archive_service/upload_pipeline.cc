#include "archive_service/upload_pipeline.h"

#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/mutex.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

// Hashes and stages full chunks on its own thread, in order. The thread
// starts with the first chunk, so a small file costs no thread at all.
class ChunkStager {
 public:
  ChunkStager(ArchiveStore& store, uint64_t upload_id)
      : store_(store), upload_id_(upload_id) {}
  // Abandoning the stager (an upload failing midway) drops queued chunks
  // instead of staging them.
  ~ChunkStager() {
    {
      MutexLock lock(&mu_);
      if (status_.ok()) status_ = absl::CancelledError("upload abandoned");
    }
    Close().IgnoreError();
  }

  // Queues a chunk, waiting while kMaxQueuedChunks are queued. Returns the
  // first staging error, after which nothing more is staged.
  absl::Status Add(std::string chunk) {
    MutexLock lock(&mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return queue_.size() < kMaxQueuedChunks || !status_.ok();
    };
    mu_.Await(absl::Condition(&room));
    if (!status_.ok()) return status_;
    queue_.push_back(std::move(chunk));
    return absl::OkStatus();
  }

  // Stages the last, possibly short, chunk in the calling thread once the
  // queue is drained, stops the thread and returns every chunk's digest.
  absl::StatusOr<std::vector<Sha256Digest>> Finish(std::string last) {
    RETURN_IF_ERROR(Close());
    std::vector<Sha256Digest> digests = std::move(digests_);
    if (!last.empty()) {
      Sha256Digest d = Sha256::Of(last);
      RETURN_IF_ERROR(store_.StageChunk(upload_id_, d, last));
      digests.push_back(d);
    }
    return digests;
  }

 private:
  absl::Status Close() {
    {
      MutexLock lock(&mu_);
      closed_ = true;
    }
    if (thread_.joinable()) thread_.join();
    MutexLock lock(&mu_);
    return status_;
  }

  void Run() {
    for (;;) {
      std::string chunk;
      {
        MutexLock lock(&mu_);
        auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return !queue_.empty() || closed_;
        };
        mu_.Await(absl::Condition(&ready));
        if (queue_.empty() || !status_.ok()) return;
        chunk = std::move(queue_.front());
      }
      Sha256Digest d = Sha256::Of(chunk);
      absl::Status s = store_.StageChunk(upload_id_, d, chunk);
      MutexLock lock(&mu_);
      queue_.pop_front();  // only now, so Add() keeps the bound
      if (!s.ok()) {
        status_ = s;
        return;
      }
      digests_.push_back(d);
    }
  }

  ArchiveStore& store_;
  const uint64_t upload_id_;
  std::thread thread_;
  Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::vector<Sha256Digest> digests_;  // written by the thread, read after join
};

absl::StatusOr<CommitResult> Upload(ArchiveStore& store, const UploadSpec& spec,
                                    UploadSource& source, uint64_t upload_id) {
  const int64_t limit = spec.expected_size.value_or(spec.max_file_bytes);
  ChunkStager stager(store, upload_id);
  Sha256 file_hash;
  std::string buffer;
  std::string piece;
  int64_t size = 0;
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
    if (buffer.empty() && piece.size() == kChunkSize) {
      RETURN_IF_ERROR(stager.Add(std::move(piece)));
      continue;
    }
    absl::string_view rest = piece;
    while (!rest.empty()) {
      const size_t take = std::min(
          rest.size(), static_cast<size_t>(kChunkSize) - buffer.size());
      buffer.append(rest.data(), take);
      rest.remove_prefix(take);
      if (buffer.size() == kChunkSize) {
        RETURN_IF_ERROR(stager.Add(std::move(buffer)));
        buffer.clear();
      }
    }
  }
  RETURN_IF_ERROR(source.Finish());
  ASSIGN_OR_RETURN(std::vector<Sha256Digest> chunks,
                   stager.Finish(std::move(buffer)));
  const Sha256Digest sha256 = file_hash.Finish();

  if (spec.expected_size && size != *spec.expected_size) {
    return InvalidField(
        "header.size_bytes",
        absl::StrCat("declared ", *spec.expected_size,
                     " bytes but the stream ended after ", size));
  }
  if (spec.expected_sha256 && sha256 != *spec.expected_sha256) {
    return InvalidField(
        "header.sha256",
        absl::StrCat("declared ", ToHex(*spec.expected_sha256),
                     " but the bytes received hash to ", ToHex(sha256),
                     "; the file changed or was damaged in transit"));
  }
  CommitRequest commit = spec.commit;
  commit.upload_id = upload_id;
  commit.sha256 = sha256;
  commit.size_bytes = size;
  commit.chunks = std::move(chunks);
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
