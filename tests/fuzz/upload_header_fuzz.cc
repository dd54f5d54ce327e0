// Fuzzes the archive's upload-header validation with arbitrary headers: the
// input is parsed as a serialized junheng.v1.UploadHeader (what the server
// gets from the wire; inputs protobuf refuses are skipped) and validated
// against a few file-size limits.
//
// Besides "no crash, no hang, no leak", checks:
//   - an accepted header asks for what it says, and only for valid things
//     (parent, evidence id, codes, year, size within the limit, …);
//   - a refused one is INVALID_ARGUMENT with field violations that survive
//     the trip to the client (ToGrpc, then FromGrpc) and name header fields,
//     or RESOURCE_EXHAUSTED for a declared size over the limit.
// abort() when one does not hold.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "archive_service/upload_header.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "google/protobuf/stubs/logging.h"
#include "junheng/v1/archive.pb.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using junheng::archive::UploadSpec;
using junheng::fuzz::Fail;

void CheckAccepted(const junheng::v1::UploadHeader& h, const UploadSpec& spec,
                   int64_t max_file_bytes) {
  const junheng::archive::CommitRequest& c = spec.commit;
  const absl::StatusOr<junheng::Parent> parent =
      junheng::ParseParent(h.parent(), "header.parent");
  if (!parent.ok() || !(*parent == c.name.parent)) {
    Fail(absl::StrCat("accepted the parent \"", h.parent(), "\" as \"",
                      c.name.parent.ToString(), "\""));
  }
  if (!junheng::IsValidEvidenceId(c.name.evidence) ||
      c.name.evidence != h.evidence_id()) {
    Fail(absl::StrCat("accepted the evidence id \"", h.evidence_id(), "\""));
  }
  if (c.metadata.title != h.title() || c.metadata.title.size() > 512) {
    Fail("accepted a bad title");
  }
  if (c.metadata.indicator_codes.size() > 32 ||
      c.metadata.indicator_codes.size() !=
          static_cast<size_t>(h.indicator_codes_size())) {
    Fail("accepted a bad list of indicator codes");
  }
  for (const std::string& code : c.metadata.indicator_codes) {
    if (!junheng::archive::IsValidIndicatorCode(code)) {
      Fail(absl::StrCat("accepted the indicator code \"", code, "\""));
    }
  }
  if (c.metadata.school_year != 0 &&
      (c.metadata.school_year < 2000 || c.metadata.school_year > 2100)) {
    Fail(absl::StrCat("accepted the school year ", c.metadata.school_year));
  }
  if (h.has_size_bytes() != spec.expected_size.has_value() ||
      (spec.expected_size &&
       (*spec.expected_size < 0 || *spec.expected_size > max_file_bytes))) {
    Fail("accepted a bad size");
  }
  if (!h.sha256().empty() && !spec.expected_sha256) {
    Fail("dropped the declared SHA-256");
  }
  if (spec.max_file_bytes != max_file_bytes) Fail("lost the size limit");
  if (c.content_type.empty() || c.content_type.size() > 127) {
    Fail("accepted a bad content type");
  }
  if (c.filename.size() > 255 ||
      c.filename.find_first_of(std::string("/\\\0", 3)) != std::string::npos) {
    Fail(absl::StrCat("accepted the file name \"", c.filename, "\""));
  }
  if (c.request_id.size() > 128) Fail("accepted a long request id");
}

void CheckRefused(const junheng::v1::UploadHeader& h,
                  const absl::Status& status, int64_t max_file_bytes) {
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    if (!h.has_size_bytes() || h.size_bytes() <= max_file_bytes) {
      Fail(absl::StrCat("RESOURCE_EXHAUSTED for a file within the limit: ",
                        status.ToString()));
    }
    return;
  }
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    Fail(absl::StrCat("refused with ", status.ToString()));
  }
  // What the client decodes from the trailers.
  const std::vector<junheng::FieldViolation> violations =
      junheng::FieldViolations(junheng::FromGrpc(junheng::ToGrpc(status)));
  if (violations.empty()) {
    Fail(absl::StrCat("refused without a field violation the client can ",
                      "decode: ", status.ToString()));
  }
  for (const junheng::FieldViolation& v : violations) {
    // The last entry may be the "… and N more" note, with no field.
    if (!v.field.empty() && !absl::StartsWith(v.field, "header.")) {
      Fail(absl::StrCat("a violation of \"", v.field, "\""));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Protobuf logs every non-UTF-8 string it refuses to parse; at thousands
  // of inputs a second that is most of the work, and says nothing new.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  junheng::v1::UploadHeader header;
  if (!header.ParseFromArray(data, static_cast<int>(size))) return 0;
  for (const int64_t max_file_bytes :
       {int64_t{0}, int64_t{1} << 20, std::numeric_limits<int64_t>::max()}) {
    const absl::StatusOr<UploadSpec> spec =
        junheng::archive::ParseUploadHeader(header, max_file_bytes);
    if (spec.ok()) {
      CheckAccepted(header, *spec, max_file_bytes);
    } else {
      CheckRefused(header, spec.status(), max_file_bytes);
    }
  }
  return 0;
}
