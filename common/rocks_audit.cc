#include "common/rocks_audit.h"

#include <algorithm>
#include <memory>

#include "common/big_endian.h"
#include "common/rocks_status.h"

namespace junheng {

std::string AuditKey(int64_t sequence) {
  std::string key;
  PutU64BE(key, static_cast<uint64_t>(std::max<int64_t>(sequence, 0)));
  return key;
}

void PutAuditEntry(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf,
                   const v1::AuditEntry& entry) {
  batch.Put(cf, AuditKey(entry.sequence()), entry.SerializeAsString());
}

absl::Status RestoreAuditChain(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                               AuditChain& chain) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToLast();
  if (it->Valid()) {
    v1::AuditEntry last;
    if (!last.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          "the last audit log entry is unreadable; the chain cannot go on");
    }
    chain.Restore(last);
  }
  return FromRocks(it->status(), "reading the audit log");
}

absl::Status ScanAuditLog(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, int64_t from,
    const std::function<bool(const v1::AuditEntry&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.NewIterator(rocksdb::ReadOptions(), cf));
  v1::AuditEntry entry;
  for (it->Seek(AuditKey(from)); it->Valid(); it->Next()) {
    if (!entry.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
      entry.Clear();
      entry.set_sequence(static_cast<int64_t>(GetU64BE(View(it->key()))));
      entry.set_detail("unreadable audit record");
    }
    if (!fn(entry)) break;
  }
  return FromRocks(it->status(), "reading the audit log");
}

}  // namespace junheng
