#include "common/audit_chain.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/sha256.h"

namespace junheng {
namespace {

// "<length>:<bytes>" for each field: no field's content can be mistaken for
// a boundary, whatever bytes it holds.
void AddField(std::string& out, absl::string_view value) {
  absl::StrAppend(&out, value.size(), ":", value);
}

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

}  // namespace

std::string AuditEntryHash(const v1::AuditEntry& e) {
  std::string canonical = "junheng-audit-v1";
  AddField(canonical, absl::StrCat(e.sequence()));
  AddField(canonical, absl::StrCat(MicrosOf(e.time())));
  AddField(canonical, e.principal());
  AddField(canonical, e.token_id());
  AddField(canonical, e.action());
  AddField(canonical, e.resource());
  AddField(canonical, e.content_sha256());
  AddField(canonical, e.request_id());
  AddField(canonical, e.detail());
  AddField(canonical, e.previous_hash());
  return ToHex(Sha256::Of(canonical));
}

void AuditChain::Restore(const v1::AuditEntry& last) {
  last_sequence_ = last.sequence();
  last_hash_ = last.hash();
}

v1::AuditEntry AuditChain::Next(const Actor& actor, const AuditEvent& event,
                                int64_t time_us) const {
  v1::AuditEntry e;
  e.set_sequence(last_sequence_ + 1);
  e.mutable_time()->set_seconds(time_us / 1000000);
  e.mutable_time()->set_nanos(static_cast<int32_t>(time_us % 1000000) * 1000);
  e.set_principal(actor.principal);
  e.set_token_id(actor.token_id);
  e.set_action(event.action);
  e.set_resource(event.resource);
  e.set_content_sha256(event.content_sha256);
  e.set_request_id(event.request_id);
  e.set_detail(event.detail);
  e.set_previous_hash(last_hash_);
  e.set_hash(AuditEntryHash(e));
  return e;
}

void AuditChain::Advance(const v1::AuditEntry& stored) {
  last_sequence_ = stored.sequence();
  last_hash_ = stored.hash();
}

absl::StatusOr<AuditFilter> ParseAuditFilter(const v1::GetAuditLogRequest& r) {
  std::vector<FieldViolation> bad;
  AuditFilter f;
  f.resource_prefix = r.resource_prefix();
  if (f.resource_prefix.size() > 256) {
    bad.push_back({"resource_prefix", "is longer than 256 bytes"});
  }
  if (r.has_start_time()) f.start_time_us = MicrosOf(r.start_time());
  if (r.has_end_time()) f.end_time_us = MicrosOf(r.end_time());
  if (r.has_start_time() && r.has_end_time() &&
      f.end_time_us <= f.start_time_us) {
    bad.push_back({"end_time", "must be after start_time"});
  }
  if (r.start_sequence() < 0) {
    bad.push_back({"start_sequence", "must not be negative"});
  }
  f.start_sequence = r.start_sequence();
  if (!bad.empty()) return InvalidFields("bad audit log request", bad);
  return f;
}

bool ResourceHasPrefix(absl::string_view resource, absl::string_view prefix) {
  if (prefix.empty()) return true;
  if (prefix.back() == '/') prefix.remove_suffix(1);
  if (resource.size() < prefix.size() ||
      resource.substr(0, prefix.size()) != prefix) {
    return false;
  }
  return resource.size() == prefix.size() || resource[prefix.size()] == '/';
}

bool AuditFilterMatches(const AuditFilter& f, const v1::AuditEntry& e) {
  const int64_t t = MicrosOf(e.time());
  if (e.sequence() < f.start_sequence) return false;
  if (f.start_time_us != 0 && t < f.start_time_us) return false;
  if (f.end_time_us != 0 && t >= f.end_time_us) return false;
  return ResourceHasPrefix(e.resource(), f.resource_prefix);
}

}  // namespace junheng
