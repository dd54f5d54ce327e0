#include "common/grpc_status.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/utf8.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace junheng {
namespace {

// Payload type URLs; they are also the Any type URLs sent on the wire.
constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
constexpr char kRetryInfoUrl[] = "type.googleapis.com/google.rpc.RetryInfo";

// Status messages and details travel in HTTP/2 headers (trailers, or the
// initial headers of a trailers-only answer), which gRPC clients refuse past
// 8 KiB in all ("metadata size exceeds limit"): a status must fit whatever
// the request held. grpc-message is percent-encoded (a byte outside
// printable ASCII costs 3) and grpc-status-details-bin is base64 (4 per 3),
// so the worst case on the wire is 3 × 512 + 4/3 × (512 + 1536 + framing),
// about 4.3 KiB, whatever the input.
constexpr size_t kMaxMessageBytes = 512;
constexpr size_t kMaxBadRequestBytes = 1536;
constexpr size_t kMaxOtherDetailBytes = 256;
// One violation may not crowd out the others.
constexpr size_t kMaxFieldBytes = 96;
constexpr size_t kMaxDescriptionBytes = 320;

// The violations that fit, each cut to its share, then one entry saying how
// many were left out. Every string is valid UTF-8, as protobuf requires of a
// string it parses: a BadRequest with raw bytes in it would not decode on
// the client, which would then see no violation at all.
google::rpc::BadRequest BoundedBadRequest(
    const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest kept;
  size_t size = 0;
  size_t n = 0;
  for (const FieldViolation& v : violations) {
    google::rpc::BadRequest::FieldViolation fv;
    fv.set_field(Excerpt(v.field, kMaxFieldBytes));
    fv.set_description(Excerpt(v.description, kMaxDescriptionBytes));
    // Tag and length of the repeated field: at most 3 bytes at this size.
    const size_t add = fv.ByteSizeLong() + 3;
    // Leave room for the closing entry.
    if (size + add > kMaxBadRequestBytes - 100) break;
    *kept.add_field_violations() = std::move(fv);
    size += add;
    ++n;
  }
  if (n < violations.size()) {
    auto* more = kept.add_field_violations();
    more->set_field("");
    more->set_description(absl::StrCat("… and ", violations.size() - n,
                                       " more violations not listed; fix "
                                       "these and try again"));
  }
  return kept;
}

// A payload another producer attached, as it may travel: a BadRequest is
// re-bounded (it may come from code that did not use InvalidFields), other
// details pass when small and are dropped otherwise.
std::optional<std::string> BoundedDetail(absl::string_view url,
                                         const absl::Cord& payload) {
  const std::string bytes(payload);
  if (url == kBadRequestUrl) {
    google::rpc::BadRequest all;
    if (!all.ParseFromString(bytes)) return std::nullopt;
    if (bytes.size() <= kMaxBadRequestBytes) return bytes;
    std::vector<FieldViolation> violations;
    for (const auto& v : all.field_violations()) {
      violations.push_back({v.field(), v.description()});
    }
    return BoundedBadRequest(violations).SerializeAsString();
  }
  if (bytes.size() > kMaxOtherDetailBytes) return std::nullopt;
  return bytes;
}

}  // namespace

absl::Status InvalidFields(absl::string_view summary,
                           const std::vector<FieldViolation>& violations) {
  // The message is for a person reading a log line: the summary and the
  // first few violations; the details carry as many as fit.
  std::string message = Excerpt(summary, kMaxMessageBytes / 2);
  size_t in_message = 0;
  for (const FieldViolation& v : violations) {
    if (message.size() >= kMaxMessageBytes / 2) break;
    absl::StrAppend(&message, message.empty() ? "" : "; ",
                    Excerpt(v.field, kMaxFieldBytes), ": ",
                    Excerpt(v.description, kMaxDescriptionBytes / 2));
    ++in_message;
  }
  if (in_message < violations.size()) {
    absl::StrAppend(&message, "; … and ", violations.size() - in_message,
                    " more");
  }
  absl::Status status =
      absl::InvalidArgumentError(Excerpt(message, kMaxMessageBytes));
  status.SetPayload(
      kBadRequestUrl,
      absl::Cord(BoundedBadRequest(violations).SerializeAsString()));
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

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status out;
  out.set_code(static_cast<int>(status.code()));
  out.set_message(Excerpt(status.message(), kMaxMessageBytes));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) {
        std::optional<std::string> value = BoundedDetail(url, payload);
        if (!value) return;
        auto* any = out.add_details();
        any->set_type_url(std::string(url));
        any->set_value(*std::move(value));
      });
  return out;
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  const auto code = static_cast<grpc::StatusCode>(status.code());
  google::rpc::Status details = ToRpcStatus(status);
  if (details.details_size() == 0) {
    return grpc::Status(code, details.message());
  }
  return grpc::Status(code, details.message(), details.SerializeAsString());
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
  std::string shown;
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = Utf8SequenceLength(text, i);
    // A byte that is not part of a character is shown as \xNN, so the
    // excerpt stays valid UTF-8 and says what the bytes were.
    const size_t cost = len == 0 ? 4 : len;
    if (shown.size() + cost > max_bytes) break;
    if (len == 0) {
      absl::StrAppendFormat(&shown, "\\x%02X",
                            static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      shown.append(text.data() + i, len);
      i += len;
    }
  }
  if (i < text.size()) shown += "\u2026";
  return shown;
}

}  // namespace junheng
