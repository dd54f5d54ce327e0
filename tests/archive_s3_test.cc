// What real object stores do, against junheng-archive with its chunks in a
// bucket of a real single-node Ceph: the layout (one object per distinct
// chunk, named by its SHA-256), an object that disappears or is replaced
// behind the archive's back, 503 SlowDown answers, a store that does not
// answer at all. The shared end-to-end tests run on this back end as
// S3.archive_server_s3_test and S3.archive_crash_s3_test.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "archive_service/s3_chunk_store.h"
#include "archive_service/s3_client.h"
#include "clients/archive_client.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/archive_backend.h"
#include "tests/archive_test_util.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ArchiveBackend;
using ::junheng::testing::DownloadBytes;
using ::junheng::testing::EvidenceHeader;
using ::junheng::testing::ReadFrom;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::testing::HasSubstr;

constexpr char kSchool[] = "counties/330106/schools/2133010601";
constexpr int64_t kChunk = 1 << 20;

v1::UploadHeader Header(const std::string& id) {
  return EvidenceHeader(kSchool, id);
}

std::string Name(const std::string& id) {
  return std::string(kSchool) + "/evidence/" + id;
}

absl::StatusOr<std::string> Download(ArchiveClient& client,
                                     const std::string& name) {
  return DownloadBytes(client, name);
}

// Every key in the bucket of `db`.
std::set<std::string> Keys(archive::S3Client& s3) {
  std::set<std::string> keys;
  auto listed = s3.Call({.query = "list-type=2"});
  EXPECT_TRUE(listed.ok()) << listed.status();
  if (!listed.ok()) return keys;
  const std::string& body = listed->body;
  for (size_t at = body.find("<Key>"); at != std::string::npos;
       at = body.find("<Key>", at + 1)) {
    const size_t end = body.find("</Key>", at);
    keys.insert(body.substr(at + 5, end - at - 5));
  }
  return keys;
}

// Removes every version of `key`: the object is gone for good.
void Obliterate(archive::S3Client& s3, const std::string& key) {
  std::string escaped = key;
  escaped.replace(escaped.find('/'), 1, "%2F");
  auto listed = s3.Call({.query = "prefix=" + escaped + "&versions="});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->code, 200) << listed->body;
  ASSERT_TRUE(listed.ok()) << listed.status();
  const std::string& body = listed->body;
  for (size_t at = body.find("<VersionId>"); at != std::string::npos;
       at = body.find("<VersionId>", at + 1)) {
    const size_t end = body.find("</VersionId>", at);
    const std::string id = body.substr(at + 11, end - at - 11);
    auto gone =
        s3.Call({.method = "DELETE", .key = key, .query = "versionId=" + id});
    ASSERT_TRUE(gone.ok()) << gone.status();
    EXPECT_EQ(gone->code, 204) << gone->body;
  }
}

// A front for the real radosgw that answers the first `refuse` connections
// (all of them with -1) with 503 SlowDown, as a loaded S3 store does, and
// relays the rest byte for byte.
class SlowDownFront {
 public:
  SlowDownFront(int upstream_port, int refuse)
      : upstream_port_(upstream_port), refuse_(refuse) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener_, 64);
    socklen_t n = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &n);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Accept(); });
  }
  ~SlowDownFront() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    for (auto& t : relays_) t.join();
  }
  std::string endpoint() const {
    return absl::StrCat("http://127.0.0.1:", port_);
  }
  int refused() const { return refused_; }

 private:
  void Accept() {
    while (!stop_) {
      const int c = ::accept(listener_, nullptr, nullptr);
      if (c < 0) return;
      if (refuse_ < 0 || refused_ < refuse_) {
        ++refused_;
        // Read the request head, answer, close.
        char buf[65536];
        ::recv(c, buf, sizeof buf, 0);
        const std::string body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown"
            "</Code><Message>Please reduce your request rate.</Message>"
            "</Error>";
        const std::string answer = absl::StrCat(
            "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
            "Content-Length: ",
            body.size(), "\r\nConnection: close\r\n\r\n", body);
        ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
        ::close(c);
        continue;
      }
      relays_.emplace_back([this, c] { Relay(c); });
    }
  }
  void Relay(int client) {
    const int up = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(client);
      ::close(up);
      return;
    }
    pollfd fds[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
    char buf[1 << 16];
    while (!stop_) {
      if (::poll(fds, 2, 200) <= 0) continue;
      bool done = false;
      for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
        if (n <= 0 || ::send(fds[1 - i].fd, buf, n, MSG_NOSIGNAL) != n) {
          done = true;
        }
      }
      if (done) break;
    }
    ::close(client);
    ::close(up);
  }

  const int upstream_port_;
  const int refuse_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> refused_{0};
  std::thread thread_;
  std::vector<std::thread> relays_;
};

int PortOf(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

class ArchiveS3Test : public ::testing::Test {
 protected:
  void StartArchive(std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--data_dir=" + db_};
    for (auto& f : ArchiveBackend::ServerFlags(db_)) flags.push_back(f);
    for (auto& f : extra) flags.push_back(f);
    server_ = std::make_unique<ServerProcess>("junheng-archive", flags);
    ASSERT_TRUE(server_->Start().ok()) << server_->Stderr();
    client_ = std::make_unique<ArchiveClient>(Connect(server_->address()));
  }
  void StopArchive() {
    client_.reset();
    if (server_) {
      EXPECT_EQ(server_->Stop(), 0) << server_->Stderr();
    }
    server_.reset();
  }
  void TearDown() override {
    StopArchive();
    auto store = ArchiveBackend::OpenStore(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    if (check_integrity_) {
      auto report = (*store)->CheckIntegrity();
      ASSERT_TRUE(report.ok()) << report.status();
      EXPECT_THAT(report->problems, ::testing::IsEmpty());
    }
  }

  TempDir dir_;
  const std::string db_ = dir_.File("db");
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ArchiveClient> client_;
  archive::S3Client s3_{ArchiveBackend::S3For(db_)};
  bool check_integrity_ = true;
};

TEST_F(ArchiveS3Test, ChunksAreObjectsNamedByTheirSha256AndStoredOnce) {
  StartArchive();
  const std::string bytes = TestBytes(2 * kChunk + 10, 1);
  auto v = client_->Upload(Header("ledger"), ReadFrom(bytes));
  ASSERT_TRUE(v.ok()) << v.status();
  std::set<std::string> expected;
  for (int64_t at = 0; at < static_cast<int64_t>(bytes.size()); at += kChunk) {
    expected.insert(
        "chunks/" +
        ToHex(Sha256::Of(absl::string_view(bytes).substr(at, kChunk))));
  }
  EXPECT_EQ(Keys(s3_), expected);
  // The same bytes again, as a new version and as another school's copy:
  // no object is added.
  ASSERT_TRUE(client_->Upload(Header("ledger"), ReadFrom(bytes)).ok());
  ASSERT_TRUE(client_->Upload(Header("copy"), ReadFrom(bytes)).ok());
  EXPECT_EQ(Keys(s3_), expected);
  EXPECT_EQ(*Download(*client_, Name("copy")), bytes);
  // An object read back straight from the bucket is the chunk itself.
  auto first = s3_.Call({.key = *expected.begin()});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->code, 200);
  EXPECT_EQ("chunks/" + ToHex(Sha256::Of(first->body)), *expected.begin());
}

// radosgw can finish a PUT after the archive gave up on it (a request that
// timed out, or one a killed archive had fully sent), and so after the
// chunk's DELETE. The aborted upload's staging entry stays as a sweep
// entry: the chunk that came back is known garbage (not an integrity
// problem), and the next start deletes it again.
TEST_F(ArchiveS3Test, APutThatLandsAfterItsAbortIsSweptAgain) {
  const std::string bytes = TestBytes(1000, 7);
  const Sha256Digest digest = Sha256::Of(bytes);
  const std::string key = "chunks/" + ToHex(digest);
  {
    auto store = ArchiveBackend::OpenStore(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    const uint64_t upload = (*store)->NewUploadId();
    ASSERT_TRUE((*store)->StageChunk(upload, digest, bytes).ok());
    EXPECT_EQ(Keys(s3_), std::set<std::string>{key});
    (*store)->AbortUpload(upload);
    EXPECT_TRUE(Keys(s3_).empty());
    // The late PUT.
    auto put = s3_.Call({.method = "PUT",
                         .key = key,
                         .body = bytes,
                         .body_sha256 = ToHex(digest)});
    ASSERT_TRUE(put.ok()) << put.status();
    ASSERT_EQ(put->code, 200);
    EXPECT_EQ(Keys(s3_), std::set<std::string>{key});
    auto report = (*store)->CheckIntegrity();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty());
  }
  // Start-up deletes it again.
  auto store = ArchiveBackend::OpenStore(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(Keys(s3_).empty());
}

TEST_F(ArchiveS3Test, MissingObjectIsDataLossNamingTheVersion) {
  StartArchive();
  const std::string bytes = TestBytes(kChunk + 10, 2);
  auto v = client_->Upload(Header("charter"), ReadFrom(bytes));
  ASSERT_TRUE(v.ok()) << v.status();
  const std::string tail =
      "chunks/" + ToHex(Sha256::Of(absl::string_view(bytes).substr(kChunk)));
  Obliterate(s3_, tail);
  auto got = Download(*client_, v->name());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
  EXPECT_THAT(std::string(got.status().message()), HasSubstr(v->name()));
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("missing"));
  // The metadata is still answered.
  EXPECT_TRUE(client_->GetEvidence(Name("charter")).ok());
  check_integrity_ = false;  // a referenced chunk is gone, as intended
}

TEST_F(ArchiveS3Test, DeleteMarkerDoesNotHideStoredBytes) {
  StartArchive();
  const std::string bytes = TestBytes(1000, 3);
  auto v = client_->Upload(Header("photo"), ReadFrom(bytes));
  ASSERT_TRUE(v.ok()) << v.status();
  // Someone with access to the bucket deletes the object: in a versioned
  // bucket that only adds a delete marker.
  auto del = s3_.Call(
      {.method = "DELETE", .key = "chunks/" + ToHex(Sha256::Of(bytes))});
  ASSERT_TRUE(del.ok());
  auto got = Download(*client_, v->name());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, bytes);
  check_integrity_ = false;  // the listing no longer shows the object
}

TEST_F(ArchiveS3Test, ReplacedObjectIsDataLoss) {
  StartArchive();
  const std::string bytes = TestBytes(5000, 4);
  auto v = client_->Upload(Header("survey"), ReadFrom(bytes));
  ASSERT_TRUE(v.ok()) << v.status();
  std::string rotten = bytes;
  rotten[100] ^= 1;
  auto put = s3_.Call({.method = "PUT",
                       .key = "chunks/" + ToHex(Sha256::Of(bytes)),
                       .body = rotten});
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->code, 200);
  auto got = Download(*client_, v->name());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
  EXPECT_THAT(std::string(got.status().message()), HasSubstr(v->name()));
  check_integrity_ = false;
}

TEST_F(ArchiveS3Test, SlowDownIsRetriedWithBackoff) {
  SlowDownFront front(PortOf(ArchiveBackend::Ceph().endpoint()), 3);
  StartArchive({"--s3_endpoint=" + front.endpoint()});
  const std::string bytes = TestBytes(3 * kChunk, 5);
  auto v = client_->Upload(Header("video"), ReadFrom(bytes));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_GE(front.refused(), 3);
  EXPECT_EQ(*Download(*client_, v->name()), bytes);
}

TEST_F(ArchiveS3Test,
       StoreThatKeepsRefusingIsUnavailableAndMetadataStaysReadable) {
  StartArchive();
  const std::string bytes = TestBytes(10, 6);
  ASSERT_TRUE(client_->Upload(Header("early"), ReadFrom(bytes)).ok());
  StopArchive();
  SlowDownFront front(PortOf(ArchiveBackend::Ceph().endpoint()), -1);
  StartArchive({"--s3_endpoint=" + front.endpoint()});
  auto refused = client_->Upload(Header("late"), ReadFrom(TestBytes(2000, 7)));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("uploads are refused until it is back"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("503"));
  EXPECT_TRUE(client_->GetEvidence(Name("early")).ok());
  v1::ListEvidenceRequest list;
  list.set_parent(kSchool);
  auto listed = client_->ListAllEvidence(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->size(), 1u);
  EXPECT_EQ(Download(*client_, Name("early")).status().code(),
            absl::StatusCode::kUnavailable);
  StopArchive();
  // Back on the real endpoint: everything as before, nothing of the refused
  // upload left (checked in TearDown).
  StartArchive();
  EXPECT_EQ(*Download(*client_, Name("early")), bytes);
}

TEST_F(ArchiveS3Test, StoreThatIsDownAtStartStillServesMetadata) {
  StartArchive();
  ASSERT_TRUE(client_->Upload(Header("early"), ReadFrom("abc")).ok());
  StopArchive();
  // Nothing listens on the port of a front that is gone.
  std::string dead;
  {
    SlowDownFront gone(1, -1);
    dead = gone.endpoint();
  }
  StartArchive({"--s3_endpoint=" + dead, "--s3_request_timeout_ms=500"});
  EXPECT_TRUE(client_->GetEvidence(Name("early")).ok());
  auto refused = client_->Upload(Header("late"), ReadFrom("def"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr(dead));
}

// On S3 a freeze is S3 Object Lock in COMPLIANCE mode on every chunk: not
// even someone with full access to the bucket can remove the bytes or
// shorten the date.
TEST_F(ArchiveS3Test, FreezeLocksChunkObjectsInComplianceMode) {
  StartArchive();
  const std::string bytes = TestBytes(kChunk + 7, 8);
  auto v = client_->Upload(Header("verdict-basis"), ReadFrom(bytes));
  ASSERT_TRUE(v.ok()) << v.status();
  auto stub = v1::ArchiveService::NewStub(Connect(server_->address()));
  grpc::ClientContext c;
  v1::FreezeEvidenceRequest r;
  r.set_parent(kSchool);
  const int64_t until = absl::ToUnixSeconds(absl::Now()) + 86400;
  r.mutable_retain_until()->set_seconds(until);
  v1::EvidenceFreeze f;
  ASSERT_TRUE(stub->FreezeEvidence(&c, r, &f).ok());
  const std::string key =
      "chunks/" + ToHex(Sha256::Of(absl::string_view(bytes).substr(0, kChunk)));
  auto retention = s3_.Call({.key = key, .query = "retention="});
  ASSERT_TRUE(retention.ok());
  EXPECT_EQ(retention->code, 200) << retention->body;
  EXPECT_THAT(retention->body, HasSubstr("<Mode>COMPLIANCE</Mode>"));
  const std::string date = absl::FormatTime(
      "%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(until), absl::UTCTimeZone());
  EXPECT_THAT(retention->body, HasSubstr(date));
  // Permanently deleting the locked version is refused by the store.
  auto versions =
      s3_.Call({.query = "prefix=" + absl::StrReplaceAll(key, {{"/", "%2F"}}) +
                         "&versions="});
  ASSERT_TRUE(versions.ok());
  const std::string& body = versions->body;
  const size_t at = body.find("<VersionId>");
  ASSERT_NE(at, std::string::npos) << body;
  const std::string id =
      body.substr(at + 11, body.find("</VersionId>", at) - at - 11);
  auto gone =
      s3_.Call({.method = "DELETE", .key = key, .query = "versionId=" + id});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->code, 403) << gone->body;
  EXPECT_EQ(*Download(*client_, v->name()), bytes);
}

}  // namespace
}  // namespace junheng
