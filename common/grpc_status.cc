#include "common/grpc_status.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/utf8.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace junheng {
namespace {

// Payload type URLs; they are also the Any type URLs sent on the wire.
constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
constexpr char kRetryInfoUrl[] = "type.googleapis.com/google.rpc.RetryInfo";

// Status messages and details travel in HTTP/2 trailers, which gRPC clients
// refuse past 8 KiB by default ("metadata size exceeds limit"): a status must
// fit, however many violations a request had.
constexpr size_t kMaxMessageBytes = 1024;
constexpr size_t kMaxDetailsBytes = 5 * 1024;

// Drops violations from the end of a serialized BadRequest until it fits,
// ending with one that says how many were left out.
std::string FitBadRequest(const std::string& serialized) {
  google::rpc::BadRequest all;
  if (serialized.size() <= kMaxDetailsBytes ||
      !all.ParseFromString(serialized)) {
    return serialized;
  }
  google::rpc::BadRequest kept;
  size_t size = 0;
  int n = 0;
  for (const auto& v : all.field_violations()) {
    const size_t add = v.ByteSizeLong() + 4;
    if (size + add > kMaxDetailsBytes - 200) break;
    *kept.add_field_violations() = v;
    size += add;
    ++n;
  }
  auto* more = kept.add_field_violations();
  more->set_field("");
  more->set_description(absl::StrCat("… and ", all.field_violations_size() - n,
                                     " more violations not listed; fix these "
                                     "and try again"));
  return kept.SerializeAsString();
}

}  // namespace

absl::Status InvalidFields(absl::string_view summary,
                           const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad_request;
  std::string message(summary);
  size_t in_message = 0;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
    // The message travels in a header: keep it short, the details list all.
    if (message.size() < kMaxMessageBytes) {
      absl::StrAppend(&message, message.empty() ? "" : "; ", v.field, ": ",
                      v.description);
      ++in_message;
    }
  }
  if (in_message < violations.size()) {
    absl::StrAppend(&message, "; … and ", violations.size() - in_message,
                    " more");
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kBadRequestUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string field, std::string description) {
  return InvalidFields("", {{std::move(field), std::move(description)}});
}

std::vector<FieldViolation> FieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestUrl);
  google::rpc::BadRequest bad_request;
  if (!payload || !bad_request.ParseFromString(std::string(*payload))) {
    return out;
  }
  for (const auto& fv : bad_request.field_violations()) {
    out.push_back({fv.field(), fv.description()});
  }
  return out;
}

void SetRetryDelay(absl::Status& status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  const int64_t ms = absl::ToInt64Milliseconds(delay);
  info.mutable_retry_delay()->set_seconds(ms / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                        1000000);
  status.SetPayload(kRetryInfoUrl, absl::Cord(info.SerializeAsString()));
}

std::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoUrl);
  if (!payload) return std::nullopt;
  google::rpc::RetryInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Seconds(info.retry_delay().seconds()) +
         absl::Nanoseconds(info.retry_delay().nanos());
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  const auto code = static_cast<grpc::StatusCode>(status.code());
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  status.ForEachPayload([&details](absl::string_view url,
                                   const absl::Cord& payload) {
    auto* any = details.add_details();
    any->set_type_url(std::string(url));
    any->set_value(url == kBadRequestUrl ? FitBadRequest(std::string(payload))
                                         : std::string(payload));
  });
  std::string message(status.message());
  if (message.size() > 2 * kMaxMessageBytes) {
    message = Excerpt(message, 2 * kMaxMessageBytes);
  }
  if (details.details_size() == 0) return grpc::Status(code, message);
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

std::string Excerpt(absl::string_view text, size_t max_bytes) {
  size_t cut = std::min(text.size(), max_bytes);
  while (cut > 0 && cut < text.size() &&
         (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  std::string shown(text.substr(0, cut));
  if (!IsValidUtf8(shown)) shown = absl::CHexEscape(shown);
  if (cut < text.size()) shown += "\u2026";
  return shown;
}

}  // namespace junheng
