// GetAuditLog, the same for both services: the caller's filter and scope
// applied to the service's own log.
#ifndef JUNHENG_COMMON_AUDIT_STREAM_H_
#define JUNHENG_COMMON_AUDIT_STREAM_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "common/access.h"
#include "common/authenticator.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/sync_stream.h"
#include "junheng/v1/audit.pb.h"

namespace junheng {

// Calls its callback with each stored entry from a sequence number on, until
// the callback returns false.
using AuditScan = std::function<absl::Status(
    int64_t from, const std::function<bool(const v1::AuditEntry&)>&)>;

// Streams the entries `request` selects that `who` may read. A prefix
// outside the caller's scope is PERMISSION_DENIED; with no prefix the caller
// gets what lies in its scope (everything for admin and nation inspectors).
absl::Status ServeAuditLog(const Principal& who,
                           const v1::GetAuditLogRequest& request,
                           const AuditScan& scan, grpc::ServerContext& context,
                           grpc::ServerWriter<v1::AuditEntry>& writer);

// The whole GetAuditLog RPC: authenticates the caller, then ServeAuditLog.
grpc::Status GetAuditLogRpc(Authenticator& auth, grpc::ServerContext& context,
                            const v1::GetAuditLogRequest& request,
                            grpc::ServerWriter<v1::AuditEntry>& writer,
                            const AuditScan& scan);

}  // namespace junheng

#endif  // JUNHENG_COMMON_AUDIT_STREAM_H_
