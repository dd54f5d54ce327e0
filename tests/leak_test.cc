// Clients that vanish must not leave anything behind in junheng-archive:
// uploads cancelled halfway, client processes killed mid-upload (the kernel
// drops their connections), downloads whose reader stalls and then cancels,
// and hundreds of streams opened, left silent, then abandoned. The
// archive's open file descriptors, threads and resident memory are measured
// before and after; they must come back near where they were, the service
// must still serve, and the store must hold no staged chunks.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "archive_service/archive_store.h"
#include "clients/archive_client.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/archive_test_util.h"
#include "tests/test_util.h"

extern char** environ;

namespace junheng {
namespace {

using ::junheng::testing::CountOpenFds;
using ::junheng::testing::EvidenceHeader;
using ::junheng::testing::RssBytes;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::junheng::testing::ThreadCount;

constexpr char kSchool[] = "counties/330106/schools/2133010601";
constexpr int64_t kMiB = 1 << 20;
constexpr char kChildAddrEnv[] = "JUNHENG_LEAK_CHILD_ADDR";
constexpr char kChildModeEnv[] = "JUNHENG_LEAK_CHILD_MODE";

v1::UploadHeader Header(const std::string& id) {
  return EvidenceHeader(kSchool, id);
}

v1::UploadRequest HeaderMsg(const v1::UploadHeader& h) {
  v1::UploadRequest m;
  *m.mutable_header() = h;
  return m;
}

v1::UploadRequest ChunkMsg(std::string bytes) {
  v1::UploadRequest m;
  m.set_chunk(std::move(bytes));
  return m;
}

// A channel of its own, not shared with other channels to the same
// address: each is its own TCP connection.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

// Entries of the archive's `staging` column family (FORMAT.md), read
// without OpenRocksArchiveStore, which would clean them up first: what the
// server itself left behind.
absl::StatusOr<int> StagedEntries(const std::string& dir) {
  std::vector<std::string> families;
  rocksdb::Status s =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &families);
  if (!s.ok()) return absl::InternalError(s.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& f : families) {
    descriptors.emplace_back(f, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors,
                                   &handles, &raw);
  if (!s.ok()) return absl::InternalError(s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  int n = -1;
  for (size_t i = 0; i < families.size(); ++i) {
    if (families[i] != "staging") continue;
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  if (n < 0) return absl::NotFoundError("no staging column family");
  return n;
}

struct Usage {
  int fds = 0;
  int threads = 0;
  int64_t rss = 0;
};

Usage Measure(pid_t pid) {
  return {CountOpenFds(pid), ThreadCount(pid), RssBytes(pid)};
}

std::ostream& operator<<(std::ostream& o, const Usage& u) {
  return o << u.fds << " fds, " << u.threads << " threads, " << (u.rss >> 20)
           << " MiB RSS";
}

// The child side of the killed-client scenarios: this same binary, run
// with the addresses in the environment. "upload": one upload that sends a
// MiB every 20 ms and never finishes. "idle": 100 uploads that send nothing.
// It prints "streaming" once the server has its streams, then waits to be
// killed.
TEST(LeakChild, DISABLED_StreamUntilKilled) {
  const char* addr = std::getenv(kChildAddrEnv);
  const char* mode = std::getenv(kChildModeEnv);
  if (addr == nullptr || mode == nullptr) GTEST_SKIP() << "only as a child";
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = v1::ArchiveService::NewStub(channel);
  struct Call {
    grpc::ClientContext context;
    v1::EvidenceVersion response;
    std::unique_ptr<grpc::ClientWriter<v1::UploadRequest>> writer;
  };
  std::vector<std::unique_ptr<Call>> calls;
  if (std::string(mode) == "upload") {
    auto call = std::make_unique<Call>();
    call->writer = stub->Upload(&call->context, &call->response);
    v1::UploadHeader h = Header(absl::StrCat("killed-", ::getpid()));
    h.set_size_bytes(1024 * kMiB);
    ASSERT_TRUE(call->writer->Write(HeaderMsg(h)));
    for (int i = 0;; ++i) {
      ASSERT_TRUE(call->writer->Write(ChunkMsg(TestBytes(kMiB, i))));
      if (i == 3) std::cout << "streaming" << std::endl;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  for (int i = 0; i < 100; ++i) {
    auto call = std::make_unique<Call>();
    call->writer = stub->Upload(&call->context, &call->response);
    calls.push_back(std::move(call));
  }
  std::cout << "streaming" << std::endl;
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

// Starts the child, waits until it says it is streaming (plus a moment for
// the server to take up its calls), then kills it with SIGKILL.
void RunAndKillChild(const std::string& address, const std::string& mode) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {
      "/proc/self/exe", "--gtest_also_run_disabled_tests",
      "--gtest_filter=LeakChild.DISABLED_StreamUntilKilled"};
  std::vector<std::string> env = {absl::StrCat(kChildAddrEnv, "=", address),
                                  absl::StrCat(kChildModeEnv, "=", mode)};
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr,
                          argv.data(), envp.data()),
            0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  std::string said;
  char buf[256];
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (said.find("streaming") == std::string::npos && absl::Now() < give_up) {
    const ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    said.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_NE(said.find("streaming"), std::string::npos)
      << "the child never got going: " << said;
}

class LeakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        "junheng-archive", std::vector<std::string>{"--data_dir=" + db()});
    ASSERT_OK(server_->Start());
    channel_ = Connect(server_->address());
    client_ = std::make_unique<ArchiveClient>(channel_);
  }

  std::string db() const { return data_.path() + "/db"; }

  absl::StatusOr<v1::EvidenceVersion> Put(const std::string& id,
                                          const std::string& bytes) {
    return client_->Upload(Header(id), ::junheng::testing::ReadFrom(bytes));
  }

  void ExpectServing() {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(health->Check(&context, {}, &response).ok());
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
    const std::string bytes = TestBytes(3 * kMiB + 5, 99);
    auto v = Put("after", bytes);
    ASSERT_TRUE(v.ok()) << v.status();
    v1::DownloadRequest r;
    r.set_name(v->name());
    Sha256 h;
    auto d = client_->Download(r, [&](absl::string_view b) {
      h.Update(b);
      return true;
    });
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(ToHex(h.Finish()), ToHex(Sha256::Of(bytes)));
  }

  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<ArchiveClient> client_;
};

TEST_F(LeakTest, VanishedClientsLeaveNothingBehind) {
  const pid_t pid = server_->pid();
  // Warm up everything that is created lazily and then kept (RocksDB's
  // background threads and table readers, gRPC's pollers, the allocator's
  // arenas), with the same kinds of calls the scenarios make.
  const std::string big = TestBytes(32 * kMiB, 7);
  ASSERT_TRUE(Put("big", big).ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        Put(absl::StrCat("warm-", i), TestBytes(3 * kMiB, 10 + i)).ok());
  }
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        ArchiveClient c(OwnChannel(server_->address()));
        v1::DownloadRequest r;
        r.set_name(std::string(kSchool) + "/evidence/big");
        EXPECT_TRUE(c.Download(r, [](absl::string_view) { return true; }).ok());
      });
    }
    for (auto& t : threads) t.join();
  }
  absl::SleepFor(absl::Seconds(2));
  const Usage before = Measure(pid);
  std::cout << "baseline: " << before << std::endl;
  int peak_threads = before.threads;
  auto note_peak = [&] {
    peak_threads = std::max(peak_threads, ThreadCount(pid));
  };

  // 1. Uploads cancelled halfway through a declared 8 MiB, four at a time.
  for (int round = 0; round < 5; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, round, t] {
        auto stub = v1::ArchiveService::NewStub(channel_);
        grpc::ClientContext context;
        v1::EvidenceVersion response;
        auto writer = stub->Upload(&context, &response);
        v1::UploadHeader h = Header(absl::StrCat("cancelled-", round, t));
        h.set_size_bytes(8 * kMiB);
        writer->Write(HeaderMsg(h));
        for (int i = 0; i < 4; ++i) {
          writer->Write(ChunkMsg(TestBytes(kMiB, round * 10 + i)));
        }
        context.TryCancel();
        EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
      });
    }
    note_peak();
    for (auto& t : threads) t.join();
  }

  // 2. Client processes killed mid-upload, and one killed with 100 silent
  // streams open: no cancellation, the connection just drops.
  for (int i = 0; i < 3; ++i) RunAndKillChild(server_->address(), "upload");
  RunAndKillChild(server_->address(), "idle");
  note_peak();

  // 3. Downloads of 32 MiB whose readers take one message, stall for 3 s
  // (flow control fills up and the server's writes block), then cancel.
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&] {
        auto stub = v1::ArchiveService::NewStub(OwnChannel(server_->address()));
        grpc::ClientContext context;
        v1::DownloadRequest r;
        r.set_name(std::string(kSchool) + "/evidence/big");
        auto reader = stub->Download(&context, r);
        v1::DownloadResponse m;
        EXPECT_TRUE(reader->Read(&m));
        std::this_thread::sleep_for(std::chrono::seconds(3));
        context.TryCancel();
        reader->Finish();
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    note_peak();
    for (auto& t : threads) t.join();
  }

  // 4. 200 streams on 10 connections that send nothing at all, held for
  // 2 s, then cancelled and their channels dropped.
  {
    struct Call {
      grpc::ClientContext context;
      v1::EvidenceVersion response;
      std::unique_ptr<grpc::ClientWriter<v1::UploadRequest>> writer;
    };
    std::vector<std::unique_ptr<v1::ArchiveService::Stub>> stubs;
    for (int c = 0; c < 10; ++c) {
      stubs.push_back(
          v1::ArchiveService::NewStub(OwnChannel(server_->address())));
    }
    std::vector<std::unique_ptr<Call>> calls;
    for (int i = 0; i < 200; ++i) {
      auto call = std::make_unique<Call>();
      call->writer = stubs[i % 10]->Upload(&call->context, &call->response);
      calls.push_back(std::move(call));
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    note_peak();
    for (auto& c : calls) c->context.TryCancel();
    for (auto& c : calls) c->writer->Finish();
  }

  // Settle: the server notices each loss on its own schedule and its
  // thread pool shrinks as it goes idle.
  //
  // Slack: a few fds for whatever the idle server may have open at a given
  // moment (a RocksDB table file opened, a WAL rolled); a leak per call
  // would show as dozens (about 230 connections and 280 calls went away).
  // A few threads for gRPC's pool, which keeps some idle pollers. RSS: the
  // scenarios moved some 400 MiB and held up to ~40 MiB of chunk buffers at
  // once; glibc keeps some freed memory in its arenas, so 64 MiB of growth
  // is allowed, far below what keeping each abandoned upload's or
  // download's buffers would cost (a MiB or more each, ~300 of them).
  constexpr int kFdSlack = 8;
  constexpr int kThreadSlack = 4;
  constexpr int64_t kRssSlack = 64 * kMiB;
  Usage after;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  do {
    absl::SleepFor(absl::Milliseconds(250));
    after = Measure(pid);
  } while ((after.fds > before.fds + kFdSlack ||
            after.threads > before.threads + kThreadSlack) &&
           absl::Now() < give_up);
  std::cout << "peak threads " << peak_threads << "; after settling: " << after
            << std::endl;
  EXPECT_GT(peak_threads, before.threads + 50)
      << "the silent streams never reached the server's threads";
  EXPECT_LE(after.fds, before.fds + kFdSlack);
  EXPECT_LE(after.threads, before.threads + kThreadSlack);
  EXPECT_LE(after.rss, before.rss + kRssSlack)
      << "RSS grew by " << ((after.rss - before.rss) >> 20) << " MiB";

  ExpectServing();
  // Nothing of the abandoned uploads became evidence.
  v1::ListEvidenceRequest list;
  list.set_parent(kSchool);
  auto listed = client_->ListAllEvidence(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<std::string> names;
  for (const auto& e : *listed) {
    names.push_back(e.name().substr(e.name().rfind('/') + 1));
  }
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ::testing::ElementsAre("after", "big", "warm-0", "warm-1",
                                            "warm-2", "warm-3"));

  // A clean stop, then no staged chunk or stray reference on disk.
  EXPECT_EQ(server_->Stop(), 0);
  auto staged = StagedEntries(db());
  ASSERT_TRUE(staged.ok()) << staged.status();
  EXPECT_EQ(*staged, 0) << "abandoned uploads left staged chunks";
  auto store = archive::OpenRocksArchiveStore(db());
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = (*store)->CheckIntegrity();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
}

}  // namespace
}  // namespace junheng
