// Validation of an upload's header: every field checked, every problem
// reported at once. Pure (no gRPC call, no storage) so it can be fuzzed.
#ifndef JUNHENG_ARCHIVE_SERVICE_UPLOAD_HEADER_H_
#define JUNHENG_ARCHIVE_SERVICE_UPLOAD_HEADER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive_service/upload_pipeline.h"
#include "common/resource_name.h"
#include "junheng/v1/archive.pb.h"

namespace junheng::archive {

// One or two upper-case letters then 1-3 digits: R4, G11, Q3, VE2.
bool IsValidIndicatorCode(absl::string_view s);

// The request id of a resumable upload: 1-128 of [A-Za-z0-9._~-] (RFC 3986's
// unreserved characters, so the session's name is one path segment that
// needs no escaping in a URL), and not "." or "..", which URL clients
// resolve away.
bool IsValidResumableRequestId(absl::string_view s);

// {evidence name}/uploads/{request_id}: an upload session (archive.proto).
struct UploadSessionName {
  EvidenceName evidence;
  std::string request_id;
  std::string ToString() const;
};
// INVALID_ARGUMENT with a field violation naming `field` otherwise.
absl::StatusOr<UploadSessionName> ParseUploadSessionName(
    absl::string_view name, absl::string_view field);

// The UploadSpec a valid header asks for (commit.uploader left empty: the
// caller's identity is not the header's to say). INVALID_ARGUMENT with a
// field violation per bad field; RESOURCE_EXHAUSTED when the declared size
// is over max_file_bytes.
absl::StatusOr<UploadSpec> ParseUploadHeader(const v1::UploadHeader& h,
                                             int64_t max_file_bytes);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_UPLOAD_HEADER_H_
