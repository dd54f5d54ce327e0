// Validation of an upload's header: every field checked, every problem
// reported at once. Pure (no gRPC call, no storage) so it can be fuzzed.
#ifndef JUNHENG_ARCHIVE_SERVICE_UPLOAD_HEADER_H_
#define JUNHENG_ARCHIVE_SERVICE_UPLOAD_HEADER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "archive_service/upload_pipeline.h"
#include "junheng/v1/archive.pb.h"

namespace junheng::archive {

// One or two upper-case letters then 1-3 digits: R4, G11, Q3, VE2.
bool IsValidIndicatorCode(absl::string_view s);

// The UploadSpec a valid header asks for (commit.uploader left empty: the
// caller's identity is not the header's to say). INVALID_ARGUMENT with a
// field violation per bad field; RESOURCE_EXHAUSTED when the declared size
// is over max_file_bytes.
absl::StatusOr<UploadSpec> ParseUploadHeader(const v1::UploadHeader& h,
                                             int64_t max_file_bytes);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_UPLOAD_HEADER_H_
