#include "archive_service/archive_grpc_service.h"

#include <algorithm>
#include <future>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "archive_service/keys.h"
#include "archive_service/upload_pipeline.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxTitleBytes = 512;
constexpr size_t kMaxIndicatorCodes = 32;
constexpr size_t kMaxRequestIdBytes = 128;

bool IsPrintableAscii(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f; });
}

// One or two upper-case letters then 1–3 digits: R4, G11, Q3, VE2.
bool IsValidIndicatorCode(absl::string_view s) {
  size_t letters = 0;
  while (letters < s.size() && s[letters] >= 'A' && s[letters] <= 'Z') {
    ++letters;
  }
  const size_t digits = s.size() - letters;
  return letters >= 1 && letters <= 2 && digits >= 1 && digits <= 3 &&
         std::all_of(s.begin() + letters, s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

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
  const v1::UploadHeader& h = first.header();
  std::vector<FieldViolation> bad;
  UploadSpec spec;
  CommitRequest& c = spec.commit;
  auto parent = ParseParent(h.parent(), "header.parent");
  if (!parent.ok()) {
    for (auto& v : FieldViolations(parent.status())) bad.push_back(v);
  } else {
    c.name.parent = *parent;
  }
  if (!IsValidEvidenceId(h.evidence_id())) {
    bad.push_back({"header.evidence_id",
                   absl::StrCat("\"", h.evidence_id().substr(0, 80),
                                "\" is not an evidence id: use 1-63 of a-z, "
                                "0-9 and '-', starting with a letter")});
  }
  c.name.evidence = h.evidence_id();
  if (h.title().size() > kMaxTitleBytes) {
    bad.push_back({"header.title",
                   absl::StrCat("is longer than ", kMaxTitleBytes, " bytes")});
  }
  if (static_cast<size_t>(h.indicator_codes_size()) > kMaxIndicatorCodes) {
    bad.push_back({"header.indicator_codes",
                   absl::StrCat("at most ", kMaxIndicatorCodes, " codes")});
  }
  for (int i = 0; i < h.indicator_codes_size(); ++i) {
    if (!IsValidIndicatorCode(h.indicator_codes(i))) {
      bad.push_back({absl::StrCat("header.indicator_codes[", i, "]"),
                     absl::StrCat("\"", h.indicator_codes(i).substr(0, 20),
                                  "\" is not an indicator code such as R4, "
                                  "G11 or Q3")});
    }
  }
  if (h.school_year() != 0 &&
      (h.school_year() < 2000 || h.school_year() > 2100)) {
    bad.push_back(
        {"header.school_year",
         absl::StrCat(h.school_year(),
                      " is not a school year between 2000 and 2100")});
  }
  if (h.content_type().size() > 127 || !IsPrintableAscii(h.content_type())) {
    bad.push_back({"header.content_type",
                   "must be a MIME type of at most 127 printable characters"});
  }
  if (h.filename().size() > 255 || h.filename().find_first_of(std::string(
                                       "/\\\0", 3)) != std::string::npos) {
    bad.push_back(
        {"header.filename",
         "must be a base name of at most 255 bytes, without / or \\"});
  }
  if (!h.sha256().empty()) {
    spec.expected_sha256 = ParseSha256Hex(h.sha256());
    if (!spec.expected_sha256) {
      bad.push_back({"header.sha256", "must be 64 hexadecimal digits"});
    }
  }
  if (h.has_size_bytes()) {
    if (h.size_bytes() < 0) {
      bad.push_back({"header.size_bytes", "must not be negative"});
    }
    spec.expected_size = h.size_bytes();
  }
  if (h.request_id().size() > kMaxRequestIdBytes ||
      !IsPrintableAscii(h.request_id())) {
    bad.push_back({"header.request_id",
                   absl::StrCat("must be at most ", kMaxRequestIdBytes,
                                " printable ASCII characters")});
  }
  if (!bad.empty()) return InvalidFields("bad upload header", bad);
  if (spec.expected_size && *spec.expected_size > max_file_bytes) {
    return FileTooLarge(max_file_bytes);
  }
  c.metadata.title = h.title();
  c.metadata.indicator_codes.assign(h.indicator_codes().begin(),
                                    h.indicator_codes().end());
  c.metadata.school_year = h.school_year();
  c.content_type =
      h.content_type().empty() ? "application/octet-stream" : h.content_type();
  c.filename = h.filename();
  c.uploader = CallerOf(*context);
  c.request_id = h.request_id();
  spec.max_file_bytes = max_file_bytes;
  return spec;
}

// The messages after the header, as an UploadSource.
class GrpcUploadSource final : public UploadSource {
 public:
  GrpcUploadSource(grpc::ServerContext* context,
                   grpc::ServerReader<v1::UploadRequest>* reader)
      : context_(context), reader_(reader) {}

  bool Next(std::string* piece) override {
    while (reader_->Read(&message_)) {
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
      status_ = absl::CancelledError(
          "the client cancelled the upload; nothing was stored");
    }
    return false;
  }

  absl::Status Finish() override { return status_; }

 private:
  grpc::ServerContext* context_;
  grpc::ServerReader<v1::UploadRequest>* reader_;
  v1::UploadRequest message_;
  absl::Status status_;
};

}  // namespace

absl::Status ArchiveGrpcService::DoUpload(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadRequest>* reader,
    v1::EvidenceVersion* response) {
  ASSIGN_OR_RETURN(UploadSpec spec,
                   ReadHeader(context, reader, options_.max_file_bytes));
  const EvidenceName& name = spec.commit.name;
  if (!spec.commit.request_id.empty()) {
    ASSIGN_OR_RETURN(auto previous,
                     store_.LookupRequest(spec.commit.request_id, name));
    if (previous.has_value()) {
      ToProto(name, *previous, response);
      return absl::OkStatus();
    }
  }
  // Refuse before any byte is read what the commit would refuse anyway.
  absl::StatusOr<EvidenceInfo> existing = store_.GetEvidence(name);
  if (existing.ok() && existing->delete_time_us != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        name.ToString(), " is deleted; undelete it before adding a version"));
  }
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  GrpcUploadSource source(context, reader);
  ASSIGN_OR_RETURN(CommitResult result, RunUpload(store_, spec, source));
  ToProto(name, result.version, response);
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::Upload(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadRequest>* reader,
    v1::EvidenceVersion* response) {
  return ToGrpc(DoUpload(context, reader, response));
}

absl::Status ArchiveGrpcService::DoDownload(
    grpc::ServerContext* context, const v1::DownloadRequest& request,
    grpc::ServerWriter<v1::DownloadResponse>* writer) {
  std::vector<FieldViolation> bad;
  auto name = ParseVersionName(request.name(), "name");
  if (!name.ok()) bad = FieldViolations(name.status());
  if (request.offset() < 0) bad.push_back({"offset", "must not be negative"});
  if (request.length() < 0) bad.push_back({"length", "must not be negative"});
  if (!bad.empty()) return InvalidFields("bad download request", bad);

  VersionInfo version;
  if (name->version == 0) {
    ASSIGN_OR_RETURN(EvidenceInfo evidence, store_.GetEvidence(name->evidence));
    if (evidence.delete_time_us != 0) {
      return absl::NotFoundError(
          absl::StrCat(request.name(),
                       " is deleted; its versions stay readable by version "
                       "name (…/versions/",
                       evidence.version_count, ") or after undelete"));
    }
    version = evidence.latest;
  } else {
    ASSIGN_OR_RETURN(version, store_.GetVersion(name->evidence, name->version));
  }
  if (request.offset() > version.size_bytes) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", request.offset(), " is past the end of the ",
                     version.size_bytes, "-byte file"));
  }
  ASSIGN_OR_RETURN(Content content, store_.GetContent(version.sha256));
  const int64_t begin = request.offset();
  const int64_t end =
      request.length() == 0
          ? content.size_bytes
          : std::min(content.size_bytes, begin + request.length());

  v1::DownloadResponse message;
  ToProto(name->evidence, version, message.mutable_version());
  if (!writer->Write(message)) {
    return absl::CancelledError("the client went away");
  }
  if (begin == end) return absl::OkStatus();
  // Read and verify chunk i+1 while chunk i is being sent.
  const int64_t cs = content.chunk_size;
  const int64_t first = begin / cs;
  const int64_t last = (end - 1) / cs;
  auto fetch = [this, &content](int64_t i) {
    return std::async(std::launch::async, [this, &content, i] {
      return store_.ReadChunk(content.chunks[i]);
    });
  };
  auto next = fetch(first);
  for (int64_t i = first; i <= last; ++i) {
    absl::StatusOr<std::string> chunk = next.get();
    if (i < last) next = fetch(i + 1);
    if (!chunk.ok()) return chunk.status();
    if (context->IsCancelled()) {
      return absl::CancelledError("the client went away");
    }
    const int64_t chunk_begin = i * cs;
    const int64_t from = std::max(begin, chunk_begin) - chunk_begin;
    const int64_t to = std::min<int64_t>(end - chunk_begin,
                                         static_cast<int64_t>(chunk->size()));
    if (from == 0 && to == static_cast<int64_t>(chunk->size())) {
      message.set_chunk(std::move(*chunk));
    } else {
      message.set_chunk(chunk->substr(from, to - from));
    }
    if (!writer->Write(message)) {
      return absl::CancelledError("the client went away");
    }
  }
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::Download(
    grpc::ServerContext* context, const v1::DownloadRequest* request,
    grpc::ServerWriter<v1::DownloadResponse>* writer) {
  return ToGrpc(DoDownload(context, *request, writer));
}

grpc::Status ArchiveGrpcService::GetEvidence(
    grpc::ServerContext*, const v1::GetEvidenceRequest* request,
    v1::Evidence* response) {
  auto name = ParseEvidenceName(request->name(), "name");
  if (!name.ok()) return ToGrpc(name.status());
  auto evidence = store_.GetEvidence(*name);
  if (!evidence.ok()) return ToGrpc(evidence.status());
  ToProto(*evidence, response);
  return grpc::Status::OK;
}

absl::Status ArchiveGrpcService::DoListEvidence(
    const v1::ListEvidenceRequest& request,
    v1::ListEvidenceResponse* response) {
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
  if (!bad.empty()) return InvalidFields("bad list request", bad);
  query.indicator_code = request.indicator_code();
  query.school_year = request.school_year();
  query.show_deleted = request.show_deleted();
  ASSIGN_OR_RETURN(ListPage page, store_.ListEvidence(query));
  for (const EvidenceInfo& e : page.evidence) {
    ToProto(e, response->add_evidence());
  }
  if (!page.next_cursor.empty()) {
    response->set_next_page_token(MakePageToken(fingerprint, page.next_cursor));
  }
  return absl::OkStatus();
}

grpc::Status ArchiveGrpcService::ListEvidence(
    grpc::ServerContext*, const v1::ListEvidenceRequest* request,
    v1::ListEvidenceResponse* response) {
  return ToGrpc(DoListEvidence(*request, response));
}

absl::Status ArchiveGrpcService::DoListVersions(
    const v1::ListVersionsRequest& request,
    v1::ListVersionsResponse* response) {
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
  if (!bad.empty()) return InvalidFields("bad list request", bad);
  ASSIGN_OR_RETURN(std::vector<VersionInfo> versions,
                   store_.ListVersions(*name, after, limit + 1));
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
    grpc::ServerContext*, const v1::ListVersionsRequest* request,
    v1::ListVersionsResponse* response) {
  return ToGrpc(DoListVersions(*request, response));
}

grpc::Status ArchiveGrpcService::DeleteEvidence(
    grpc::ServerContext* context, const v1::DeleteEvidenceRequest* request,
    v1::Evidence* response) {
  auto name = ParseEvidenceName(request->name(), "name");
  if (!name.ok()) return ToGrpc(name.status());
  auto evidence = store_.SetDeleted(*name, true, CallerOf(*context));
  if (!evidence.ok()) return ToGrpc(evidence.status());
  ToProto(*evidence, response);
  return grpc::Status::OK;
}

grpc::Status ArchiveGrpcService::UndeleteEvidence(
    grpc::ServerContext* context, const v1::UndeleteEvidenceRequest* request,
    v1::Evidence* response) {
  auto name = ParseEvidenceName(request->name(), "name");
  if (!name.ok()) return ToGrpc(name.status());
  auto evidence = store_.SetDeleted(*name, false, CallerOf(*context));
  if (!evidence.ok()) return ToGrpc(evidence.status());
  ToProto(*evidence, response);
  return grpc::Status::OK;
}

}  // namespace junheng::archive
