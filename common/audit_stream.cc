#include "common/audit_stream.h"

#include "common/audit_chain.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace junheng {

absl::Status ServeAuditLog(const Principal& who,
                           const v1::GetAuditLogRequest& request,
                           const AuditScan& scan, grpc::ServerContext& context,
                           grpc::ServerWriter<v1::AuditEntry>& writer) {
  ASSIGN_OR_RETURN(AuditFilter filter, ParseAuditFilter(request));
  const bool everything =
      who.role == Role::kUnrestricted || who.role == Role::kAdmin ||
      (who.role == Role::kInspector && who.scope.kind == Scope::Kind::kNation);
  if (!filter.resource_prefix.empty()) {
    RETURN_IF_ERROR(Authorize(who, Permission::kReadAudit,
                              ScopeOfResource(filter.resource_prefix)));
  } else if (!everything) {
    RETURN_IF_ERROR(Authorize(who, Permission::kReadAudit, who.scope));
  }
  bool gone = false;
  RETURN_IF_ERROR(scan(filter.start_sequence, [&](const v1::AuditEntry& e) {
    if (!AuditFilterMatches(filter, e)) return true;
    if (!everything &&
        !Authorize(who, Permission::kReadAudit, ScopeOfResource(e.resource()))
             .ok()) {
      return true;
    }
    if (context.IsCancelled() || !writer.Write(e)) {
      gone = true;
      return false;
    }
    return true;
  }));
  if (gone) return absl::CancelledError("the client went away");
  return absl::OkStatus();
}

grpc::Status GetAuditLogRpc(Authenticator& auth, grpc::ServerContext& context,
                            const v1::GetAuditLogRequest& request,
                            grpc::ServerWriter<v1::AuditEntry>& writer,
                            const AuditScan& scan) {
  absl::StatusOr<Principal> who = auth.Authenticate(context);
  if (!who.ok()) return ToGrpc(who.status());
  return ToGrpc(ServeAuditLog(*who, request, scan, context, writer));
}

}  // namespace junheng
