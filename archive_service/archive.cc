#include "archive_service/archive.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

absl::Status RequestIdUsedElsewhere(const std::optional<EvidenceName>& other) {
  return InvalidField(
      "header.request_id",
      absl::StrCat("was already used for ",
                   other ? other->ToString() : "other evidence",
                   "; use a new request id for a different upload"));
}

// Errors about stored bytes name the version: that is what a person checks.
absl::Status ForVersion(const VersionName& name, const absl::Status& s) {
  return absl::Status(s.code(),
                      absl::StrCat(name.ToString(), ": ", s.message()));
}

}  // namespace

absl::StatusOr<std::optional<VersionInfo>> Archive::Replayed(
    const std::string& request_id, const EvidenceName& name) {
  ASSIGN_OR_RETURN(std::optional<RequestInfo> previous,
                   store_.LookupRequest(request_id));
  if (!previous.has_value()) return std::nullopt;
  if (!previous->name.has_value() || *previous->name != name) {
    return RequestIdUsedElsewhere(previous->name);
  }
  ASSIGN_OR_RETURN(VersionInfo version,
                   store_.GetVersion(name, previous->version));
  return version;
}

absl::StatusOr<VersionInfo> Archive::Upload(UploadSpec spec,
                                            UploadSource& source) {
  const EvidenceName& name = spec.commit.name;
  if (!spec.commit.request_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<VersionInfo> previous,
                     Replayed(spec.commit.request_id, name));
    if (previous.has_value()) return *previous;
  }
  // Refuse before any byte is read what the commit would refuse anyway.
  // Evidence is never removed, so what is seen here still holds at the
  // commit: existing evidence stays existing.
  absl::StatusOr<EvidenceInfo> existing = store_.GetEvidence(name);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  ASSIGN_OR_RETURN(std::optional<FreezeInfo> freeze,
                   store_.FreezeOf(name.parent));
  if (freeze && freeze->until_us > absl::ToUnixMicros(absl::Now())) {
    return FrozenError(
        *freeze, absl::StrCat(name.ToString(), " cannot get a new version"));
  }
  if (existing.ok() && existing->delete_time_us != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        name.ToString(), " is deleted; undelete it before adding a version"));
  }
  if (!existing.ok()) {
    const EvidenceMetadata& m = spec.commit.metadata;
    std::vector<FieldViolation> missing;
    if (m.title.empty()) {
      missing.push_back({"header.title", "is required for new evidence"});
    }
    if (m.indicator_codes.empty()) {
      missing.push_back({"header.indicator_codes",
                         "at least one is required for new evidence"});
    }
    if (m.school_year == 0) {
      missing.push_back({"header.school_year", "is required for new evidence"});
    }
    if (!missing.empty()) {
      return InvalidFields(absl::StrCat(name.ToString(), " does not exist yet"),
                           missing);
    }
  }
  spec.max_file_bytes = options_.max_file_bytes;
  ChunkStore& chunks = store_.chunks();
  spec.commit.chunk_size = chunks.ChunkSize();
  ASSIGN_OR_RETURN(UploadAdmission::Ticket ticket,
                   admission_.Admit(UploadAdmission::ReservationFor(
                       spec.expected_size, chunks.ChunkSize(),
                       std::max(1, chunks.Parallelism()))));
  absl::StatusOr<CommitResult> result = RunUpload(store_, spec, source);
  if (absl::IsAlreadyExists(result.status())) {
    // The same request id committed for other evidence meanwhile.
    ASSIGN_OR_RETURN(std::optional<RequestInfo> previous,
                     store_.LookupRequest(spec.commit.request_id));
    return RequestIdUsedElsewhere(previous ? previous->name : std::nullopt);
  }
  RETURN_IF_ERROR(result.status());
  return result->version;
}

absl::Status Archive::Download(const DownloadQuery& q, DownloadSink& sink) {
  VersionInfo version;
  if (q.name.version == 0) {
    ASSIGN_OR_RETURN(EvidenceInfo evidence,
                     store_.GetEvidence(q.name.evidence));
    if (evidence.delete_time_us != 0) {
      return absl::NotFoundError(
          absl::StrCat(q.name.ToString(),
                       " is deleted; its versions stay readable by version "
                       "name (…/versions/",
                       evidence.version_count, ") or after undelete"));
    }
    version = evidence.latest;
  } else {
    ASSIGN_OR_RETURN(version,
                     store_.GetVersion(q.name.evidence, q.name.version));
  }
  const VersionName version_name{q.name.evidence, version.version};
  if (q.offset > version.size_bytes) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", q.offset, " is past the end of the ",
                     version.size_bytes, "-byte file"));
  }
  absl::StatusOr<Content> content = store_.GetContent(version.sha256);
  if (!content.ok()) return ForVersion(version_name, content.status());
  const DownloadRange range{
      q.offset, q.length == 0
                    ? content->size_bytes
                    : std::min(content->size_bytes, q.offset + q.length)};
  // Who looked at what, before the first byte leaves. A read that cannot be
  // logged is still served (evidence must stay readable on a full disk) and
  // reported.
  if (absl::Status logged = store_.RecordRead(
          q.reader,
          {.action = "download",
           .resource = version_name.ToString(),
           .content_sha256 = ToHex(version.sha256),
           .detail = absl::StrCat("bytes ", range.begin, "-", range.end,
                                  q.via.empty() ? "" : " via ", q.via)});
      !logged.ok()) {
    std::fprintf(stderr, "junheng-archive: download not audited: %s\n",
                 logged.ToString().c_str());
  }
  if (!sink.Begin(version)) {
    return absl::CancelledError("the client went away");
  }
  absl::Status sent = RunDownload(store_.chunks(), *content, range,
                                  options_.download_check, sink);
  if (!sent.ok() && !absl::IsCancelled(sent)) {
    return ForVersion(version_name, sent);
  }
  return sent;
}

}  // namespace junheng::archive
