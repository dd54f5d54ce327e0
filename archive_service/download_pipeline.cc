#include "archive_service/download_pipeline.h"

#include <algorithm>
#include <deque>
#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "common/sha256.h"

namespace junheng::archive {
namespace {

// How a chunk is checked on its way out.
enum class Check {
  // Hashed and compared with its SHA-256 (a range, or --download_check).
  kSha256,
  // Compared with the CRC-32C recorded at upload; the store's own checks
  // are skipped.
  kCrc32c,
  // Left to the store's own checks (a content without recorded CRCs).
  kByStore,
};

absl::StatusOr<std::string> FetchChunk(ChunkStore& chunks,
                                       const Sha256Digest& digest, Check check,
                                       uint32_t crc32c) {
  absl::StatusOr<std::string> bytes = check == Check::kCrc32c
                                          ? chunks.GetUnchecked(digest)
                                          : chunks.Get(digest);
  if (absl::IsNotFound(bytes.status())) {
    return absl::DataLossError(absl::StrCat("stored chunk ", ToHex(digest),
                                            " is missing from ",
                                            chunks.Describe()));
  }
  if (!bytes.ok()) return bytes.status();
  if (check == Check::kSha256 && Sha256::Of(*bytes) != digest) {
    return absl::DataLossError(absl::StrCat(
        "stored chunk ", ToHex(digest), " no longer matches its SHA-256; ",
        chunks.Describe(), " corrupted it"));
  }
  if (check == Check::kCrc32c && Crc32c(*bytes) != crc32c) {
    return absl::DataLossError(
        absl::StrCat("stored chunk ", ToHex(digest),
                     " no longer matches the CRC-32C recorded at upload; ",
                     chunks.Describe(), " corrupted it"));
  }
  return bytes;
}

}  // namespace

absl::Status RunDownload(ChunkStore& chunks, const Content& content,
                         DownloadRange range, ChunkCheck check,
                         DownloadSink& sink) {
  if (range.begin >= range.end) return absl::OkStatus();
  const int64_t cs = content.chunk_size;
  const int64_t first = range.begin / cs;
  const int64_t last = (range.end - 1) / cs;
  const bool whole_file = range.begin == 0 && range.end == content.size_bytes;
  // One chunk read ahead keeps the disk busy while the sink sends; a remote
  // store needs more to hide its latency.
  const int64_t window = std::max(2, chunks.Parallelism());
  std::deque<std::future<absl::StatusOr<std::string>>> ahead;
  int64_t next = first;
  const bool have_crc = !content.chunk_crc32c.empty();
  // A part of a file, or a server asked to, hashes every chunk; a whole
  // file is checked against its recorded CRCs when it has them.
  Check how = Check::kSha256;
  if (check != ChunkCheck::kSha256 && whole_file) {
    how = have_crc ? Check::kCrc32c : Check::kByStore;
  }
  auto fill = [&] {
    while (next <= last && static_cast<int64_t>(ahead.size()) < window) {
      const int64_t i = next++;
      const uint32_t crc = have_crc ? content.chunk_crc32c[i] : 0;
      ahead.push_back(
          std::async(std::launch::async, [&chunks, &content, i, how, crc] {
            return FetchChunk(chunks, content.chunks[i], how, crc);
          }));
    }
  };
  fill();
  for (int64_t i = first; i <= last; ++i) {
    absl::StatusOr<std::string> chunk = ahead.front().get();
    ahead.pop_front();
    // Futures left in `ahead` on an early return wait for their reads in
    // their destructors, so no read outlives the content it points into.
    if (!chunk.ok()) return chunk.status();
    fill();
    const int64_t chunk_begin = i * cs;
    const int64_t from = std::max(range.begin, chunk_begin) - chunk_begin;
    const int64_t to = std::min<int64_t>(range.end - chunk_begin,
                                         static_cast<int64_t>(chunk->size()));
    std::string piece;
    if (from == 0 && to == static_cast<int64_t>(chunk->size())) {
      piece = *std::move(chunk);
    } else {
      piece = chunk->substr(from, to - from);
    }
    if (!sink.Write(std::move(piece))) {
      return absl::CancelledError("the client went away");
    }
  }
  return absl::OkStatus();
}

}  // namespace junheng::archive
