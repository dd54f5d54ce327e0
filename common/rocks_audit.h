// An audit log kept in a RocksDB column family: entries (junheng.v1.AuditEntry)
// under their sequence number, big-endian, so they iterate in order. Both
// services keep theirs this way.
#ifndef JUNHENG_COMMON_ROCKS_AUDIT_H_
#define JUNHENG_COMMON_ROCKS_AUDIT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "common/audit_chain.h"
#include "junheng/v1/audit.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace junheng {

// The key of entry `sequence`.
std::string AuditKey(int64_t sequence);

// Adds `entry` to `batch`.
void PutAuditEntry(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf,
                   const v1::AuditEntry& entry);

// Continues `chain` after the newest stored entry. DATA_LOSS if that entry
// cannot be read: the chain could not go on from it.
absl::Status RestoreAuditChain(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                               AuditChain& chain);

// Calls `fn` with each entry from sequence `from` on, in order, until it
// returns false. An unreadable record is passed on as an entry holding only
// its sequence, for a verifier to report as the broken link.
absl::Status ScanAuditLog(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                          int64_t from,
                          const std::function<bool(const v1::AuditEntry&)>& fn);

}  // namespace junheng

#endif  // JUNHENG_COMMON_ROCKS_AUDIT_H_
