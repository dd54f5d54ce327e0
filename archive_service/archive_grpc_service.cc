#include "archive_service/archive_grpc_service.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive_service/keys.h"
#include "archive_service/upload_header.h"
#include "common/access.h"
#include "common/audit_stream.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
// Bytes per download message: what clients accept by default (4 MiB) with
// room to spare, and small enough to keep the stream flowing.
constexpr size_t kMaxDownloadMessage = size_t{1} << 20;
constexpr int64_t kMaxFreezeMicros = int64_t{50} * 366 * 24 * 3600 * 1000000;

void SetTime(int64_t micros, google::protobuf::Timestamp* t) {
  t->set_seconds(micros / 1000000);
  t->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

void ToProto(const EvidenceName& name, const VersionInfo& v,
             v1::EvidenceVersion* out) {
  out->set_name(VersionName{name, v.version}.ToString());
  out->set_version(v.version);
  out->set_sha256(ToHex(v.sha256));
  out->set_size_bytes(v.size_bytes);
  out->set_content_type(v.content_type);
  out->set_filename(v.filename);
  SetTime(v.create_time_us, out->mutable_create_time());
  out->set_uploader(v.uploader);
  out->set_request_id(v.request_id);
}

void ToProto(const EvidenceInfo& e, v1::Evidence* out) {
  out->set_name(e.name.ToString());
  out->set_title(e.title);
  for (const auto& code : e.indicator_codes) out->add_indicator_codes(code);
  out->set_school_year(e.school_year);
  ToProto(e.name, e.latest, out->mutable_latest_version());
  out->set_version_count(e.version_count);
  SetTime(e.create_time_us, out->mutable_create_time());
  SetTime(e.update_time_us, out->mutable_update_time());
  if (e.delete_time_us != 0)
    SetTime(e.delete_time_us, out->mutable_delete_time());
  if (e.frozen_until_us != 0)
    SetTime(e.frozen_until_us, out->mutable_frozen_until());
}

int PageSize(int32_t requested, std::vector<FieldViolation>& violations) {
  if (requested < 0) {
    violations.push_back({"page_size", "must not be negative"});
  }
  if (requested <= 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

// Page tokens bind a cursor to the request that produced it (AIP-158): a
// token replayed with other filters is refused rather than misread.
std::string MakePageToken(absl::string_view request_fingerprint,
                          absl::string_view cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(
      AsBytes(Sha256::Of(request_fingerprint)).substr(0, 8), cursor));
}

absl::StatusOr<std::string> ParsePageToken(absl::string_view token,
                                           absl::string_view fingerprint) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 8 ||
      raw.substr(0, 8) != AsBytes(Sha256::Of(fingerprint)).substr(0, 8)) {
    return InvalidField("page_token",
                        "is not a token from a previous call with the same "
                        "parent and filters; start again without it");
  }
  return raw.substr(8);
}

// Reads the first message and validates the header.
absl::StatusOr<UploadSpec> ReadHeader(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadRequest>* reader,
    int64_t max_file_bytes) {
  v1::UploadRequest first;
  if (!reader->Read(&first)) {
    if (context->IsCancelled()) return absl::CancelledError("client cancelled");
    return InvalidField("header",
                        "the stream ended before an UploadHeader was sent");
  }
  if (!first.has_header()) {
    return InvalidField("header",
                        "the first message must be an UploadHeader; bytes "
                        "came before it");
  }
  return ParseUploadHeader(first.header(), max_file_bytes);
}

// The messages after the header, as an UploadSource.
class GrpcUploadSource final : public UploadSource {
 public:
  GrpcUploadSource(grpc::ServerContext* context,
                   grpc::ServerReader<v1::UploadRequest>* reader)
      : context_(context), reader_(reader) {}

  bool Next(std::string* piece) override {
    while (reader_->Read(&message_)) {
      if (trailer_.has_value()) {
        status_ = InvalidField("trailer_sha256",
                               "must be the last message; more came after it");
        return false;
      }
      if (message_.payload_case() == v1::UploadRequest::kTrailerSha256) {
        trailer_ = ParseSha256Hex(message_.trailer_sha256());
        if (!trailer_.has_value()) {
          status_ = InvalidField("trailer_sha256", "is not 64 hex digits");
          return false;
        }
        continue;
      }
      if (message_.has_header()) {
        status_ = InvalidField("header",
                               "an UploadHeader was sent twice; send it only "
                               "as the first message");
        return false;
      }
      if (message_.payload_case() != v1::UploadRequest::kChunk) {
        status_ =
            InvalidField("chunk", "a message had neither header nor chunk");
        return false;
      }
      if (message_.chunk().empty()) continue;
      piece->swap(*message_.mutable_chunk());
      return true;
    }
    if (context_->IsCancelled()) {
      // Cancelled by the client, a broken connection, a deadline or the
      // server's shutdown: gRPC does not tell them apart here.
      status_ = absl::CancelledError(
          "the upload's stream was cancelled before it ended");
    }
    return false;
  }

  absl::Status Finish() override { return status_; }
  std::optional<Sha256Digest> TrailerSha256() override { return trailer_; }

 private:
  grpc::ServerContext* context_;
  grpc::ServerReader<v1::UploadRequest>* reader_;
  v1::UploadRequest message_;
  absl::Status status_;
  std::optional<Sha256Digest> trailer_;
};

// The first message of a download: which version is being sent.
grpc::ByteBuffer VersionMessage(const EvidenceName& name,
                                const VersionInfo& version) {
  v1::DownloadResponse message;
  ToProto(name, version, message.mutable_version());
  grpc::ByteBuffer buffer;
  bool own;
  (void)grpc::SerializationTraits<v1::DownloadResponse>::Serialize(
      message, &buffer, &own);
  return buffer;
}

// A DownloadResponse with `bytes` as its chunk, written by hand (field 2,
// length-delimited) so that the bytes are not copied: the buffer's second
// slice owns the string and is what gRPC sends.
grpc::ByteBuffer ChunkMessage(std::string bytes) {
  uint8_t head[1 + 10];
  size_t n = 0;
  head[n++] = (2 << 3) | 2;
  for (uint64_t v = bytes.size();; v >>= 7) {
    head[n++] = static_cast<uint8_t>(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
    if (v < 0x80) break;
  }
  auto* owned = new std::string(std::move(bytes));
  const grpc::Slice slices[2] = {
      grpc::Slice(head, n),
      grpc::Slice(
          owned->data(), owned->size(),
          [](void* p) { delete static_cast<std::string*>(p); }, owned)};
  return grpc::ByteBuffer(slices, 2);
}

// Hands the bytes to the sender, one message per piece.
class RawDownloadSink final : public DownloadSink {
 public:
  RawDownloadSink(const EvidenceName& name, DownloadSender& sender)
      : name_(name), sender_(sender) {}

  bool Begin(const VersionInfo& version) override;
  bool Write(std::string bytes) override;

 private:
  const EvidenceName& name_;
  DownloadSender& sender_;
};

}  // namespace

// Runs one download on its own thread and writes its messages through the
// callback API, each write waiting for the one before to be taken by the
// transport (so a slow reader holds one message here, as the synchronous
// writer did). A thread per download is what the synchronous server gave
// too; the callback API is used only for its raw byte buffers.
class DownloadSender final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // Starts `run` with this sender; the reactor deletes itself when done.
  static DownloadSender* Start(
      std::function<absl::Status(DownloadSender&)> run) {
    auto* sender = new DownloadSender();
    std::thread([sender, run = std::move(run)] {
      const absl::Status status = run(*sender);
      // After Finish() the reactor may be gone: nothing touches it below.
      sender->Finish(ToGrpc(status));
    }).detach();
    return sender;
  }

  // False when the client went away.
  bool Send(grpc::ByteBuffer message) {
    std::unique_lock<std::mutex> lock(mu_);
    if (cancelled_) return false;
    message_ = std::move(message);
    writing_ = true;
    StartWrite(&message_);
    done_.wait(lock, [&] { return !writing_; });
    return write_ok_ && !cancelled_;
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      write_ok_ = ok;
    }
    done_.notify_all();
  }
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
  }
  void OnDone() override { delete this; }

 private:
  DownloadSender() = default;

  std::mutex mu_;
  std::condition_variable done_;
  grpc::ByteBuffer message_;
  bool writing_ = false;
  bool write_ok_ = true;
  bool cancelled_ = false;
};

namespace {

bool RawDownloadSink::Begin(const VersionInfo& version) {
  return sender_.Send(VersionMessage(name_, version));
}

bool RawDownloadSink::Write(std::string bytes) {
  if (bytes.size() <= kMaxDownloadMessage) {
    return sender_.Send(ChunkMessage(std::move(bytes)));
  }
  // A chunk store's chunks may be larger than a message should be.
  for (size_t at = 0; at < bytes.size(); at += kMaxDownloadMessage) {
    if (!sender_.Send(ChunkMessage(bytes.substr(
            at, std::min(kMaxDownloadMessage, bytes.size() - at))))) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status ArchiveGrpcService::DoUpload(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadRequest>* reader,
    v1::EvidenceVersion* response) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  ASSIGN_OR_RETURN(
      UploadSpec spec,
      ReadHeader(context, reader, archive_.options().max_file_bytes));
  const EvidenceName name = spec.commit.name;
  RETURN_IF_ERROR(
      Authorize(who, Permission::kWriteEvidence, ScopeOfParent(name.parent)));
  spec.commit.uploader = who.actor();
  GrpcUploadSource source(context, reader);
  ASSIGN_OR_RETURN(VersionInfo version,
                   archive_.Upload(std::move(spec), source));
  ToProto(name, version, response);
  return absl::OkStatus();
}

absl::StatusOr<UploadSessionName> ArchiveGrpcService::AuthorizeSession(
    grpc::ServerContext* context, const std::string& name) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  ASSIGN_OR_RETURN(UploadSessionName session,
                   ParseUploadSessionName(name, "name"));
  // Whoever may upload to the evidence may resume, inspect or abandon its
  // uploads.
  RETURN_IF_ERROR(Authorize(who, Permission::kWriteEvidence,
                            ScopeOfParent(session.evidence.parent)));
  return session;
}

grpc::Status ArchiveGrpcService::GetUploadSession(
    grpc::ServerContext* context, const v1::GetUploadSessionRequest* request,
    v1::UploadSession* response) {
  return ToGrpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(UploadSessionName name,
                     AuthorizeSession(context, request->name()));
    ASSIGN_OR_RETURN(UploadSession session, archive_.GetUploadSession(name));
    response->set_name(name.ToString());
    response->set_request_id(name.request_id);
    response->set_committed_size_bytes(session.committed_bytes);
    if (session.declared_size) response->set_size_bytes(*session.declared_size);
    SetTime(session.create_time_us, response->mutable_create_time());
    SetTime(session.update_time_us, response->mutable_update_time());
    SetTime(session.expire_time_us, response->mutable_expire_time());
    if (session.declared_sha256) {
      response->set_sha256(ToHex(*session.declared_sha256));
    }
    response->set_filename(session.upload.filename);
    response->set_uploader(session.upload.uploader.principal);
    return absl::OkStatus();
  }());
}

grpc::Status ArchiveGrpcService::DeleteUploadSession(
    grpc::ServerContext* context, const v1::DeleteUploadSessionRequest* request,
    google::protobuf::Empty*) {
  return ToGrpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(UploadSessionName name,
                     AuthorizeSession(context, request->name()));
    return archive_.DeleteUploadSession(name);
  }());
}

grpc::Status ArchiveGrpcService::Upload(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadRequest>* reader,
    v1::EvidenceVersion* response) {
  return ToGrpc(DoUpload(context, reader, response));
}

absl::Status ArchiveGrpcService::DoDownload(
    const grpc::ServerContextBase& context, const v1::DownloadRequest& request,
    DownloadSender& sender) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(context));
  std::vector<FieldViolation> bad;
  auto name = ParseVersionName(request.name(), "name");
  if (!name.ok()) bad = FieldViolations(name.status());
  if (request.offset() < 0) bad.push_back({"offset", "must not be negative"});
  if (request.length() < 0) bad.push_back({"length", "must not be negative"});
  if (!bad.empty() || !name.ok()) {
    return InvalidFields("bad download request", bad);
  }
  RETURN_IF_ERROR(Authorize(who, Permission::kReadEvidence,
                            ScopeOfParent(name->evidence.parent)));
  RawDownloadSink sink(name->evidence, sender);
  return archive_.Download({.name = *name,
                            .offset = request.offset(),
                            .length = request.length(),
                            .reader = who.actor(),
                            .via = who.via},
                           sink);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* ArchiveGrpcService::Download(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  grpc::ByteBuffer bytes = *request;  // shares the slices
  return DownloadSender::Start(
      [this, context, bytes](DownloadSender& sender) mutable -> absl::Status {
        v1::DownloadRequest parsed;
        if (!grpc::SerializationTraits<v1::DownloadRequest>::Deserialize(
                 &bytes, &parsed)
                 .ok()) {
          return absl::InvalidArgumentError(
              "the download request does not parse as a DownloadRequest");
        }
        bytes.Clear();
        return DoDownload(*context, parsed, sender);
      });
}

absl::Status ArchiveGrpcService::DoGetEvidence(
    grpc::ServerContext* context, const v1::GetEvidenceRequest& request,
    v1::Evidence* response) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  ASSIGN_OR_RETURN(EvidenceName name,
                   ParseEvidenceName(request.name(), "name"));
  RETURN_IF_ERROR(
      Authorize(who, Permission::kReadEvidence, ScopeOfParent(name.parent)));
  ASSIGN_OR_RETURN(EvidenceInfo evidence, archive_.GetEvidence(name));
  ToProto(evidence, response);
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::GetEvidence(
    grpc::ServerContext* context, const v1::GetEvidenceRequest* request,
    v1::Evidence* response) {
  return ToGrpc(DoGetEvidence(context, *request, response));
}

absl::Status ArchiveGrpcService::DoListEvidence(
    grpc::ServerContext* context, const v1::ListEvidenceRequest& request,
    v1::ListEvidenceResponse* response) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  std::vector<FieldViolation> bad;
  ListQuery query;
  auto parent = ParseListParent(request.parent(), "parent");
  if (!parent.ok()) {
    bad = FieldViolations(parent.status());
  } else {
    query.parent = *parent;
  }
  if (!request.indicator_code().empty() &&
      !IsValidIndicatorCode(request.indicator_code())) {
    bad.push_back(
        {"indicator_code", "is not an indicator code such as R4, G11 or Q3"});
  }
  query.limit = PageSize(request.page_size(), bad);
  const std::string fingerprint =
      absl::StrCat("evidence|", request.parent(), "|", request.indicator_code(),
                   "|", request.school_year(), "|", request.show_deleted());
  if (!request.page_token().empty()) {
    auto cursor = ParsePageToken(request.page_token(), fingerprint);
    if (!cursor.ok()) {
      for (auto& v : FieldViolations(cursor.status())) bad.push_back(v);
    } else {
      query.start_after = *cursor;
    }
  }
  // A failed parse is refused even if its violations were lost: an empty
  // parent would mean every county.
  if (!bad.empty() || !parent.ok()) {
    return InvalidFields("bad list request", bad);
  }
  RETURN_IF_ERROR(
      Authorize(who, Permission::kReadEvidence, ScopeOfParent(query.parent)));
  query.indicator_code = request.indicator_code();
  query.school_year = request.school_year();
  query.show_deleted = request.show_deleted();
  ASSIGN_OR_RETURN(ListPage page, archive_.ListEvidence(query));
  for (const EvidenceInfo& e : page.evidence) {
    ToProto(e, response->add_evidence());
  }
  if (!page.next_cursor.empty()) {
    response->set_next_page_token(MakePageToken(fingerprint, page.next_cursor));
  }
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::ListEvidence(
    grpc::ServerContext* context, const v1::ListEvidenceRequest* request,
    v1::ListEvidenceResponse* response) {
  return ToGrpc(DoListEvidence(context, *request, response));
}

absl::Status ArchiveGrpcService::DoListVersions(
    grpc::ServerContext* context, const v1::ListVersionsRequest& request,
    v1::ListVersionsResponse* response) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  std::vector<FieldViolation> bad;
  auto name = ParseEvidenceName(request.parent(), "parent");
  if (!name.ok()) bad = FieldViolations(name.status());
  const int limit = PageSize(request.page_size(), bad);
  const std::string fingerprint = absl::StrCat("versions|", request.parent());
  int64_t after = 0;
  if (!request.page_token().empty()) {
    auto cursor = ParsePageToken(request.page_token(), fingerprint);
    if (!cursor.ok() || cursor->size() != 8) {
      bad.push_back({"page_token",
                     "is not a token from a previous ListVersions call for "
                     "this evidence"});
    } else {
      after = static_cast<int64_t>(GetU64BE(*cursor));
    }
  }
  if (!bad.empty() || !name.ok()) {
    return InvalidFields("bad list request", bad);
  }
  RETURN_IF_ERROR(
      Authorize(who, Permission::kReadEvidence, ScopeOfParent(name->parent)));
  ASSIGN_OR_RETURN(std::vector<VersionInfo> versions,
                   archive_.ListVersions(*name, after, limit + 1));
  const bool more = static_cast<int>(versions.size()) > limit;
  if (more) versions.pop_back();
  for (const VersionInfo& v : versions) {
    ToProto(*name, v, response->add_versions());
  }
  if (more) {
    response->set_next_page_token(
        MakePageToken(fingerprint, U64Key(versions.back().version)));
  }
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::ListVersions(
    grpc::ServerContext* context, const v1::ListVersionsRequest* request,
    v1::ListVersionsResponse* response) {
  return ToGrpc(DoListVersions(context, *request, response));
}

absl::Status ArchiveGrpcService::DoSetDeleted(grpc::ServerContext* context,
                                              const std::string& name_field,
                                              bool deleted,
                                              v1::Evidence* response) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  ASSIGN_OR_RETURN(EvidenceName name, ParseEvidenceName(name_field, "name"));
  RETURN_IF_ERROR(
      Authorize(who, Permission::kDeleteEvidence, ScopeOfParent(name.parent)));
  ASSIGN_OR_RETURN(EvidenceInfo evidence,
                   archive_.SetDeleted(name, deleted, who.actor()));
  ToProto(evidence, response);
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::DeleteEvidence(
    grpc::ServerContext* context, const v1::DeleteEvidenceRequest* request,
    v1::Evidence* response) {
  return ToGrpc(DoSetDeleted(context, request->name(), true, response));
}

grpc::Status ArchiveGrpcService::UndeleteEvidence(
    grpc::ServerContext* context, const v1::UndeleteEvidenceRequest* request,
    v1::Evidence* response) {
  return ToGrpc(DoSetDeleted(context, request->name(), false, response));
}

absl::Status ArchiveGrpcService::DoFreeze(
    grpc::ServerContext* context, const v1::FreezeEvidenceRequest& request,
    v1::EvidenceFreeze* response) {
  ASSIGN_OR_RETURN(Principal who, auth_.Authenticate(*context));
  std::vector<FieldViolation> bad;
  auto place = ParseParent(request.parent(), "parent");
  if (!place.ok()) bad = FieldViolations(place.status());
  const int64_t now = absl::ToUnixMicros(absl::Now());
  const int64_t until = request.retain_until().seconds() * 1000000 +
                        request.retain_until().nanos() / 1000;
  if (!request.has_retain_until()) {
    bad.push_back({"retain_until", "is required: until when to freeze"});
  } else if (until <= now) {
    bad.push_back({"retain_until", "must be in the future"});
  } else if (until > now + kMaxFreezeMicros) {
    bad.push_back({"retain_until", "must be at most 50 years ahead"});
  }
  if (request.reason().size() > 500) {
    bad.push_back({"reason", "must be at most 500 bytes"});
  }
  if (!bad.empty() || !place.ok()) {
    return InvalidFields("bad freeze request", bad);
  }
  RETURN_IF_ERROR(
      Authorize(who, Permission::kFreezeEvidence, ScopeOfParent(*place)));
  ASSIGN_OR_RETURN(
      FreezeInfo freeze,
      archive_.Freeze(*place, until, request.reason(), who.actor()));
  response->set_parent(request.parent());
  SetTime(freeze.until_us, response->mutable_retain_until());
  response->set_reason(freeze.reason);
  SetTime(freeze.create_time_us, response->mutable_create_time());
  SetTime(freeze.update_time_us, response->mutable_update_time());
  response->set_creator(freeze.creator);
  response->set_frozen_versions(freeze.frozen_versions);
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::FreezeEvidence(
    grpc::ServerContext* context, const v1::FreezeEvidenceRequest* request,
    v1::EvidenceFreeze* response) {
  return ToGrpc(DoFreeze(context, *request, response));
}

grpc::Status ArchiveGrpcService::GetAuditLog(
    grpc::ServerContext* context, const v1::GetAuditLogRequest* request,
    grpc::ServerWriter<v1::AuditEntry>* writer) {
  return GetAuditLogRpc(
      auth_, *context, *request, *writer,
      [this](int64_t from,
             const std::function<bool(const v1::AuditEntry&)>& fn) {
        return archive_.ScanAudit(from, fn);
      });
}

}  // namespace junheng::archive
