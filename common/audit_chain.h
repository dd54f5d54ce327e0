// The audit log's hash chain, shared by both services and by the client that
// verifies a chain (`junheng audit verify`).
//
// An entry's hash is SHA-256 over a canonical, length-prefixed encoding of
// its fields and the previous entry's hash (SECURITY.md spells it out), not
// over a protobuf serialization, so any implementation can recompute it.
#ifndef JUNHENG_COMMON_AUDIT_CHAIN_H_
#define JUNHENG_COMMON_AUDIT_CHAIN_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "junheng/v1/audit.pb.h"

namespace junheng {

// The hash a chain starts from: 64 zeros.
inline constexpr absl::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Who did something, as audit entries record it.
struct Actor {
  std::string principal = {};  // the principal's name
  std::string token_id = {};   // empty without authentication
};

// One change or read, before it has a place in the chain.
struct AuditEvent {
  std::string action = {};
  std::string resource = {};
  std::string content_sha256 = {};  // hex, or empty
  std::string request_id = {};
  std::string detail = {};
};

// Hex SHA-256 of `entry`'s canonical encoding (its `hash` field ignored).
std::string AuditEntryHash(const v1::AuditEntry& entry);

// The head of one chain: appends entries in order. Not thread-safe: the
// service holds it under the lock that orders its writes.
class AuditChain {
 public:
  // Continues after `last` (a stored entry), or from the start.
  void Restore(const v1::AuditEntry& last);

  // The entry that would follow the head; the head moves only on Advance(),
  // called once the entry is durably stored.
  v1::AuditEntry Next(const Actor& actor, const AuditEvent& event,
                      int64_t time_us) const;
  void Advance(const v1::AuditEntry& stored);

  int64_t last_sequence() const { return last_sequence_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  int64_t last_sequence_ = 0;
  std::string last_hash_{kGenesisHash};
};

// The filter of a GetAuditLog request, checked entry by entry.
struct AuditFilter {
  std::string resource_prefix;
  int64_t start_time_us = 0;  // 0: no bound
  int64_t end_time_us = 0;    // 0: no bound
  int64_t start_sequence = 0;
};

// INVALID_ARGUMENT with field violations for a malformed request.
absl::StatusOr<AuditFilter> ParseAuditFilter(const v1::GetAuditLogRequest& r);

bool AuditFilterMatches(const AuditFilter& filter, const v1::AuditEntry& e);

// Resource names sort under their parents: "counties/330106" covers
// "counties/330106/schools/…" but not "counties/3301069".
bool ResourceHasPrefix(absl::string_view resource, absl::string_view prefix);

}  // namespace junheng

#endif  // JUNHENG_COMMON_AUDIT_CHAIN_H_
