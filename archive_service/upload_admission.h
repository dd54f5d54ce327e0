// A ceiling on the bytes uploads may hold in memory at once, so that a rush
// of uploads is turned away with RESOURCE_EXHAUSTED and a retry hint instead
// of growing the process until the kernel kills it.
//
// Each upload reserves what it can hold at most: its declared size when
// that is smaller, else its pipeline window (the message being received
// plus the chunks queued for staging, upload_pipeline.h). Admission never
// waits, so no server thread is parked on it.
#ifndef JUNHENG_ARCHIVE_SERVICE_UPLOAD_ADMISSION_H_
#define JUNHENG_ARCHIVE_SERVICE_UPLOAD_ADMISSION_H_

#include <atomic>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"

namespace junheng::archive {

class UploadAdmission {
 public:
  // limit_bytes <= 0: no limit.
  explicit UploadAdmission(int64_t limit_bytes) : limit_(limit_bytes) {}

  // Returns its reservation on destruction.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept
        : owner_(other.owner_), bytes_(other.bytes_) {
      other.owner_ = nullptr;
    }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (owner_ != nullptr) owner_->in_flight_.fetch_sub(bytes_);
    }

   private:
    friend class UploadAdmission;
    Ticket(UploadAdmission* owner, int64_t bytes)
        : owner_(owner), bytes_(bytes) {}
    UploadAdmission* owner_;
    int64_t bytes_;
  };

  // The reservation for an upload that declared `declared_size` (or none),
  // cut into `chunk_size` chunks staged by `workers` threads.
  static int64_t ReservationFor(std::optional<int64_t> declared_size,
                                int64_t chunk_size, int workers);

  // RESOURCE_EXHAUSTED with a RetryInfo delay when the reservation does not
  // fit.
  absl::StatusOr<Ticket> Admit(int64_t bytes);

  int64_t in_flight() const { return in_flight_.load(); }

 private:
  const int64_t limit_;
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_UPLOAD_ADMISSION_H_
