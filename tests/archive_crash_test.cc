// kill -9 of junheng-archive in the middle of concurrent uploads, then a
// restart on the same data: every acknowledged version is there and
// verifies, nothing half-written is visible, and the store is consistent.
// Built twice: chunks in RocksDB, and (archive_crash_s3_test) in a bucket of
// a real single-node Ceph.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "archive_service/archive_store.h"
#include "clients/archive_client.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/archive_backend.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;

constexpr char kSchool[] = "counties/330106/schools/2133010601";

std::vector<std::string> Flags(const std::string& db,
                               const std::string& wal_flag) {
  std::vector<std::string> flags = {"--data_dir=" + db, wal_flag};
  for (auto& f : ::junheng::testing::ArchiveBackend::ServerFlags(db)) {
    flags.push_back(f);
  }
  return flags;
}

struct Attempt {
  std::string evidence;
  std::string sha256;
};

// Run with every chunk through the WAL, and with all but each upload's first
// MiB written without it (flushed before the commit).
class ArchiveCrashTest : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(WalModes, ArchiveCrashTest,
                         ::testing::Values("-1", "1048576"),
                         [](const auto& info) {
                           return info.param == "-1"
                                      ? std::string("AllLogged")
                                      : std::string("BulkUnlogged");
                         });

TEST_P(ArchiveCrashTest, AcknowledgedVersionsSurviveKill9) {
  const std::string wal_flag = "--unlogged_after_bytes=" + GetParam();
  TempDir data;
  const std::string db = data.path() + "/db";
  std::mutex mu;
  // evidence name -> the SHA-256 of every upload tried / acknowledged.
  std::map<std::string, std::set<std::string>> tried;
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> acked;

  for (int round = 0; round < 3; ++round) {
    ServerProcess server("junheng-archive", Flags(db, wal_flag));
    ASSERT_TRUE(server.Start().ok()) << server.Stderr();
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        ArchiveClient client(Connect(server.address()));
        for (int i = 0; !stop; ++i) {
          // Sizes from empty to several chunks; some evidence shared.
          const int64_t size = (i * 7919 + t * 104729) % (3 << 20);
          const std::string bytes =
              TestBytes(size, round * 1000000 + t * 1000 + i);
          const std::string id = "doc-" + std::to_string((t + i) % 4);
          const std::string name = std::string(kSchool) + "/evidence/" + id;
          const std::string sha = ToHex(Sha256::Of(bytes));
          {
            std::lock_guard<std::mutex> lock(mu);
            tried[name].insert(sha);
          }
          v1::UploadHeader h;
          h.set_parent(kSchool);
          h.set_evidence_id(id);
          h.set_title("t");
          h.add_indicator_codes("R4");
          h.set_school_year(2025);
          auto v = client.Upload(h, ::junheng::testing::ReadFrom(bytes));
          if (v.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            acked[name].emplace_back(v->version(), v->sha256());
          } else if (stop) {
            return;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + 300 * round));
    server.Kill();
    stop = true;
    for (auto& th : threads) th.join();
  }

  ServerProcess server("junheng-archive", Flags(db, wal_flag));
  ASSERT_TRUE(server.Start().ok()) << server.Stderr();
  ArchiveClient client(Connect(server.address()));
  int64_t acknowledged = 0;
  for (const auto& [name, versions] : acked) {
    auto listed = client.ListAllVersions(name);
    ASSERT_TRUE(listed.ok()) << listed.status();
    std::map<int64_t, std::string> visible;
    for (const auto& v : *listed) visible[v.version()] = v.sha256();
    for (const auto& [version, sha] : versions) {
      ++acknowledged;
      ASSERT_EQ(visible.count(version), 1u) << name << " v" << version;
      EXPECT_EQ(visible[version], sha) << name << " v" << version;
    }
    // Every visible version is one some client sent, whole, and its bytes
    // verify (the download checks each chunk; we check the whole).
    for (const auto& [version, sha] : visible) {
      EXPECT_EQ(tried[name].count(sha), 1u) << name << " v" << version;
      v1::DownloadRequest r;
      r.set_name(name + "/versions/" + std::to_string(version));
      Sha256 h;
      auto d = client.Download(r, [&](absl::string_view b) {
        h.Update(b);
        return true;
      });
      ASSERT_TRUE(d.ok()) << d.status();
      EXPECT_EQ(ToHex(h.Finish()), sha);
    }
  }
  EXPECT_GT(acknowledged, 10) << "the load was too light to prove anything";
  EXPECT_EQ(server.Stop(), 0);

  auto store = ::junheng::testing::ArchiveBackend::OpenStore(db);
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = (*store)->CheckIntegrity();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
}

}  // namespace
}  // namespace junheng
