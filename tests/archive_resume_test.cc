// Resumable uploads (UploadHeader.resumable) against the real
// junheng-archive: a stream cut mid-file keeps every whole chunk received in
// an upload session, a later stream resumes from there, and the version it
// commits is the one an upload in one go would have committed. The session
// outlives a restart and a kill -9, expires, can be abandoned, and every
// misuse gets a status that says what to do. Built twice, like
// archive_server_test: chunks in RocksDB, and (archive_resume_s3_test) in a
// bucket of a real single-node Ceph.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive_service/archive_store.h"
#include "clients/archive_client.h"
#include "common/grpc_status.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/archive_backend.h"
#include "tests/archive_test_util.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ArchiveBackend;
using ::junheng::testing::DownloadBytes;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kSchool[] = "counties/330106/schools/2133010601";
constexpr int64_t kMiB = 1 << 20;

std::string Evidence(const std::string& id) {
  return absl::StrCat(kSchool, "/evidence/", id);
}
std::string Session(const std::string& id, const std::string& request_id) {
  return absl::StrCat(Evidence(id), "/uploads/", request_id);
}

v1::UploadHeader Header(const std::string& id, const std::string& request_id,
                        int64_t size) {
  v1::UploadHeader h;
  h.set_parent(kSchool);
  h.set_evidence_id(id);
  h.set_title("体育运动场馆面积台账（扫描件）");
  h.add_indicator_codes("R5");
  h.set_school_year(2025);
  h.set_content_type("application/pdf");
  h.set_filename(id + ".pdf");
  h.set_request_id(request_id);
  h.set_resumable(true);
  if (size >= 0) h.set_size_bytes(size);
  return h;
}

// A header that resumes: only what names the session, and the offset.
v1::UploadHeader ResumeHeader(const std::string& id,
                              const std::string& request_id, int64_t offset) {
  v1::UploadHeader h;
  h.set_parent(kSchool);
  h.set_evidence_id(id);
  h.set_request_id(request_id);
  h.set_resumable(true);
  h.set_resume_offset(offset);
  return h;
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolations(s)) out.push_back(v.field);
  return out;
}

class ArchiveResumeTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void TearDown() override {
    if (server_ == nullptr) return;
    // A clean stop, then fsck: sessions left behind must be consistent.
    EXPECT_EQ(Stop(), 0);
    ExpectIntact();
  }

  void Start(std::vector<std::string> extra = {}) {
    // No checkpoints unless a test asks: a session's record then appears
    // only once its stream has ended.
    std::vector<std::string> flags = {"--data_dir=" + Dir(),
                                      "--upload_checkpoint_bytes=0"};
    for (auto& f : ArchiveBackend::ServerFlags(Dir())) flags.push_back(f);
    for (auto& f : extra) flags.push_back(f);
    server_ = std::make_unique<ServerProcess>("junheng-archive", flags);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    channel_ = Connect(server_->address());
    stub_ = v1::ArchiveService::NewStub(channel_);
    client_ = std::make_unique<ArchiveClient>(channel_);
  }

  // SIGTERM, once this test's connection is closed (the server waits for
  // open connections while it drains).
  int Stop() {
    client_.reset();
    stub_.reset();
    channel_.reset();
    const int status = server_->Stop();
    server_.reset();
    return status;
  }

  std::string Dir() const { return data_.path() + "/db"; }

  void ExpectIntact(int64_t* chunks = nullptr) {
    auto store = ArchiveBackend::OpenStore(Dir());
    ASSERT_TRUE(store.ok()) << store.status();
    auto report = (*store)->CheckIntegrity();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, IsEmpty());
    if (chunks != nullptr) *chunks = report->chunks;
  }

  // One Upload call: the header, `bytes` in 256 KiB messages, then (unless
  // `cancel`) the trailer if given and the end of the stream. With
  // `cancel`, the call is cancelled once the bytes were sent and the server
  // had a moment to read them, as a connection that breaks would be.
  absl::StatusOr<v1::EvidenceVersion> Stream(const v1::UploadHeader& header,
                                             const std::string& bytes,
                                             bool cancel = false,
                                             const std::string& trailer = "") {
    grpc::ClientContext context;
    v1::EvidenceVersion version;
    auto writer = stub_->Upload(&context, &version);
    v1::UploadRequest m;
    *m.mutable_header() = header;
    bool open = writer->Write(m);
    for (size_t at = 0; open && at < bytes.size(); at += 256 << 10) {
      m.set_chunk(bytes.substr(at, 256 << 10));
      open = writer->Write(m);
    }
    if (cancel) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      context.TryCancel();
      absl::Status s = FromGrpc(writer->Finish());
      return s.ok() ? absl::InternalError("the cancelled upload committed") : s;
    }
    if (open && !trailer.empty()) {
      m.set_trailer_sha256(trailer);
      open = writer->Write(m);
    }
    writer->WritesDone();
    absl::Status s = FromGrpc(writer->Finish());
    if (!s.ok()) return s;
    return version;
  }

  // Stream() again while the server is still ending an earlier stream of
  // the same session (ABORTED until it has).
  absl::StatusOr<v1::EvidenceVersion> Resume(const v1::UploadHeader& header,
                                             const std::string& bytes,
                                             const std::string& trailer = "") {
    absl::StatusOr<v1::EvidenceVersion> v;
    for (int i = 0; i < 100; ++i) {
      v = Stream(header, bytes, false, trailer);
      if (!absl::IsAborted(v.status())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return v;
  }

  // The session, once the server has recorded it (a cancelled stream is
  // noticed on the server's schedule).
  absl::StatusOr<v1::UploadSession> WaitForSession(const std::string& name) {
    absl::StatusOr<v1::UploadSession> s;
    for (int i = 0; i < 200; ++i) {
      s = client_->GetUploadSession(name);
      if (!absl::IsNotFound(s.status())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return s;
  }

  // The audit entries for `resource`, by action.
  std::vector<std::string> AuditActions(const std::string& resource) {
    grpc::ClientContext c;
    v1::GetAuditLogRequest r;
    r.set_resource_prefix(resource);
    auto reader = stub_->GetAuditLog(&c, r);
    std::vector<std::string> actions;
    v1::AuditEntry entry;
    while (reader->Read(&entry)) actions.push_back(entry.action());
    EXPECT_TRUE(reader->Finish().ok());
    return actions;
  }

  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ArchiveService::Stub> stub_;
  std::unique_ptr<ArchiveClient> client_;
};

// The case: a rural connection drops mid-file; the upload resumes
// from the last stored chunk, not from zero, and the version is exact.
TEST_F(ArchiveResumeTest, ACutConnectionResumesFromTheLastStoredChunk) {
  const std::string file = TestBytes(7 * kMiB + 12345, 1);
  v1::UploadHeader header =
      Header("playground-ledger", "upload-1", file.size());
  header.set_sha256(ToHex(Sha256::Of(file)));

  // The connection breaks after 5.5 MiB.
  absl::StatusOr<v1::EvidenceVersion> cut =
      Stream(header, file.substr(0, 5 * kMiB + kMiB / 2), /*cancel=*/true);
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kCancelled);
  absl::StatusOr<v1::UploadSession> session =
      WaitForSession(Session("playground-ledger", "upload-1"));
  ASSERT_TRUE(session.ok()) << session.status();
  // Whole chunks only; the half chunk in flight is not kept.
  const int64_t at = session->committed_size_bytes();
  EXPECT_GE(at, kMiB);
  EXPECT_LE(at, 5 * kMiB);
  EXPECT_EQ(at % kMiB, 0);
  EXPECT_EQ(session->name(), Session("playground-ledger", "upload-1"));
  EXPECT_EQ(session->size_bytes(), static_cast<int64_t>(file.size()));
  EXPECT_EQ(session->sha256(), header.sha256());
  EXPECT_EQ(session->filename(), "playground-ledger.pdf");
  EXPECT_GT(session->expire_time().seconds(), session->update_time().seconds());
  // Nothing is a version yet.
  EXPECT_EQ(client_->GetEvidence(Evidence("playground-ledger")).status().code(),
            absl::StatusCode::kNotFound);

  // Resume with only the session's name and the offset: the rest of the
  // header is the session's.
  absl::StatusOr<v1::EvidenceVersion> v = Resume(
      ResumeHeader("playground-ledger", "upload-1", at), file.substr(at));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->version(), 1);
  EXPECT_EQ(v->size_bytes(), static_cast<int64_t>(file.size()));
  EXPECT_EQ(v->sha256(), ToHex(Sha256::Of(file)));
  EXPECT_EQ(v->filename(), "playground-ledger.pdf");
  EXPECT_EQ(v->content_type(), "application/pdf");
  EXPECT_EQ(v->request_id(), "upload-1");
  absl::StatusOr<std::string> back =
      DownloadBytes(*client_, Evidence("playground-ledger"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == file);
  auto evidence = client_->GetEvidence(Evidence("playground-ledger"));
  ASSERT_TRUE(evidence.ok());
  EXPECT_EQ(evidence->title(), header.title());
  EXPECT_THAT(evidence->indicator_codes(), ElementsAre("R5"));

  // The session ended with the commit; repeating the request returns the
  // version without storing another; one upload in the audit chain.
  EXPECT_EQ(client_->GetUploadSession(Session("playground-ledger", "upload-1"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<v1::EvidenceVersion> again =
      Stream(ResumeHeader("playground-ledger", "upload-1", 0), "");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->version(), 1);
  std::vector<std::string> actions =
      AuditActions(Evidence("playground-ledger"));
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "upload"), 1)
      << ::testing::PrintToString(actions);
}

// A stream that ends (not cancelled) before the declared size is a cut
// too, exactly at the last whole chunk; the message says where to resume;
// the resume may be cut again, and the trailer covers the whole file.
TEST_F(ArchiveResumeTest, ShortStreamsAreCutsAndResumeAnyNumberOfTimes) {
  const std::string file = TestBytes(6 * kMiB + 77, 2);
  const std::string name = Session("sports-area", "r.2~x_y-z");
  absl::StatusOr<v1::EvidenceVersion> first =
      Stream(Header("sports-area", "r.2~x_y-z", file.size()),
             file.substr(0, 2 * kMiB + 5));
  EXPECT_THAT(Fields(first.status()), ElementsAre("header.size_bytes"));
  EXPECT_THAT(first.status().message(), HasSubstr("resume at offset 2097152"));
  auto session = client_->GetUploadSession(name);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->committed_size_bytes(), 2 * kMiB);

  absl::StatusOr<v1::EvidenceVersion> second =
      Resume(ResumeHeader("sports-area", "r.2~x_y-z", 2 * kMiB),
             file.substr(2 * kMiB, 3 * kMiB));
  EXPECT_THAT(second.status().message(), HasSubstr("resume at offset 5242880"));
  session = client_->GetUploadSession(name);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->committed_size_bytes(), 5 * kMiB);

  // A trailer that is the SHA-256 of the resumed part alone is refused; a
  // wrong digest ends the session (its bytes cannot make a good version).
  absl::StatusOr<v1::EvidenceVersion> bad =
      Resume(ResumeHeader("sports-area", "r.2~x_y-z", 5 * kMiB),
             file.substr(5 * kMiB), ToHex(Sha256::Of(file.substr(5 * kMiB))));
  EXPECT_THAT(Fields(bad.status()), ElementsAre("trailer_sha256"));
  EXPECT_EQ(client_->GetUploadSession(name).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->GetEvidence(Evidence("sports-area")).status().code(),
            absl::StatusCode::kNotFound);

  // Start again from 0, cut, resume with the whole file's trailer.
  first = Stream(Header("sports-area", "r.2~x_y-z", file.size()),
                 file.substr(0, 3 * kMiB));
  EXPECT_THAT(first.status().message(), HasSubstr("resume at offset 3145728"));
  absl::StatusOr<v1::EvidenceVersion> v =
      Resume(ResumeHeader("sports-area", "r.2~x_y-z", 3 * kMiB),
             file.substr(3 * kMiB), ToHex(Sha256::Of(file)));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->sha256(), ToHex(Sha256::Of(file)));
  absl::StatusOr<std::string> back =
      DownloadBytes(*client_, Evidence("sports-area"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == file);
}

// Every misuse is refused before a byte is stored, with what to do.
TEST_F(ArchiveResumeTest, MisusesAreRefusedWithWhatToDo) {
  const std::string file = TestBytes(3 * kMiB + 1, 3);
  // Without a request id, with one that cannot be a path segment, an offset
  // without resumable, a negative one, one past the declared size.
  v1::UploadHeader h = Header("misuse", "", file.size());
  EXPECT_THAT(Fields(Stream(h, file).status()),
              ElementsAre("header.request_id"));
  h.set_request_id("a/b");
  EXPECT_THAT(Fields(Stream(h, file).status()),
              ElementsAre("header.request_id"));
  h.set_request_id("..");
  EXPECT_THAT(Fields(Stream(h, file).status()),
              ElementsAre("header.request_id"));
  h = Header("misuse", "m1", file.size());
  h.set_resumable(false);
  h.set_resume_offset(kMiB);
  EXPECT_THAT(Fields(Stream(h, file).status()),
              ElementsAre("header.resume_offset"));
  h.set_resumable(true);
  h.set_resume_offset(-1);
  EXPECT_THAT(Fields(Stream(h, file).status()),
              ElementsAre("header.resume_offset"));
  h.set_resume_offset(file.size() + 1);
  EXPECT_THAT(Fields(Stream(h, file).status()),
              ElementsAre("header.resume_offset"));

  // Resuming what does not exist: the offset must be 0.
  absl::Status none =
      Stream(ResumeHeader("misuse", "m1", kMiB), file.substr(kMiB)).status();
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.message(), HasSubstr("resume at offset 0"));

  // A session of 2 MiB.
  EXPECT_FALSE(
      Stream(Header("misuse", "m1", file.size()), file.substr(0, 2 * kMiB + 9))
          .ok());
  // The wrong offset, either way.
  for (int64_t offset : {int64_t{0}, kMiB, 3 * kMiB}) {
    absl::Status s =
        Stream(ResumeHeader("misuse", "m1", offset), file.substr(offset))
            .status();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << offset;
    EXPECT_THAT(s.message(), HasSubstr("resume at offset 2097152"));
  }
  // A header that contradicts the session.
  v1::UploadHeader changed = ResumeHeader("misuse", "m1", 2 * kMiB);
  changed.set_title("另一份文件");
  changed.set_size_bytes(file.size() + 1);
  changed.set_filename("misuse.pdf");  // the same: fine
  EXPECT_THAT(Fields(Stream(changed, file.substr(2 * kMiB)).status()),
              ElementsAre("header.size_bytes", "header.title"));
  // The same request id without resumable: resume it or delete it.
  v1::UploadHeader plain = Header("misuse", "m1", file.size());
  plain.set_resumable(false);
  absl::Status s = Stream(plain, file).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("delete it first"));
  // The same request id for other evidence.
  EXPECT_EQ(
      Stream(Header("other-doc", "m1", file.size()), file).status().code(),
      absl::StatusCode::kInvalidArgument);
  // The session is only found under its own evidence, and names are checked.
  EXPECT_EQ(
      client_->GetUploadSession(Session("other-doc", "m1")).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_THAT(Fields(client_->GetUploadSession(Evidence("misuse")).status()),
              ElementsAre("name"));
  EXPECT_THAT(
      Fields(client_->GetUploadSession(Evidence("misuse") + "/uploads/a b")
                 .status()),
      ElementsAre("name"));
  EXPECT_THAT(Fields(client_->DeleteUploadSession("")), ElementsAre("name"));

  // After all that the session is as it was and completes.
  auto session = client_->GetUploadSession(Session("misuse", "m1"));
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->committed_size_bytes(), 2 * kMiB);
  auto v =
      Resume(ResumeHeader("misuse", "m1", 2 * kMiB), file.substr(2 * kMiB));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->sha256(), ToHex(Sha256::Of(file)));
}

// One stream per session at a time: a second one is ABORTED, and so is an
// attempt to delete the session under it.
TEST_F(ArchiveResumeTest, OneStreamPerSessionAtATime) {
  const std::string file = TestBytes(4 * kMiB, 4);
  grpc::ClientContext context;
  v1::EvidenceVersion version;
  auto writer = stub_->Upload(&context, &version);
  v1::UploadRequest m;
  *m.mutable_header() = Header("busy", "b1", file.size());
  ASSERT_TRUE(writer->Write(m));
  m.set_chunk(file.substr(0, kMiB));
  ASSERT_TRUE(writer->Write(m));
  // The first stream holds the session once the server has read its
  // header; until then the second may be the one that runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  absl::Status second =
      Stream(Header("busy", "b1", file.size()), file).status();
  EXPECT_EQ(second.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(second.message(), HasSubstr("in progress"));
  absl::Status deleted = client_->DeleteUploadSession(Session("busy", "b1"));
  EXPECT_EQ(deleted.code(), absl::StatusCode::kAborted);
  m.set_chunk(file.substr(kMiB));
  ASSERT_TRUE(writer->Write(m));
  writer->WritesDone();
  grpc::Status done = writer->Finish();
  ASSERT_TRUE(done.ok()) << done.error_message();
  EXPECT_EQ(version.sha256(), ToHex(Sha256::Of(file)));
}

// Abandoning a session frees its bytes; the request id then starts afresh.
TEST_F(ArchiveResumeTest, DeletedSessionsFreeTheirChunks) {
  const std::string file = TestBytes(3 * kMiB + 3, 5);
  EXPECT_FALSE(
      Stream(Header("abandoned", "d1", file.size()), file.substr(0, 3 * kMiB))
          .ok());
  ASSERT_TRUE(client_->GetUploadSession(Session("abandoned", "d1")).ok());
  ASSERT_TRUE(client_->DeleteUploadSession(Session("abandoned", "d1")).ok());
  EXPECT_EQ(
      client_->GetUploadSession(Session("abandoned", "d1")).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->DeleteUploadSession(Session("abandoned", "d1")).code(),
            absl::StatusCode::kNotFound);
  absl::Status s =
      Stream(ResumeHeader("abandoned", "d1", 3 * kMiB), file.substr(3 * kMiB))
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("resume at offset 0"));
  EXPECT_EQ(Stop(), 0);
  int64_t chunks = -1;
  ExpectIntact(&chunks);
  EXPECT_EQ(chunks, 0);
}

// A session outlives a clean restart and a kill -9, both after a cut and in
// the middle of a stream (its checkpoints: --upload_checkpoint_bytes).
TEST_F(ArchiveResumeTest, SessionsSurviveRestartsAndCrashes) {
  const std::string file = TestBytes(9 * kMiB + 100, 6);
  const std::string name = Session("survivor", "s1");
  EXPECT_FALSE(
      Stream(Header("survivor", "s1", file.size()), file.substr(0, 2 * kMiB))
          .ok());
  EXPECT_EQ(Stop(), 0);
  ExpectIntact();
  Start({"--upload_checkpoint_bytes=" + std::to_string(2 * kMiB)});
  auto session = client_->GetUploadSession(name);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_EQ(session->committed_size_bytes(), 2 * kMiB);

  // A stream that is still open when the server dies: what its last
  // checkpoint recorded survives.
  grpc::ClientContext context;
  v1::EvidenceVersion version;
  auto writer = stub_->Upload(&context, &version);
  v1::UploadRequest m;
  *m.mutable_header() = ResumeHeader("survivor", "s1", 2 * kMiB);
  ASSERT_TRUE(writer->Write(m));
  m.set_chunk(file.substr(2 * kMiB, 5 * kMiB));
  ASSERT_TRUE(writer->Write(m));
  int64_t recorded = 0;
  // Checkpoints every 2 MiB record the chunks stored by then: 4 MiB at
  // least of the 7 sent.
  for (int i = 0; i < 200 && recorded < 4 * kMiB; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    auto s = client_->GetUploadSession(name);
    if (s.ok()) recorded = s->committed_size_bytes();
  }
  EXPECT_GE(recorded, 4 * kMiB);
  server_->Kill();
  context.TryCancel();
  (void)writer->Finish();
  ExpectIntact();
  Start();
  session = client_->GetUploadSession(name);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_GE(session->committed_size_bytes(), recorded);
  const int64_t at = session->committed_size_bytes();
  auto v = Resume(ResumeHeader("survivor", "s1", at), file.substr(at));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->sha256(), ToHex(Sha256::Of(file)));
  absl::StatusOr<std::string> back =
      DownloadBytes(*client_, Evidence("survivor"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == file);
}

// Sessions expire (--upload_session_ttl): the sweep removes them and their
// bytes while the server runs, and start-up does what the sweep missed.
TEST_F(ArchiveResumeTest, ExpiredSessionsAreSweptWithTheirBytes) {
  EXPECT_EQ(Stop(), 0);
  Start({"--upload_session_ttl=1s"});
  const std::string file = TestBytes(3 * kMiB, 7);
  EXPECT_FALSE(
      Stream(Header("expiring", "e1", file.size()), file.substr(0, 2 * kMiB))
          .ok());
  ASSERT_TRUE(client_->GetUploadSession(Session("expiring", "e1")).ok());
  // Expired after 1 s: no longer found, then swept (every second).
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  EXPECT_EQ(
      client_->GetUploadSession(Session("expiring", "e1")).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(Stop(), 0);
  int64_t chunks = -1;
  ExpectIntact(&chunks);
  EXPECT_EQ(chunks, 0);

  // One that expires while the server is down goes at start-up.
  Start({"--upload_session_ttl=1s"});
  EXPECT_FALSE(
      Stream(Header("expiring", "e2", file.size()), file.substr(0, 2 * kMiB))
          .ok());
  server_->Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  Start();
  EXPECT_EQ(
      client_->GetUploadSession(Session("expiring", "e2")).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(Stop(), 0);
  ExpectIntact(&chunks);
  EXPECT_EQ(chunks, 0);
}

// The CLI: `put --resumable --request_id ID` continues what an earlier,
// broken run left in the archive.
TEST_F(ArchiveResumeTest, TheCliContinuesAnInterruptedUpload) {
  const std::string file = TestBytes(5 * kMiB + 11, 8);
  EXPECT_FALSE(
      Stream(Header("cli-doc", "cli-1", file.size()), file.substr(0, 4 * kMiB))
          .ok());
  const std::string path = data_.File("cli-doc.pdf");
  testing::WriteFile(path, file);
  testing::CommandResult put = testing::RunCommand(
      "junheng",
      {"archive", "put", path, "--county", "330106", "--school", "2133010601",
       "--evidence", "cli-doc", "--resumable", "--request_id", "cli-1"},
      {"JUNHENG_ARCHIVE_ADDR=" + server_->address(), "USER=clerk-wang"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto v = client_->GetEvidence(Evidence("cli-doc"));
  ASSERT_TRUE(v.ok()) << v.status();
  absl::StatusOr<std::string> back =
      DownloadBytes(*client_, Evidence("cli-doc"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == file);
  EXPECT_EQ(
      client_->GetUploadSession(Session("cli-doc", "cli-1")).status().code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace junheng
