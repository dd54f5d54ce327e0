// The one mapping from rocksdb::Status to absl::Status, for both services'
// stores: a full disk is RESOURCE_EXHAUSTED with a retry hint, corruption is
// DATA_LOSS, a data directory locked by another process is
// FAILED_PRECONDITION.
#ifndef JUNHENG_COMMON_ROCKS_STATUS_H_
#define JUNHENG_COMMON_ROCKS_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace junheng {

// `doing` completes "… while <doing>" in the message.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view doing);

inline absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}
inline rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace junheng

#endif  // JUNHENG_COMMON_ROCKS_STATUS_H_
