#include "common/rocks_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/grpc_status.h"

namespace junheng {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view doing) {
  if (s.ok()) return absl::OkStatus();
  const std::string detail = absl::StrCat(doing, ": ", s.ToString());
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace) {
    absl::Status out = absl::ResourceExhaustedError(
        absl::StrCat("the server's disk is full (", detail,
                     "); free space on the server and retry"));
    SetRetryDelay(out, absl::Seconds(30));
    return out;
  }
  if (s.IsCorruption()) return absl::DataLossError(detail);
  if (s.IsNotFound()) return absl::NotFoundError(detail);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat(
        detail, " (is another server process using this --data_dir?)"));
  }
  return absl::InternalError(detail);
}

}  // namespace junheng
