#include "archive_service/upload_admission.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "archive_service/archive_store.h"
#include "archive_service/upload_pipeline.h"
#include "common/grpc_status.h"

namespace junheng::archive {
namespace {

// The largest message the server accepts (common/server_main.h).
constexpr int64_t kMaxMessageBytes = int64_t{8} << 20;

}  // namespace

int64_t UploadAdmission::ReservationFor(std::optional<int64_t> declared,
                                        int64_t chunk_size, int workers) {
  // The message being received, the chunk being filled, and the pipeline's
  // window of chunks queued or being staged (upload_pipeline.h).
  const int64_t window =
      kMaxMessageBytes + (kMaxQueuedChunks + workers) * chunk_size;
  if (declared && *declared >= 0) {
    // Pieces arrive whole even when the file is smaller than a chunk.
    return std::max<int64_t>(std::min(*declared, window), 64 << 10);
  }
  return window;
}

absl::StatusOr<UploadAdmission::Ticket> UploadAdmission::Admit(int64_t bytes) {
  if (limit_ <= 0) return Ticket(this, 0);
  const int64_t before = in_flight_.fetch_add(bytes);
  // One upload is always admitted, whatever its reservation, so a limit
  // below the window cannot starve everyone.
  if (before > 0 && before + bytes > limit_) {
    in_flight_.fetch_sub(bytes);
    absl::Status busy = absl::ResourceExhaustedError(absl::StrCat(
        "the archive is receiving as many uploads as its memory allows (",
        before >> 20, " MiB in flight, limit ", limit_ >> 20,
        " MiB, --max_inflight_upload_bytes); retry after the delay given"));
    SetRetryDelay(busy, absl::Seconds(1));
    return busy;
  }
  return Ticket(this, bytes);
}

}  // namespace junheng::archive
