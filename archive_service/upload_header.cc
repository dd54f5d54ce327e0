#include "archive_service/upload_header.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

constexpr size_t kMaxTitleBytes = 512;
constexpr size_t kMaxIndicatorCodes = 32;
constexpr size_t kMaxRequestIdBytes = 128;

bool IsPrintableAscii(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

bool IsValidIndicatorCode(absl::string_view s) {
  size_t letters = 0;
  while (letters < s.size() && s[letters] >= 'A' && s[letters] <= 'Z') {
    ++letters;
  }
  const size_t digits = s.size() - letters;
  return letters >= 1 && letters <= 2 && digits >= 1 && digits <= 3 &&
         std::all_of(s.begin() + letters, s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

bool IsValidResumableRequestId(absl::string_view s) {
  if (s.empty() || s.size() > kMaxRequestIdBytes || s == "." || s == "..") {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
           c == '_' || c == '~' || c == '-';
  });
}

std::string UploadSessionName::ToString() const {
  return absl::StrCat(evidence.ToString(), "/uploads/", request_id);
}

absl::StatusOr<UploadSessionName> ParseUploadSessionName(
    absl::string_view name, absl::string_view field) {
  constexpr absl::string_view kUploads = "/uploads/";
  const size_t at = name.rfind(kUploads);
  if (at == absl::string_view::npos) {
    if (name.empty()) return InvalidField(std::string(field), "is required");
    return InvalidField(
        std::string(field),
        absl::StrCat("\"", Excerpt(name, 80),
                     "\" is not an upload session name: expected {evidence "
                     "name}/uploads/{request id}"));
  }
  UploadSessionName out;
  ASSIGN_OR_RETURN(out.evidence, ParseEvidenceName(name.substr(0, at), field));
  out.request_id = std::string(name.substr(at + kUploads.size()));
  if (!IsValidResumableRequestId(out.request_id)) {
    return InvalidField(
        std::string(field),
        absl::StrCat("\"", Excerpt(name, 80),
                     "\" is not an upload session name: the request id is "
                     "1-128 of A-Z, a-z, 0-9, '.', '_', '~' and '-'"));
  }
  return out;
}

absl::StatusOr<UploadSpec> ParseUploadHeader(const v1::UploadHeader& h,
                                             int64_t max_file_bytes) {
  std::vector<FieldViolation> bad;
  UploadSpec spec;
  CommitRequest& c = spec.commit;
  auto parent = ParseParent(h.parent(), "header.parent");
  if (!parent.ok()) {
    std::vector<FieldViolation> violations = FieldViolations(parent.status());
    // Fail closed should the violations ever not decode.
    if (violations.empty()) {
      violations.push_back(
          {"header.parent", std::string(parent.status().message())});
    }
    for (auto& v : violations) bad.push_back(v);
  } else {
    c.name.parent = *parent;
  }
  if (!IsValidEvidenceId(h.evidence_id())) {
    bad.push_back({"header.evidence_id",
                   absl::StrCat("\"", Excerpt(h.evidence_id(), 80),
                                "\" is not an evidence id: use 1-63 of a-z, "
                                "0-9 and '-', starting with a letter")});
  }
  c.name.evidence = h.evidence_id();
  if (h.title().size() > kMaxTitleBytes) {
    bad.push_back({"header.title",
                   absl::StrCat("is longer than ", kMaxTitleBytes, " bytes")});
  }
  if (static_cast<size_t>(h.indicator_codes_size()) > kMaxIndicatorCodes) {
    bad.push_back({"header.indicator_codes",
                   absl::StrCat("at most ", kMaxIndicatorCodes, " codes")});
  }
  for (int i = 0; i < h.indicator_codes_size(); ++i) {
    if (!IsValidIndicatorCode(h.indicator_codes(i))) {
      bad.push_back({absl::StrCat("header.indicator_codes[", i, "]"),
                     absl::StrCat("\"", Excerpt(h.indicator_codes(i), 20),
                                  "\" is not an indicator code such as R4, "
                                  "G11 or Q3")});
    }
  }
  if (h.school_year() != 0 &&
      (h.school_year() < 2000 || h.school_year() > 2100)) {
    bad.push_back(
        {"header.school_year",
         absl::StrCat(h.school_year(),
                      " is not a school year between 2000 and 2100")});
  }
  if (h.content_type().size() > 127 || !IsPrintableAscii(h.content_type())) {
    bad.push_back({"header.content_type",
                   "must be a MIME type of at most 127 printable characters"});
  }
  if (h.filename().size() > 255 || h.filename().find_first_of(std::string(
                                       "/\\\0", 3)) != std::string::npos) {
    bad.push_back(
        {"header.filename",
         "must be a base name of at most 255 bytes, without / or \\"});
  }
  if (!h.sha256().empty()) {
    spec.expected_sha256 = ParseSha256Hex(h.sha256());
    if (!spec.expected_sha256) {
      bad.push_back({"header.sha256", "must be 64 hexadecimal digits"});
    }
  }
  if (h.has_size_bytes()) {
    if (h.size_bytes() < 0) {
      bad.push_back({"header.size_bytes", "must not be negative"});
    }
    spec.expected_size = h.size_bytes();
  }
  if (h.request_id().size() > kMaxRequestIdBytes ||
      !IsPrintableAscii(h.request_id())) {
    bad.push_back({"header.request_id",
                   absl::StrCat("must be at most ", kMaxRequestIdBytes,
                                " printable ASCII characters")});
  }
  if (h.resumable()) {
    if (h.request_id().empty()) {
      bad.push_back({"header.request_id",
                     "is required with resumable: it names the upload "
                     "session to resume"});
    } else if (!IsValidResumableRequestId(h.request_id())) {
      bad.push_back(
          {"header.request_id",
           "of a resumable upload must be 1-128 of A-Z, a-z, 0-9, '.', '_', "
           "'~' and '-' (it is part of the upload session's name)"});
    }
  }
  if (h.resume_offset() < 0) {
    bad.push_back({"header.resume_offset", "must not be negative"});
  } else if (h.resume_offset() > 0 && !h.resumable()) {
    bad.push_back({"header.resume_offset", "needs resumable"});
  } else if (h.has_size_bytes() && h.size_bytes() >= 0 &&
             h.resume_offset() > h.size_bytes()) {
    bad.push_back({"header.resume_offset", "is past header.size_bytes"});
  }
  if (!bad.empty()) return InvalidFields("bad upload header", bad);
  if (spec.expected_size && *spec.expected_size > max_file_bytes) {
    return FileTooLarge(max_file_bytes);
  }
  c.metadata.title = h.title();
  c.metadata.indicator_codes.assign(h.indicator_codes().begin(),
                                    h.indicator_codes().end());
  c.metadata.school_year = h.school_year();
  c.content_type =
      h.content_type().empty() ? "application/octet-stream" : h.content_type();
  c.filename = h.filename();
  c.request_id = h.request_id();
  c.resumable = h.resumable();
  spec.resume_offset = h.resume_offset();
  spec.content_type_given = !h.content_type().empty();
  spec.max_file_bytes = max_file_bytes;
  return spec;
}

}  // namespace junheng::archive
