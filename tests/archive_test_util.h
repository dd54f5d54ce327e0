// What the archive's end-to-end tests share: an upload header for one
// evidence document, and a download into memory. Header-only: every test
// that includes it already links the archive client.
#ifndef JUNHENG_TESTS_ARCHIVE_TEST_UTIL_H_
#define JUNHENG_TESTS_ARCHIVE_TEST_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/archive_client.h"
#include "junheng/v1/archive.pb.h"

namespace junheng::testing {

// A header for evidence `id` under `parent`, for indicator R4 of 2025.
inline v1::UploadHeader EvidenceHeader(const std::string& parent,
                                       const std::string& id,
                                       const std::string& title = "t") {
  v1::UploadHeader h;
  h.set_parent(parent);
  h.set_evidence_id(id);
  h.set_title(title);
  h.add_indicator_codes("R4");
  h.set_school_year(2025);
  return h;
}

// The bytes of `request` (a whole version unless it names a range), as
// Download delivered and checked them.
inline absl::StatusOr<std::string> DownloadBytes(
    ArchiveClient& client, const v1::DownloadRequest& request) {
  std::string out;
  auto v = client.Download(request, [&out](absl::string_view b) {
    out.append(b.data(), b.size());
    return true;
  });
  if (!v.ok()) return v.status();
  return out;
}

// The bytes of version or evidence `name`, whole.
inline absl::StatusOr<std::string> DownloadBytes(ArchiveClient& client,
                                                 const std::string& name) {
  v1::DownloadRequest request;
  request.set_name(name);
  return DownloadBytes(client, request);
}

}  // namespace junheng::testing

#endif  // JUNHENG_TESTS_ARCHIVE_TEST_UTIL_H_
