// The real junheng-archive binary on a loopback port, driven through the
// generated client: sizes, versions, soft delete, retries and every bad
// input, each followed by proof that the service still serves. Built twice:
// with chunks in RocksDB and, as archive_server_s3_test, in a bucket of a
// real single-node Ceph (archive_backend.h).
#include <sys/mount.h>

#include <iostream>
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
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/archive_backend.h"
#include "tests/archive_test_util.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ArchiveBackend;
using ::junheng::testing::DownloadBytes;
using ::junheng::testing::ReadFrom;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSchool[] = "counties/330106/schools/2133010601";
constexpr int64_t kChunk = 1 << 20;

v1::UploadHeader Header(const std::string& id,
                        const std::string& parent = kSchool) {
  v1::UploadHeader h;
  h.set_parent(parent);
  h.set_evidence_id(id);
  h.set_title("生均教学及辅助用房面积台账");
  h.add_indicator_codes("R4");
  h.set_school_year(2025);
  h.set_content_type("application/pdf");
  h.set_filename(id + ".pdf");
  return h;
}

std::string Name(const std::string& id) {
  return std::string(kSchool) + "/evidence/" + id;
}

class ArchiveServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir();
    std::vector<std::string> flags = {
        "--data_dir=" + data_->path() + "/db",
        "--max_file_bytes=" + std::to_string(400 << 20)};
    for (auto& f : ArchiveBackend::ServerFlags(data_->path() + "/db")) {
      flags.push_back(f);
    }
    server_ = new ServerProcess("junheng-archive", flags);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    // A clean shutdown, then a full consistency check of what is on disk:
    // no failed call of any test may have left anything half-written.
    EXPECT_EQ(server_->Stop(), 0);
    auto store = ArchiveBackend::OpenStore(data_->path() + "/db");
    ASSERT_TRUE(store.ok()) << store.status();
    auto report = (*store)->CheckIntegrity();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty());
    store->reset();
    delete server_;
    delete data_;
  }

  void SetUp() override {
    channel_ = Connect(server_->address());
    client_ = std::make_unique<ArchiveClient>(channel_);
  }

  void TearDown() override { ExpectServing(); }

  void ExpectServing() {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status s = health->Check(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }

  absl::StatusOr<v1::EvidenceVersion> Put(const std::string& id,
                                          const std::string& bytes) {
    return client_->Upload(Header(id), ReadFrom(bytes));
  }

  std::string Get(const std::string& name, int64_t offset = 0,
                  int64_t length = 0, absl::Status* status = nullptr) {
    v1::DownloadRequest request;
    request.set_name(name);
    request.set_offset(offset);
    request.set_length(length);
    absl::StatusOr<std::string> out = DownloadBytes(*client_, request);
    if (status) *status = out.status();
    EXPECT_TRUE(status != nullptr || out.ok()) << out.status();
    return out.ok() ? *std::move(out) : std::string();
  }

  // Sends raw messages on one Upload call and returns the status.
  absl::Status RawUpload(const std::vector<v1::UploadRequest>& messages) {
    auto stub = v1::ArchiveService::NewStub(channel_);
    grpc::ClientContext context;
    v1::EvidenceVersion response;
    auto writer = stub->Upload(&context, &response);
    for (const auto& m : messages) {
      if (!writer->Write(m)) break;
    }
    writer->WritesDone();
    return FromGrpc(writer->Finish());
  }

  static v1::UploadRequest HeaderMsg(const v1::UploadHeader& h) {
    v1::UploadRequest m;
    *m.mutable_header() = h;
    return m;
  }
  static v1::UploadRequest ChunkMsg(std::string bytes) {
    v1::UploadRequest m;
    m.set_chunk(std::move(bytes));
    return m;
  }

  static std::vector<std::string> Fields(const absl::Status& s) {
    std::vector<std::string> out;
    for (const auto& v : FieldViolations(s)) out.push_back(v.field);
    return out;
  }

  static TempDir* data_;
  static ServerProcess* server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<ArchiveClient> client_;
};

TempDir* ArchiveServerTest::data_ = nullptr;
ServerProcess* ArchiveServerTest::server_ = nullptr;

// Server reflection, asked with hand-encoded bytes: Debian ships no
// generated reflection client. ServerReflectionRequest{list_services: "*"}
// is field 7, length-delimited.
TEST_F(ArchiveServerTest, ReflectionListsTheService) {
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int expected) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    ASSERT_EQ(tag, reinterpret_cast<void*>(expected));
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  const std::string request("\x3a\x01*", 3);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  step(2);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  step(3);
  ASSERT_TRUE(ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string reply;
  for (const auto& s : slices) {
    reply.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  EXPECT_THAT(reply, HasSubstr("junheng.v1.ArchiveService"));
  EXPECT_THAT(reply, HasSubstr("grpc.health.v1.Health"));
  context.TryCancel();
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  step(4);
}

TEST_F(ArchiveServerTest, EdgeSizesRoundTrip) {
  for (int64_t size : {int64_t{0}, int64_t{1}, kChunk + 1}) {
    const std::string id = "size-" + std::to_string(size);
    const std::string bytes = TestBytes(size, static_cast<uint64_t>(size) + 1);
    auto v = Put(id, bytes);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->size_bytes(), size);
    EXPECT_EQ(v->sha256(), ToHex(Sha256::Of(bytes)));
    EXPECT_EQ(v->version(), 1);
    EXPECT_EQ(v->name(), Name(id) + "/versions/1");
    EXPECT_EQ(Get(Name(id)), bytes);
  }
}

TEST_F(ArchiveServerTest, LargeFileStreamsInBoundedMemory) {
  constexpr int64_t kSize = 300 << 20;
  // Generated piece by piece so the test itself stays small too.
  Sha256 expected;
  int64_t produced = 0;
  auto read = [&](char* buf, size_t max) -> int64_t {
    const int64_t n = std::min<int64_t>(max, kSize - produced);
    if (n == 0) return 0;
    std::string piece = TestBytes(n, static_cast<uint64_t>(produced));
    std::memcpy(buf, piece.data(), n);
    expected.Update(piece);
    produced += n;
    return n;
  };
  auto v = client_->Upload(Header("video"), read);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->size_bytes(), kSize);
  const std::string sha = ToHex(expected.Finish());
  EXPECT_EQ(v->sha256(), sha);
  Sha256 got;
  int64_t received = 0;
  v1::DownloadRequest request;
  request.set_name(Name("video"));
  auto d = client_->Download(request, [&](absl::string_view b) {
    got.Update(b);
    received += static_cast<int64_t>(b.size());
    return true;
  });
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(received, kSize);
  EXPECT_EQ(ToHex(got.Finish()), sha);
  const int64_t peak = server_->PeakRssBytes();
  EXPECT_GT(peak, 0);
  std::cout << "server peak RSS after 300 MiB up and down: " << (peak >> 20)
            << " MiB\n";
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Sanitizer shadow memory and quarantine say nothing about the service's.
#else
  EXPECT_LT(peak, int64_t{150} << 20) << "peak RSS " << (peak >> 20) << " MiB";
#endif
}

TEST_F(ArchiveServerTest, VersionsAccumulateAndStayReadable) {
  ASSERT_TRUE(Put("ledger", "first").ok());
  ASSERT_TRUE(Put("ledger", "second").ok());
  v1::UploadHeader h = Header("ledger");
  h.clear_title();
  h.clear_indicator_codes();
  h.set_school_year(0);
  auto third = client_->Upload(h, ReadFrom("third"));
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->version(), 3);
  EXPECT_EQ(Get(Name("ledger")), "third");
  EXPECT_EQ(Get(Name("ledger") + "/versions/1"), "first");
  auto versions = client_->ListAllVersions(Name("ledger"));
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[1].sha256(), ToHex(Sha256::Of("second")));
  auto e = client_->GetEvidence(Name("ledger"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->version_count(), 3);
  EXPECT_THAT(e->indicator_codes(), ElementsAre("R4"));
  EXPECT_EQ(e->title(), "生均教学及辅助用房面积台账");
}

TEST_F(ArchiveServerTest, ByteRanges) {
  const std::string bytes = TestBytes(3 * kChunk + 100, 9);
  ASSERT_TRUE(Put("ranged", bytes).ok());
  EXPECT_EQ(Get(Name("ranged"), 10, 20), bytes.substr(10, 20));
  EXPECT_EQ(Get(Name("ranged"), kChunk - 5, 10), bytes.substr(kChunk - 5, 10));
  EXPECT_EQ(Get(Name("ranged"), 2 * kChunk, 0), bytes.substr(2 * kChunk));
  EXPECT_EQ(Get(Name("ranged"), bytes.size(), 0), "");
  EXPECT_EQ(Get(Name("ranged"), 5, 1 << 30), bytes.substr(5));
  absl::Status s;
  Get(Name("ranged"), bytes.size() + 1, 0, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  Get(Name("ranged"), -1, 0, &s);
  EXPECT_THAT(Fields(s), ElementsAre("offset"));
}

TEST_F(ArchiveServerTest, SoftDeleteAndUndelete) {
  ASSERT_TRUE(Put("charter", "v1").ok());
  ASSERT_TRUE(Put("charter", "v2").ok());
  auto deleted = client_->DeleteEvidence(Name("charter"));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(deleted->has_delete_time());
  // Hidden from listings and the latest read, but every version stays.
  v1::ListEvidenceRequest list;
  list.set_parent(kSchool);
  auto listed = client_->ListAllEvidence(list);
  for (const auto& e : *listed) EXPECT_NE(e.name(), Name("charter"));
  absl::Status s;
  Get(Name("charter"), 0, 0, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("versions/2"));
  EXPECT_EQ(Get(Name("charter") + "/versions/1"), "v1");
  EXPECT_TRUE(client_->GetEvidence(Name("charter"))->has_delete_time());
  auto put = Put("charter", "v3");
  EXPECT_EQ(put.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client_->DeleteEvidence(Name("charter")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(client_->UndeleteEvidence(Name("charter")).ok());
  EXPECT_EQ(client_->UndeleteEvidence(Name("charter")).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Get(Name("charter")), "v2");
  EXPECT_EQ(Put("charter", "v3")->version(), 3);
}

TEST_F(ArchiveServerTest, RetryWithRequestIdReturnsTheSameVersion) {
  v1::UploadHeader h = Header("payroll");
  h.set_request_id("retry-7f3a");
  auto first = client_->Upload(h, ReadFrom("payroll bytes"));
  ASSERT_TRUE(first.ok());
  auto again = client_->Upload(h, ReadFrom("payroll bytes"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(again->request_id(), "retry-7f3a");
  EXPECT_EQ(client_->GetEvidence(Name("payroll"))->version_count(), 1);
  h.set_evidence_id("other");
  auto reused = client_->Upload(h, ReadFrom("x"));
  EXPECT_THAT(Fields(reused.status()), ElementsAre("header.request_id"));
}

TEST_F(ArchiveServerTest, UploadFileDeclaresSizeAndChecksum) {
  TempDir dir;
  const std::string path = dir.File("scan.pdf");
  const std::string bytes = TestBytes(2 * kChunk + 3, 11);
  testing::WriteFile(path, bytes);
  auto v = client_->UploadFile(Header("scan"), path);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->request_id().empty());
  auto saved =
      client_->DownloadToFile(Name("scan"), dir.File("back.pdf"), false);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(testing::ReadFile(dir.File("back.pdf")), bytes);
  auto again =
      client_->DownloadToFile(Name("scan"), dir.File("back.pdf"), false);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ArchiveServerTest, ListFiltersAndPageTokens) {
  for (int i = 0; i < 5; ++i) {
    v1::UploadHeader h =
        Header("list-" + std::to_string(i),
               "counties/330199/schools/219900000" + std::to_string(i % 2));
    h.clear_indicator_codes();
    h.add_indicator_codes(i % 2 ? "G11" : "Q3");
    ASSERT_TRUE(client_->Upload(h, ReadFrom("x")).ok());
  }
  v1::ListEvidenceRequest r;
  r.set_parent("counties/330199");
  r.set_page_size(2);
  auto page = client_->ListEvidence(r);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->evidence_size(), 2);
  EXPECT_FALSE(page->next_page_token().empty());
  auto all = client_->ListAllEvidence(r);
  EXPECT_EQ(all->size(), 5u);
  r.set_indicator_code("G11");
  EXPECT_EQ(client_->ListAllEvidence(r)->size(), 2u);
  // A token replayed with other filters is refused.
  r.set_page_token(page->next_page_token());
  EXPECT_THAT(Fields(client_->ListEvidence(r).status()),
              ElementsAre("page_token"));
  r.set_page_token("not-a-token");
  EXPECT_THAT(Fields(client_->ListEvidence(r).status()),
              ElementsAre("page_token"));
  v1::ListEvidenceRequest bad;
  bad.set_parent("counties/abc");
  bad.set_indicator_code("r4");
  bad.set_page_size(-1);
  EXPECT_THAT(Fields(client_->ListEvidence(bad).status()),
              ElementsAre("parent", "indicator_code", "page_size"));
}

TEST_F(ArchiveServerTest, HeaderProblemsAreFieldViolations) {
  v1::UploadHeader h = Header("Bad_Id", "counties/33/schools/1");
  h.set_indicator_codes(0, "r4");
  h.set_school_year(1999);
  h.set_sha256("xyz");
  h.set_size_bytes(-5);
  h.set_filename("../etc/passwd");
  h.set_request_id(std::string(200, 'r'));
  absl::Status s = RawUpload({HeaderMsg(h), ChunkMsg("abc")});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(s),
              ElementsAre("header.parent", "header.evidence_id",
                          "header.indicator_codes[0]", "header.school_year",
                          "header.filename", "header.sha256",
                          "header.size_bytes", "header.request_id"));
}

TEST_F(ArchiveServerTest, OversizedNameIsRefused) {
  v1::UploadHeader h =
      Header("x", std::string(kSchool) + std::string(5000, 'x'));
  absl::Status s = RawUpload({HeaderMsg(h)});
  EXPECT_THAT(Fields(s), ElementsAre("header.parent"));
  EXPECT_LT(s.message().size(), 400u);
  v1::DownloadRequest r;
  r.set_name(std::string(100000, 'n'));
  absl::Status d =
      client_->Download(r, [](absl::string_view) { return true; }).status();
  EXPECT_THAT(Fields(d), ElementsAre("name"));
}

TEST_F(ArchiveServerTest, StreamShapeErrors) {
  absl::Status none = RawUpload({});
  EXPECT_THAT(Fields(none), ElementsAre("header"));
  absl::Status chunk_first =
      RawUpload({ChunkMsg("abc"), HeaderMsg(Header("s1"))});
  EXPECT_THAT(Fields(chunk_first), ElementsAre("header"));
  absl::Status twice = RawUpload(
      {HeaderMsg(Header("s2")), ChunkMsg("abc"), HeaderMsg(Header("s2"))});
  EXPECT_THAT(Fields(twice), ElementsAre("header"));
  EXPECT_THAT(std::string(twice.message()), HasSubstr("twice"));
  absl::Status empty_message = RawUpload({HeaderMsg(Header("s3")), {}});
  EXPECT_THAT(Fields(empty_message), ElementsAre("chunk"));
  for (const char* id : {"s1", "s2", "s3"}) {
    EXPECT_EQ(client_->GetEvidence(Name(id)).status().code(),
              absl::StatusCode::kNotFound);
  }
}

TEST_F(ArchiveServerTest, SizeAndChecksumMismatchStoreNothing) {
  v1::UploadHeader h = Header("mismatch");
  h.set_size_bytes(10);
  absl::Status short_stream = RawUpload({HeaderMsg(h), ChunkMsg("12345")});
  EXPECT_THAT(Fields(short_stream), ElementsAre("header.size_bytes"));
  absl::Status long_stream =
      RawUpload({HeaderMsg(h), ChunkMsg("1234567890"), ChunkMsg("1")});
  EXPECT_THAT(Fields(long_stream), ElementsAre("header.size_bytes"));
  h.clear_size_bytes();
  h.set_sha256(ToHex(Sha256::Of("expected")));
  absl::Status sum = RawUpload({HeaderMsg(h), ChunkMsg("different")});
  EXPECT_THAT(Fields(sum), ElementsAre("header.sha256"));
  // The same check with the digest sent after the bytes.
  h.clear_sha256();
  v1::UploadRequest trailer;
  trailer.set_trailer_sha256(ToHex(Sha256::Of("expected")));
  EXPECT_THAT(Fields(RawUpload({HeaderMsg(h), ChunkMsg("different"), trailer})),
              ElementsAre("trailer_sha256"));
  trailer.set_trailer_sha256("not hex");
  EXPECT_THAT(Fields(RawUpload({HeaderMsg(h), ChunkMsg("x"), trailer})),
              ElementsAre("trailer_sha256"));
  trailer.set_trailer_sha256(ToHex(Sha256::Of("x")));
  EXPECT_THAT(
      Fields(RawUpload({HeaderMsg(h), ChunkMsg("x"), trailer, ChunkMsg("y")})),
      ElementsAre("trailer_sha256"));
  EXPECT_EQ(client_->GetEvidence(Name("mismatch")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ArchiveServerTest, MissingMetadataForNewEvidenceIsRefusedUpFront) {
  v1::UploadHeader h = Header("bare");
  h.clear_title();
  h.clear_indicator_codes();
  h.set_school_year(0);
  absl::Status s = RawUpload({HeaderMsg(h), ChunkMsg("abc")});
  EXPECT_THAT(Fields(s), ElementsAre("header.title", "header.indicator_codes",
                                     "header.school_year"));
}

TEST_F(ArchiveServerTest, UnknownEvidenceAndVersionAreNotFound) {
  ASSERT_TRUE(Put("known", "x").ok());
  for (const std::string& name :
       {Name("unknown"), Name("known") + "/versions/2",
        Name("unknown") + "/versions/1"}) {
    absl::Status s;
    Get(name, 0, 0, &s);
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << name;
  }
  EXPECT_EQ(client_->GetEvidence(Name("unknown")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->ListAllVersions(Name("unknown")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->UndeleteEvidence(Name("unknown")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ArchiveServerTest, ClientCancelMidStreamCommitsNothing) {
  auto stub = v1::ArchiveService::NewStub(channel_);
  grpc::ClientContext context;
  v1::EvidenceVersion response;
  auto writer = stub->Upload(&context, &response);
  ASSERT_TRUE(writer->Write(HeaderMsg(Header("cancelled"))));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(writer->Write(ChunkMsg(TestBytes(kChunk, 100 + i))));
  }
  context.TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The server notices on its own schedule; give it a moment.
  for (int i = 0; i < 50; ++i) {
    if (client_->GetEvidence(Name("cancelled")).status().code() ==
        absl::StatusCode::kNotFound) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(client_->GetEvidence(Name("cancelled")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ArchiveServerTest, ConcurrentUploadsAllLand) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      ArchiveClient client(Connect(server_->address()));
      for (int i = 0; i < 5; ++i) {
        const std::string bytes = TestBytes(100000 + t * 1000 + i, t * 10 + i);
        if (client.Upload(Header("concurrent"), ReadFrom(bytes)).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(client_->GetEvidence(Name("concurrent"))->version_count(), 40);
}

// An inspection freeze: nothing under the frozen place changes until the
// date, by anyone; the date extends but never shortens; reads go on.
TEST_F(ArchiveServerTest, FreezeKeepsEvidenceExactlyAsSubmitted) {
  const std::string school = "counties/330106/schools/2133010699";
  v1::UploadHeader h = Header("frozen-ledger", school);
  ASSERT_TRUE(client_->Upload(h, ReadFrom("as submitted")).ok());
  ASSERT_TRUE(client_->Upload(Header("elsewhere"), ReadFrom("free")).ok());
  const std::string name = school + "/evidence/frozen-ledger";
  auto stub = v1::ArchiveService::NewStub(channel_);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  auto freeze = [&](const std::string& parent, int64_t until,
                    v1::EvidenceFreeze* out = nullptr) {
    grpc::ClientContext c;
    v1::FreezeEvidenceRequest r;
    r.set_parent(parent);
    if (until != 0) r.mutable_retain_until()->set_seconds(until);
    r.set_reason("2025 national inspection");
    v1::EvidenceFreeze f;
    absl::Status s = FromGrpc(stub->FreezeEvidence(&c, r, &f));
    if (out != nullptr) *out = f;
    return s;
  };
  v1::EvidenceFreeze f;
  ASSERT_OK(freeze(school, now + 86400, &f));
  EXPECT_EQ(f.retain_until().seconds(), now + 86400);
  EXPECT_EQ(f.frozen_versions(), 1);

  auto e = client_->GetEvidence(name);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->frozen_until().seconds(), now + 86400);
  auto again = client_->Upload(h, ReadFrom("changed"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr(school + " is frozen for inspection until"));
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr("2025 national inspection"));
  auto added = client_->Upload(Header("late-addition", school), ReadFrom("x"));
  EXPECT_EQ(added.status().code(), absl::StatusCode::kFailedPrecondition);
  auto deleted = client_->DeleteEvidence(name);
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(deleted.status().message()),
              HasSubstr("cannot be deleted"));
  EXPECT_EQ(Get(name), "as submitted");
  // Other places are not frozen.
  EXPECT_TRUE(client_->Upload(Header("elsewhere"), ReadFrom("free 2")).ok());

  // Never shortened; the same date is a no-op; a later one extends.
  absl::Status shorter = freeze(school, now + 3600);
  EXPECT_EQ(shorter.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(shorter.message()), HasSubstr("never shortened"));
  EXPECT_OK(freeze(school, now + 86400));
  ASSERT_OK(freeze(school, now + 2 * 86400, &f));
  EXPECT_EQ(client_->GetEvidence(name)->frozen_until().seconds(),
            now + 2 * 86400);

  // A county freeze covers its schools.
  const std::string county = "counties/330107";
  ASSERT_TRUE(client_
                  ->Upload(Header("county-doc", county + "/schools/2133010701"),
                           ReadFrom("c"))
                  .ok());
  ASSERT_OK(freeze(county, now + 86400));
  EXPECT_EQ(client_
                ->DeleteEvidence(county + "/schools/2133010701/evidence/"
                                          "county-doc")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);

  // Bad requests name their fields and change nothing.
  EXPECT_THAT(Fields(freeze(school, 0)), ElementsAre("retain_until"));
  EXPECT_THAT(Fields(freeze(school, now - 10)), ElementsAre("retain_until"));
  EXPECT_THAT(Fields(freeze(school, now + int64_t{60} * 366 * 86400)),
              ElementsAre("retain_until"));
  EXPECT_THAT(Fields(freeze("counties/33010", now + 100)),
              ElementsAre("parent"));

  // Audited: the freeze and its extension.
  grpc::ClientContext c;
  v1::GetAuditLogRequest r;
  r.set_resource_prefix(school);
  auto reader = stub->GetAuditLog(&c, r);
  std::vector<std::string> actions;
  v1::AuditEntry entry;
  while (reader->Read(&entry)) actions.push_back(entry.action());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_THAT(actions, ::testing::Contains("freeze"));
  EXPECT_THAT(actions, ::testing::Contains("extend freeze"));
}

TEST_F(ArchiveServerTest, SecondServerOnTheSamePortIsRefused) {
  TempDir data;
  auto second =
      testing::RunCommand("junheng-archive",
                          {"--listen=" + server_->address(),
                           "--data_dir=" + data.path(), "--insecure_no_auth"},
                          {}, absl::Seconds(20));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("cannot listen on " + server_->address()));
}

// Past --max_inflight_upload_bytes an upload is turned away at once with
// RESOURCE_EXHAUSTED and a retry hint, and admitted again once memory is
// free; ArchiveClient::UploadFile waits as the hint says and succeeds.
TEST(ArchiveLimitsTest, UploadsPastTheMemoryLimitAreToldWhenToRetry) {
  TempDir data;
  std::vector<std::string> flags = {"--data_dir=" + data.path(),
                                    "--max_inflight_upload_bytes=1"};
  for (auto& f : ArchiveBackend::ServerFlags(data.path())) flags.push_back(f);
  ServerProcess server("junheng-archive", flags);
  ASSERT_TRUE(server.Start().ok()) << server.Stderr();
  auto stub = v1::ArchiveService::NewStub(Connect(server.address()));
  // The first upload is always admitted; it holds its reservation while
  // its stream is open.
  grpc::ClientContext first_context;
  v1::EvidenceVersion first_version;
  auto first = stub->Upload(&first_context, &first_version);
  v1::UploadRequest m;
  *m.mutable_header() = Header("first");
  ASSERT_TRUE(first->Write(m));
  m.set_chunk(TestBytes(1 << 20, 7));
  ASSERT_TRUE(first->Write(m));

  ArchiveClient client(Connect(server.address()));
  const std::string bytes = TestBytes(1000, 8);
  // Write() returns once the chunk is on its way, not once the server has
  // read it and reserved its bytes (on a loaded machine a probe can arrive
  // first and be admitted): probe, each under a name of its own, until the
  // reservation is in place.
  absl::StatusOr<v1::EvidenceVersion> refused;
  for (int probe = 0; probe < 50; ++probe) {
    refused =
        client.Upload(Header(absl::StrCat("probe-", probe)), ReadFrom(bytes));
    if (!refused.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted)
      << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("--max_inflight_upload_bytes"));
  std::optional<absl::Duration> hint = RetryDelay(refused.status());
  ASSERT_TRUE(hint.has_value());
  EXPECT_GT(*hint, absl::ZeroDuration());

  // UploadFile retries as told while the first upload still runs.
  TempDir files;
  testing::WriteFile(files.File("second.bin"), bytes);
  std::thread finish_first([&] {
    absl::SleepFor(absl::Milliseconds(1500));
    first->WritesDone();
  });
  absl::StatusOr<v1::EvidenceVersion> retried =
      client.UploadFile(Header("second"), files.File("second.bin"));
  finish_first.join();
  ASSERT_TRUE(first->Finish().ok());
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->size_bytes(), 1000);
}

// A server with a small file limit.
TEST(ArchiveLimitsTest, FileOverTheLimitIsResourceExhausted) {
  TempDir data;
  std::vector<std::string> flags = {
      "--data_dir=" + data.path(),
      "--max_file_bytes=" + std::to_string(3 << 20)};
  for (auto& f : ArchiveBackend::ServerFlags(data.path())) flags.push_back(f);
  ServerProcess server("junheng-archive", flags);
  ASSERT_TRUE(server.Start().ok()) << server.Stderr();
  ArchiveClient client(Connect(server.address()));
  v1::UploadHeader h = Header("big");
  h.set_size_bytes(4 << 20);  // declared: refused before any byte
  const std::string bytes = TestBytes(4 << 20, 1);
  auto declared = client.Upload(h, ReadFrom(bytes));
  EXPECT_EQ(declared.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(declared.status().message()),
              HasSubstr("--max_file_bytes"));
  h.clear_size_bytes();  // undeclared: refused once the limit is passed
  auto streamed = client.Upload(h, ReadFrom(bytes));
  EXPECT_EQ(streamed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(client.Upload(h, ReadFrom(bytes.substr(0, 3 << 20))).ok());
  EXPECT_EQ(server.Stop(), 0);
}

// Disk full: the archive on a 160 MiB tmpfs with a 48 MiB reserve. Needs
// permission to mount. The reserve covers what RocksDB may still allocate on
// its own (a preallocated WAL of 1.1 × 16 MiB, a 16 MiB memtable flush), so
// uploads are refused before RocksDB itself meets a full disk: Debian's
// RocksDB 7.8 aborts on an internal assertion in some of those paths.
TEST(ArchiveDiskFullTest, UploadsFailCleanlyAndEarlierDataStaysReadable) {
  if (ArchiveBackend::kS3) {
    GTEST_SKIP() << "with --chunk_store=s3 the bytes do not fill the local "
                    "disk; the store's own refusals are tested in "
                    "archive_s3_test";
  }
  TempDir mount_point;
  if (::mount("tmpfs", mount_point.path().c_str(), "tmpfs", 0, "size=160m") !=
      0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "); the disk-full test needs root and mount permission";
  }
  // Unmounted however the test ends.
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mount_point.path()};
  // Something else on the same disk, to free later.
  const std::string filler = mount_point.File("other-program.log");
  testing::WriteFile(filler, std::string(48 << 20, 'x'));
  {
    ServerProcess server("junheng-archive",
                         {"--data_dir=" + mount_point.path() + "/db",
                          "--min_free_bytes=" + std::to_string(48 << 20)});
    ASSERT_TRUE(server.Start().ok()) << server.Stderr();
    ArchiveClient client(Connect(server.address()));
    const std::string early = TestBytes(1 << 20, 77);
    auto first = client.Upload(Header("early"), ReadFrom(early));
    EXPECT_TRUE(first.ok()) << first.status();
    absl::Status failure;
    std::vector<std::string> stored;
    for (int i = 0; i < 128 && failure.ok(); ++i) {
      const std::string bytes = TestBytes(2 << 20, 1000 + i);
      auto v =
          client.Upload(Header("fill-" + std::to_string(i)), ReadFrom(bytes));
      if (v.ok()) {
        stored.push_back(v->name());
      } else {
        failure = v.status();
      }
    }
    EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted)
        << failure << "\nserver stderr:\n"
        << server.Stderr();
    EXPECT_THAT(std::string(failure.message()), HasSubstr("disk is full"));
    // What was acknowledged is still there and intact.
    v1::DownloadRequest r;
    r.set_name(Name("early"));
    std::string back;
    auto got = client.Download(r, [&](absl::string_view b) {
      back.append(b.data(), b.size());
      return true;
    });
    EXPECT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(back == early) << "read back " << back.size() << " bytes";
    auto e = client.GetEvidence(Name("early"));
    EXPECT_TRUE(e.ok()) << e.status();
    // Space freed by someone else: uploads work again, no restart needed.
    ::unlink(filler.c_str());
    auto after = client.Upload(Header("after-cleanup"), ReadFrom(early));
    EXPECT_TRUE(after.ok()) << after.status();
    server.Kill();
  }
}

}  // namespace
}  // namespace junheng
