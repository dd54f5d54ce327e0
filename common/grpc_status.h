// The one place where absl::Status meets grpc::Status (AIP-193).
//
// Inside the services every function returns absl::Status; a request field
// that is wrong is reported with InvalidFields(), which stores the field
// violations in the status payload. At the gRPC edge ToGrpc() turns that into
// INVALID_ARGUMENT with a google.rpc.BadRequest in the status details, so a
// client sees exactly which field to fix. Clients use FromGrpc() to get the
// violations back.
#ifndef JUNHENG_COMMON_GRPC_STATUS_H_
#define JUNHENG_COMMON_GRPC_STATUS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace junheng {

struct FieldViolation {
  std::string field;
  std::string description;
};

// INVALID_ARGUMENT whose message lists every violation and whose payload
// carries them for ToGrpc(). `summary` opens the message.
absl::Status InvalidFields(absl::string_view summary,
                           const std::vector<FieldViolation>& violations);

// INVALID_ARGUMENT with a single field violation.
absl::Status InvalidField(std::string field, std::string description);

// The field violations carried by `status`, if any.
std::vector<FieldViolation> FieldViolations(const absl::Status& status);

// Attaches a retry hint (google.rpc.RetryInfo) to a RESOURCE_EXHAUSTED or
// UNAVAILABLE status.
void SetRetryDelay(absl::Status& status, absl::Duration delay);
// The retry hint `status` carries, if any.
std::optional<absl::Duration> RetryDelay(const absl::Status& status);

// At most `max_bytes` bytes of `text` (then "…"), always valid UTF-8: cut
// at a character boundary, and each byte that is not part of a UTF-8
// character shown as \xNN, because a field violation that is not UTF-8
// cannot be parsed back from the google.rpc.BadRequest it travels in (and a
// client would then see no violation at all).
std::string Excerpt(absl::string_view text, size_t max_bytes);

// Maps the status, keeping message, field violations and retry hint. The
// result fits in gRPC's default 8 KiB metadata limit whatever `status`
// holds (about 4.3 KiB at most on the wire): the message is cut to 512
// bytes, the violations to those that fit in 1.5 KiB (each field to 96
// bytes, each description to 320, then one "… and N more"), other details
// over 256 bytes are dropped, and every string is valid UTF-8.
grpc::Status ToGrpc(const absl::Status& status);

// The same status as a google.rpc.Status message, bounded the same way, for
// an error reported inside a response (a county that could not be
// evaluated in a province's stream).
google::rpc::Status ToRpcStatus(const absl::Status& status);

// The inverse, for clients: decodes the details ToGrpc() attached.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace junheng

#endif  // JUNHENG_COMMON_GRPC_STATUS_H_
