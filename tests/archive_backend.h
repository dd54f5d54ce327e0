// The chunk store a test binary runs junheng-archive with. The archive's
// end-to-end tests are built twice (tests/CMakeLists.txt): as they are,
// with chunks in RocksDB, and with JUNHENG_TEST_S3=1, with chunks in a
// bucket of a real single-node Ceph (mon + OSD + radosgw on 127.0.0.1,
// scripts/ceph.sh) that the binary starts before its first test and stops
// after its last. Its test names then start with "S3.".
//
// Header-only: the macro is the including target's.
#ifndef JUNHENG_TESTS_ARCHIVE_BACKEND_H_
#define JUNHENG_TESTS_ARCHIVE_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive_service/archive_store.h"
#include "archive_service/s3_chunk_store.h"
#include "gtest/gtest.h"
#include "tests/ceph_cluster.h"

#ifndef JUNHENG_TEST_S3
#define JUNHENG_TEST_S3 0
#endif

namespace junheng::testing {

class ArchiveBackend {
 public:
  static constexpr bool kS3 = JUNHENG_TEST_S3 != 0;

  // junheng-archive flags (besides --data_dir) for an archive whose data
  // directory is `data_dir`: none for RocksDB; for S3, a bucket of its own
  // (one per data directory, so tests never see each other's chunks), in
  // 1 MiB chunks like RocksDB's, so that the same tests cross the same
  // chunk boundaries.
  static std::vector<std::string> ServerFlags(const std::string& data_dir) {
    if (!kS3) return {};
    CephCluster& ceph = Ceph();
    return {"--chunk_store=s3", "--s3_endpoint=" + ceph.endpoint(),
            "--s3_bucket=" + BucketFor(data_dir),
            "--s3_credentials_file=" + ceph.credentials_file(),
            "--s3_chunk_mib=1"};
  }

  // The S3 settings of the bucket ServerFlags(data_dir) named.
  static archive::S3Options S3For(const std::string& data_dir) {
    archive::S3Options o = Ceph().Options();
    o.bucket = BucketFor(data_dir);
    return o;
  }

  // Opens the store in `data_dir` (the server stopped) with the chunk store
  // the server used, for CheckIntegrity() and inspection.
  static absl::StatusOr<std::unique_ptr<archive::ArchiveStore>> OpenStore(
      const std::string& data_dir) {
    std::unique_ptr<archive::ChunkStore> chunks;
    if (kS3) {
      auto s3 = archive::OpenS3ChunkStore({.s3 = S3For(data_dir)});
      if (!s3.ok()) return s3.status();
      chunks = *std::move(s3);
    }
    return archive::OpenRocksArchiveStore(data_dir, {}, std::move(chunks));
  }

  // The cluster, started on first use; stopped by the environment below.
  static CephCluster& Ceph() {
    if (cluster_ == nullptr) {
      auto started = CephCluster::Start();
      if (!started.ok()) {
        ADD_FAILURE() << "cannot start Ceph: " << started.status();
        std::abort();
      }
      cluster_ = started->release();
    }
    return *cluster_;
  }

  static void StopCeph() {
    delete cluster_;
    cluster_ = nullptr;
  }

 private:
  static std::string BucketFor(const std::string& data_dir) {
    // Bucket names: 3–63 of [a-z0-9-]. A digest of the directory keeps the
    // same directory on the same bucket across restarts.
    std::string name = "junheng-";
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : data_dir) h = (h ^ c) * 1099511628211ull;
    static const char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) name.push_back(kHex[(h >> (i * 4)) & 15]);
    return name;
  }

  static inline CephCluster* cluster_ = nullptr;
};

// Stops the cluster after the binary's last test.
class CephEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { ArchiveBackend::StopCeph(); }
};
inline ::testing::Environment* const kCephEnvironment =
    ArchiveBackend::kS3
        ? ::testing::AddGlobalTestEnvironment(new CephEnvironment)
        : nullptr;

}  // namespace junheng::testing

#endif  // JUNHENG_TESTS_ARCHIVE_BACKEND_H_
