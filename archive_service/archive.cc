#include "archive_service/archive.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

absl::Status NoSession(const UploadSessionName& name) {
  return absl::NotFoundError(absl::StrCat(
      name.ToString(),
      " does not exist: no resumable upload with this request id is "
      "pending (it completed, was deleted or expired, or never started); "
      "an upload with the same request id returns the version if it "
      "completed, else starts again at offset 0"));
}

}  // namespace

Archive::Archive(ArchiveStore& store, ArchiveOptions options)
    : store_(store),
      options_(options),
      admission_(options.max_inflight_upload_bytes) {
  if (options_.upload_session_ttl > absl::ZeroDuration()) {
    sweeper_ = std::thread([this] { SweepLoop(); });
  }
}

Archive::~Archive() {
  {
    std::lock_guard<std::mutex> lock(sweep_mu_);
    stopping_ = true;
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

void Archive::SweepLoop() {
  const absl::Duration every = std::clamp(options_.upload_session_ttl / 4,
                                          absl::Seconds(1), absl::Minutes(10));
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (!sweep_cv_.wait_for(lock, absl::ToChronoNanoseconds(every),
                             [this] { return stopping_; })) {
    lock.unlock();
    if (absl::StatusOr<int> swept = SweepUploadSessions(); !swept.ok()) {
      std::fprintf(stderr,
                   "junheng-archive: sweeping expired upload sessions: %s\n",
                   swept.status().ToString().c_str());
    } else if (*swept > 0) {
      std::fprintf(stderr,
                   "junheng-archive: removed %d expired upload sessions\n",
                   *swept);
    }
    lock.lock();
  }
}

Archive::Claim::~Claim() {
  if (archive_ == nullptr) return;
  MutexLock lock(&archive_->claims_mu_);
  archive_->claims_.erase(request_id_);
}

absl::StatusOr<Archive::Claim> Archive::ClaimRequest(
    const std::string& request_id, absl::string_view what) {
  MutexLock lock(&claims_mu_);
  if (!claims_.insert(request_id).second) {
    return absl::AbortedError(absl::StrCat("an upload with request id ",
                                           Excerpt(request_id, 130),
                                           " is in progress; ", what));
  }
  return Claim(this, request_id);
}

absl::StatusOr<std::optional<UploadSession>> Archive::LiveSession(
    const std::string& request_id) {
  ASSIGN_OR_RETURN(std::optional<UploadSession> session,
                   store_.GetUploadSession(request_id));
  if (session && session->expire_time_us <= NowMicros()) {
    RETURN_IF_ERROR(store_.DeleteUploadSession(request_id));
    return std::nullopt;
  }
  return session;
}

absl::StatusOr<int> Archive::SweepUploadSessions() {
  ASSIGN_OR_RETURN(std::vector<ArchiveStore::SessionExpiry> sessions,
                   store_.ListUploadSessions());
  int swept = 0;
  for (const ArchiveStore::SessionExpiry& s : sessions) {
    if (s.expire_time_us > NowMicros()) continue;
    // A stream resuming it right now keeps it (and moves its expiry).
    absl::StatusOr<Claim> claim = ClaimRequest(s.request_id, "");
    if (!claim.ok()) continue;
    absl::StatusOr<std::optional<UploadSession>> current =
        store_.GetUploadSession(s.request_id);
    if (current.ok() && current->has_value() &&
        (*current)->expire_time_us > NowMicros()) {
      continue;
    }
    RETURN_IF_ERROR(store_.DeleteUploadSession(s.request_id));
    ++swept;
  }
  return swept;
}

absl::StatusOr<UploadSession> Archive::GetUploadSession(
    const UploadSessionName& name) {
  ASSIGN_OR_RETURN(std::optional<UploadSession> session,
                   store_.GetUploadSession(name.request_id));
  if (!session || session->upload.name != name.evidence ||
      session->expire_time_us <= NowMicros()) {
    return NoSession(name);
  }
  return *session;
}

absl::Status Archive::DeleteUploadSession(const UploadSessionName& name) {
  ASSIGN_OR_RETURN(Claim claim,
                   ClaimRequest(name.request_id,
                                "a stream is uploading to this session; "
                                "cancel it first"));
  ASSIGN_OR_RETURN(std::optional<UploadSession> session,
                   LiveSession(name.request_id));
  if (!session || session->upload.name != name.evidence) {
    return NoSession(name);
  }
  return store_.DeleteUploadSession(name.request_id);
}

absl::Status Archive::MergeSession(const UploadSession& session,
                                   UploadSpec& spec) {
  CommitRequest& c = spec.commit;
  const CommitRequest& was = session.upload;
  std::vector<FieldViolation> bad;
  auto differs = [&bad](const char* field, bool given, bool same,
                        const std::string& started) {
    if (given && !same) {
      bad.push_back({field, absl::StrCat("differs from what the upload "
                                         "session was started with (",
                                         Excerpt(started, 80),
                                         "); leave it out to resume, or "
                                         "delete the session")});
    }
    return given;
  };
  if (!differs("header.size_bytes", spec.expected_size.has_value(),
               spec.expected_size == session.declared_size,
               session.declared_size
                   ? absl::StrCat(*session.declared_size, " bytes")
                   : "no size")) {
    spec.expected_size = session.declared_size;
  }
  if (!differs("header.sha256", spec.expected_sha256.has_value(),
               spec.expected_sha256 == session.declared_sha256,
               session.declared_sha256 ? ToHex(*session.declared_sha256)
                                       : "no SHA-256")) {
    spec.expected_sha256 = session.declared_sha256;
  }
  if (!differs("header.title", !c.metadata.title.empty(),
               c.metadata.title == was.metadata.title,
               absl::StrCat("\"", was.metadata.title, "\""))) {
    c.metadata.title = was.metadata.title;
  }
  if (!differs("header.indicator_codes", !c.metadata.indicator_codes.empty(),
               c.metadata.indicator_codes == was.metadata.indicator_codes,
               absl::StrJoin(was.metadata.indicator_codes, ", "))) {
    c.metadata.indicator_codes = was.metadata.indicator_codes;
  }
  if (!differs("header.school_year", c.metadata.school_year != 0,
               c.metadata.school_year == was.metadata.school_year,
               absl::StrCat(was.metadata.school_year))) {
    c.metadata.school_year = was.metadata.school_year;
  }
  if (!differs("header.content_type", spec.content_type_given,
               c.content_type == was.content_type, was.content_type)) {
    c.content_type = was.content_type;
  }
  if (!differs("header.filename", !c.filename.empty(),
               c.filename == was.filename,
               absl::StrCat("\"", was.filename, "\""))) {
    c.filename = was.filename;
  }
  if (!bad.empty()) {
    return InvalidFields(
        absl::StrCat("the resumed upload differs from its session ",
                     c.name.ToString(), "/uploads/", c.request_id),
        bad);
  }
  c.chunk_size = was.chunk_size;
  spec.session = session;
  return absl::OkStatus();
}

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
  const EvidenceName name = spec.commit.name;
  const std::string request_id = spec.commit.request_id;
  const bool resumable = spec.commit.resumable;
  std::optional<Claim> claim;
  spec.commit.chunk_size = store_.chunks().ChunkSize();
  if (!request_id.empty()) {
    absl::StatusOr<Claim> claimed =
        ClaimRequest(request_id, resumable ? "ask GetUploadSession again "
                                             "once it has ended, then resume"
                                           : "wait for its answer");
    if (!claimed.ok()) return claimed.status();
    claim.emplace(*std::move(claimed));
    ASSIGN_OR_RETURN(std::optional<VersionInfo> previous,
                     Replayed(request_id, name));
    if (previous.has_value()) return *previous;
    ASSIGN_OR_RETURN(std::optional<UploadSession> session,
                     LiveSession(request_id));
    const std::string session_name =
        UploadSessionName{name, request_id}.ToString();
    if (session && session->upload.name != name) {
      return RequestIdUsedElsewhere(session->upload.name);
    }
    if (session && !resumable) {
      return absl::FailedPreconditionError(
          absl::StrCat("request id ", request_id, " has the upload session ",
                       session_name, " with ", session->committed_bytes,
                       " bytes committed: resume it (resumable, resume_offset ",
                       session->committed_bytes, ") or delete it first"));
    }
    if (resumable) {
      const int64_t committed = session ? session->committed_bytes : 0;
      if (session) {
        RETURN_IF_ERROR(MergeSession(*session, spec));
      } else {
        UploadSession fresh;
        fresh.upload = spec.commit;
        spec.session = std::move(fresh);
      }
      if (spec.resume_offset != committed) {
        return absl::FailedPreconditionError(absl::StrCat(
            "resume_offset is ", spec.resume_offset, " but ",
            session ? absl::StrCat("the upload session ", session_name,
                                   " has committed_size_bytes ", committed)
                    : absl::StrCat("there is no upload session ", session_name,
                                   " (it expired, was deleted or never "
                                   "started), so committed_size_bytes is 0"),
            ": resume at offset ", committed));
      }
      spec.session_ttl_us = absl::ToInt64Microseconds(
          options_.upload_session_ttl > absl::ZeroDuration()
              ? options_.upload_session_ttl
              : absl::Hours(7 * 24));
      spec.checkpoint_bytes = options_.upload_checkpoint_bytes;
    }
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
  ASSIGN_OR_RETURN(UploadAdmission::Ticket ticket,
                   admission_.Admit(UploadAdmission::ReservationFor(
                       spec.expected_size, spec.commit.chunk_size,
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
