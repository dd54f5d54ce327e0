#include "archive_service/upload_pipeline.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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
    done_.push_back(false);
    ++in_flight_;
    return absl::OkStatus();
  }

  // The chunks staged without a gap from the first, once every chunk
  // queued so far is written (or one failed): what a checkpoint of a
  // resumable upload records. Waiting costs one drain of the queue per
  // checkpoint; not waiting would record only the chunks that happened to
  // be done, and nothing more if the stream then stalls.
  void StagedPrefix(std::vector<Sha256Digest>* digests,
                    std::vector<uint32_t>* crcs) {
    MutexLock lock(&mu_);
    auto drained = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return in_flight_ == 0 || !status_.ok();
    };
    mu_.Await(absl::Condition(&drained));
    size_t n = 0;
    while (n < done_.size() && done_[n]) ++n;
    digests->assign(digests_.begin(), digests_.begin() + n);
    crcs->assign(crcs_.begin(), crcs_.begin() + n);
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
      done_[item.index] = true;
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
  // Finish() after the threads are joined, and by StagedPrefix() under mu_.
  std::vector<Sha256Digest> digests_;
  std::vector<uint32_t> crcs_;
  std::vector<bool> done_;
};

// Who a failed upload's failure is owed to, which decides what a resumable
// one keeps.
enum class Fault {
  kCut,    // the stream ended early: keep every whole chunk received
  kStore,  // the store failed: keep the session as last recorded
  kBytes,  // the bytes or the stream contradict the header: keep nothing
};

bool IsCut(const absl::Status& s) {
  return absl::IsCancelled(s) || absl::IsDeadlineExceeded(s) ||
         absl::IsUnavailable(s);
}

// One run of the pipeline over one stream.
class UploadRun {
 public:
  UploadRun(ArchiveStore& store, const UploadSpec& spec, UploadSource& source)
      : store_(store),
        spec_(spec),
        source_(source),
        resumable_(spec.session.has_value()),
        recorded_(resumable_ && spec.session->upload.upload_id != 0),
        upload_id_(recorded_ ? spec.session->upload.upload_id
                             : store.NewUploadId()),
        start_us_(absl::ToUnixMicros(absl::Now())) {}

  absl::StatusOr<CommitResult> Run() {
    Fault fault = Fault::kBytes;
    absl::StatusOr<CommitResult> result = Receive(&fault);
    if (result.ok()) return result;
    if (!resumable_ || !recorded_) {
      // Nothing recorded (not resumable, or a session whose first record
      // failed): nothing to keep.
      store_.AbortUpload(upload_id_);
    } else if (fault == Fault::kBytes) {
      // The session cannot complete with what it holds; a new upload must
      // start from the beginning.
      if (absl::Status d = store_.DeleteUploadSession(spec_.commit.request_id);
          !d.ok()) {
        std::fprintf(stderr,
                     "junheng-archive: cannot end the upload session of "
                     "request id %s (%s); it stays until it expires\n",
                     spec_.commit.request_id.c_str(), d.ToString().c_str());
      }
      store_.AbortUpload(upload_id_);
    }
    // kCut and kStore with a record: the session stays as last recorded.
    // Chunks this stream staged past it stay pinned under its upload id
    // until the session ends; a resume stages them again if their write
    // had failed.
    return result.status();
  }

 private:
  absl::StatusOr<CommitResult> Receive(Fault* fault);

  // Reads the session's committed prefix back from the store into `hash`:
  // the file's SHA-256 continues across the break, and the stored chunks
  // are verified on the way (RELIABILITY.md, the resumable-upload row).
  absl::Status Rehash(Sha256& hash) {
    const CommitRequest& prefix = spec_.session->upload;
    for (const Sha256Digest& d : prefix.chunks) {
      ASSIGN_OR_RETURN(std::string bytes, store_.ReadChunk(d));
      if (static_cast<int64_t>(bytes.size()) != prefix.chunk_size) {
        return absl::DataLossError(
            absl::StrCat("stored chunk ", ToHex(d), " has ", bytes.size(),
                         " bytes, not the session's chunk size"));
      }
      hash.Update(bytes);
    }
    return absl::OkStatus();
  }

  // Records the session with `chunks` (from offset 0) as its committed
  // prefix.
  absl::Status Save(std::vector<Sha256Digest> chunks,
                    std::vector<uint32_t> crcs) {
    UploadSession s = *spec_.session;
    const int64_t now = absl::ToUnixMicros(absl::Now());
    s.upload.upload_id = upload_id_;
    s.upload.chunk_size = spec_.commit.chunk_size;
    s.upload.request_id = spec_.commit.request_id;
    s.upload.resumable = true;
    s.upload.chunks = std::move(chunks);
    s.upload.chunk_crc32c = std::move(crcs);
    s.declared_size = spec_.expected_size;
    s.declared_sha256 = spec_.expected_sha256;
    s.committed_bytes =
        static_cast<int64_t>(s.upload.chunks.size()) * spec_.commit.chunk_size;
    if (s.create_time_us == 0) s.create_time_us = start_us_;
    s.update_time_us = now;
    s.expire_time_us = now + spec_.session_ttl_us;
    RETURN_IF_ERROR(store_.SaveUploadSession(s));
    recorded_ = true;
    saved_bytes_ = s.committed_bytes;
    return absl::OkStatus();
  }

  // The session's prefix followed by this stream's chunks.
  void Joined(const std::vector<Sha256Digest>& chunks,
              const std::vector<uint32_t>& crcs,
              std::vector<Sha256Digest>* all_chunks,
              std::vector<uint32_t>* all_crcs) const {
    *all_chunks = spec_.session && recorded_at_start()
                      ? spec_.session->upload.chunks
                      : std::vector<Sha256Digest>();
    *all_crcs = spec_.session && recorded_at_start()
                    ? spec_.session->upload.chunk_crc32c
                    : std::vector<uint32_t>();
    all_chunks->insert(all_chunks->end(), chunks.begin(), chunks.end());
    all_crcs->insert(all_crcs->end(), crcs.begin(), crcs.end());
  }
  bool recorded_at_start() const {
    return spec_.session->upload.upload_id != 0;
  }

  ArchiveStore& store_;
  const UploadSpec& spec_;
  UploadSource& source_;
  const bool resumable_;
  bool recorded_;  // the session has a record (from before, or saved now)
  const uint64_t upload_id_;
  const int64_t start_us_;
  int64_t saved_bytes_ = 0;
};

absl::StatusOr<CommitResult> UploadRun::Receive(Fault* fault) {
  const UploadSpec& spec = spec_;
  const int64_t limit = spec.expected_size.value_or(spec.max_file_bytes);
  Sha256 file_hash;
  int64_t size = 0;
  if (resumable_ && recorded_at_start()) {
    // A damaged prefix cannot become a good version: start again (kBytes);
    // a store that does not answer may answer later (kStore).
    *fault = Fault::kStore;
    if (absl::Status s = Rehash(file_hash); !s.ok()) {
      if (absl::IsDataLoss(s)) *fault = Fault::kBytes;
      return absl::Status(
          s.code(),
          absl::StrCat("the upload session's stored bytes: ", s.message(),
                       absl::IsDataLoss(s)
                           ? "; the session is discarded, upload the file "
                             "again from offset 0"
                           : ""));
    }
    size = spec.session->committed_bytes;
  }
  saved_bytes_ = size;
  ChunkStager stager(store_, upload_id_);
  std::string buffer;
  std::string piece;
  const size_t chunk_size = static_cast<size_t>(spec.commit.chunk_size);
  int64_t next_checkpoint =
      spec.checkpoint_bytes > 0 ? size + spec.checkpoint_bytes : -1;
  while (source_.Next(&piece)) {
    size += static_cast<int64_t>(piece.size());
    if (size > limit) {
      *fault = Fault::kBytes;
      if (spec.expected_size && size <= spec.max_file_bytes) {
        return InvalidField("header.size_bytes",
                            absl::StrCat("declared ", *spec.expected_size,
                                         " bytes but more were sent"));
      }
      return FileTooLarge(spec.max_file_bytes);
    }
    file_hash.Update(piece);
    *fault = Fault::kStore;
    if (buffer.empty() && piece.size() == chunk_size) {
      RETURN_IF_ERROR(stager.Add(std::move(piece)));
    } else {
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
    if (resumable_ && next_checkpoint >= 0 &&
        size - static_cast<int64_t>(buffer.size()) >= next_checkpoint) {
      next_checkpoint += spec.checkpoint_bytes;
      std::vector<Sha256Digest> staged, all;
      std::vector<uint32_t> crcs, all_crcs;
      stager.StagedPrefix(&staged, &crcs);
      Joined(staged, crcs, &all, &all_crcs);
      if (static_cast<int64_t>(all.size()) * spec.commit.chunk_size >
          saved_bytes_) {
        // A checkpoint that fails costs only what a crash would then lose;
        // the stream goes on.
        if (absl::Status s = Save(std::move(all), std::move(all_crcs));
            !s.ok()) {
          std::fprintf(stderr,
                       "junheng-archive: cannot record the progress of the "
                       "upload with request id %s: %s\n",
                       spec.commit.request_id.c_str(), s.ToString().c_str());
        }
      }
    }
  }
  const absl::Status ended = source_.Finish();
  const bool short_of_declared =
      ended.ok() && spec.expected_size && size < *spec.expected_size;
  if (!ended.ok() || short_of_declared) {
    if (!resumable_ || (!ended.ok() && !IsCut(ended))) {
      *fault = Fault::kBytes;
      if (!ended.ok()) return ended;
      return InvalidField(
          "header.size_bytes",
          absl::StrCat("declared ", *spec.expected_size,
                       " bytes but the stream ended after ", size));
    }
    // A cut: every whole chunk received is kept, the partial one is not.
    CommitRequest received;
    *fault = Fault::kStore;
    RETURN_IF_ERROR(stager.Finish("", &received));
    *fault = Fault::kCut;
    std::vector<Sha256Digest> all;
    std::vector<uint32_t> all_crcs;
    Joined(received.chunks, received.chunk_crc32c, &all, &all_crcs);
    const int64_t kept =
        static_cast<int64_t>(all.size()) * spec.commit.chunk_size;
    const std::string session_name = absl::StrCat(
        spec.commit.name.ToString(), "/uploads/", spec.commit.request_id);
    std::string outcome;
    if (absl::Status s = Save(std::move(all), std::move(all_crcs)); s.ok()) {
      // The offset first: a field violation's text is cut short in the
      // status message.
      outcome =
          absl::StrCat("; resume at offset ", kept, " (the upload session ",
                       session_name, " keeps the bytes before it)");
    } else {
      std::fprintf(stderr,
                   "junheng-archive: cannot record the upload session %s: "
                   "%s\n",
                   session_name.c_str(), s.ToString().c_str());
      outcome = absl::StrCat(
          recorded_ ? absl::StrCat("; resume at offset ", saved_bytes_)
                    : std::string("; start again at offset 0"),
          " (the upload session ", session_name,
          " could not record the rest: ", s.message(), ")");
    }
    if (!ended.ok()) {
      return absl::Status(ended.code(), absl::StrCat(ended.message(), outcome));
    }
    return InvalidField(
        "header.size_bytes",
        absl::StrCat("declared ", *spec.expected_size,
                     " bytes but the stream ended after ", size, outcome));
  }
  CommitRequest commit = spec.commit;
  *fault = Fault::kStore;
  RETURN_IF_ERROR(stager.Finish(std::move(buffer), &commit));
  if (resumable_) {
    std::vector<Sha256Digest> all;
    std::vector<uint32_t> all_crcs;
    Joined(commit.chunks, commit.chunk_crc32c, &all, &all_crcs);
    commit.chunks = std::move(all);
    commit.chunk_crc32c = std::move(all_crcs);
    commit.resumable = true;
  }
  const Sha256Digest sha256 = file_hash.Finish();

  *fault = Fault::kBytes;
  if (std::optional<Sha256Digest> trailer = source_.TrailerSha256();
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
  commit.upload_id = upload_id_;
  commit.sha256 = sha256;
  commit.size_bytes = size;
  *fault = Fault::kStore;
  return store_.CommitVersion(commit);
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
  return UploadRun(store, spec, source).Run();
}

}  // namespace junheng::archive
