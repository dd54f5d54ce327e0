// The archive store on a real RocksDB in a temporary directory.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "archive_service/archive_store.h"
#include "archive_service/download_pipeline.h"
#include "archive_service/keys.h"
#include "common/crc32c.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/test_util.h"

namespace junheng::archive {
namespace {

using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

EvidenceName Doc(std::string id, std::string school = "2133010601") {
  return {{"330106", std::move(school)}, std::move(id)};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(StoreOptions options = {}) {
    auto s = OpenRocksArchiveStore(dir_.path() + "/db", options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  void Close() { store_.reset(); }

  // Stages `bytes` in kChunkSize pieces and commits them.
  absl::StatusOr<CommitResult> Put(const EvidenceName& name,
                                   const std::string& bytes,
                                   std::string request_id = "",
                                   std::vector<std::string> codes = {"R4"},
                                   int year = 2025, bool record_crcs = true) {
    const uint64_t id = store_->NewUploadId();
    CommitRequest req;
    req.upload_id = id;
    req.name = name;
    req.metadata = {"title", std::move(codes), year};
    req.sha256 = Sha256::Of(bytes);
    req.size_bytes = static_cast<int64_t>(bytes.size());
    for (size_t at = 0; at < bytes.size(); at += kChunkSize) {
      std::string chunk = bytes.substr(at, kChunkSize);
      Sha256Digest d = Sha256::Of(chunk);
      absl::Status s = store_->StageChunk(id, d, chunk);
      if (!s.ok()) return s;
      req.chunks.push_back(d);
      // As the upload pipeline does; a store written before CRCs were
      // recorded has none.
      if (record_crcs) req.chunk_crc32c.push_back(Crc32c(chunk));
    }
    req.content_type = "application/pdf";
    req.uploader = {"tester", ""};
    req.request_id = std::move(request_id);
    auto result = store_->CommitVersion(req);
    if (!result.ok()) store_->AbortUpload(id);
    return result;
  }

  std::string Read(const EvidenceName& name, int64_t version) {
    auto v = store_->GetVersion(name, version);
    EXPECT_TRUE(v.ok()) << v.status();
    auto content = store_->GetContent(v->sha256);
    EXPECT_TRUE(content.ok()) << content.status();
    std::string out;
    for (const auto& d : content->chunks) {
      auto chunk = store_->ReadChunk(d);
      EXPECT_TRUE(chunk.ok()) << chunk.status();
      out += *chunk;
    }
    return out;
  }

  // Downloads bytes [begin, end) of version 1 of `name` through the download
  // pipeline, as the server sends them; `sent` gets what reached the sink.
  absl::Status Download(const EvidenceName& name, std::string* sent,
                        int64_t begin = 0, int64_t end = -1) {
    auto v = store_->GetVersion(name, 1);
    if (!v.ok()) return v.status();
    auto content = store_->GetContent(v->sha256);
    if (!content.ok()) return content.status();
    struct Sink : DownloadSink {
      std::string* out;
      bool Begin(const VersionInfo&) override { return true; }
      bool Write(std::string bytes) override {
        out->append(bytes);
        return true;
      }
    } sink;
    sink.out = sent;
    return RunDownload(store_->chunks(), *content,
                       {begin, end < 0 ? content->size_bytes : end},
                       ChunkCheck::kRangesOnly, sink);
  }

  // Rewrites a stored chunk behind the store's back, through RocksDB, which
  // gives the new bytes a valid checksum of its own: what someone with the
  // disk could do.
  void RewriteChunk(const Sha256Digest& digest, const std::string& bytes) {
    Close();
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : kColumnFamilies) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path() + "/db",
                                  cfs, &handles, &db)
                    .ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[kChunksCf],
                        std::string(AsBytes(digest)), bytes)
                    .ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
    Open();
  }

  void ExpectHealthy() {
    auto report = store_->CheckIntegrity();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, IsEmpty());
  }

  int64_t StoredChunks() {
    auto report = store_->CheckIntegrity();
    EXPECT_TRUE(report.ok());
    return report->chunks;
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> store_;
};

TEST_F(StoreTest, CommitsVersionsInOrder) {
  const std::string a = TestBytes(3 * kChunkSize + 5, 1);
  const std::string b = TestBytes(10, 2);
  auto v1 = Put(Doc("r4-ledger"), a);
  ASSERT_TRUE(v1.ok()) << v1.status();
  auto v2 = Put(Doc("r4-ledger"), b);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v1->version.version, 1);
  EXPECT_EQ(v2->version.version, 2);
  EXPECT_EQ(Read(Doc("r4-ledger"), 1), a);
  EXPECT_EQ(Read(Doc("r4-ledger"), 2), b);
  EXPECT_EQ(Read(Doc("r4-ledger"), 0), b);
  auto e = store_->GetEvidence(Doc("r4-ledger"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->version_count, 2);
  EXPECT_EQ(e->latest.sha256, Sha256::Of(b));
  ExpectHealthy();
}

TEST_F(StoreTest, EmptyFileHasNoChunks) {
  auto v = Put(Doc("empty"), "");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->version.size_bytes, 0);
  auto content = store_->GetContent(v->version.sha256);
  ASSERT_TRUE(content.ok());
  EXPECT_THAT(content->chunks, IsEmpty());
  ExpectHealthy();
}

TEST_F(StoreTest, SameBytesAreStoredOnce) {
  const std::string bytes = TestBytes(2 * kChunkSize, 3);
  ASSERT_TRUE(Put(Doc("a"), bytes).ok());
  const int64_t after_first = StoredChunks();
  ASSERT_TRUE(Put(Doc("a"), bytes).ok());                // new version
  ASSERT_TRUE(Put(Doc("b", "2133010602"), bytes).ok());  // other school
  EXPECT_EQ(StoredChunks(), after_first);
  EXPECT_EQ(after_first, 2);
  // A file sharing its first chunk stores only the new one.
  ASSERT_TRUE(Put(Doc("c"), bytes.substr(0, kChunkSize) + "tail").ok());
  EXPECT_EQ(StoredChunks(), 3);
  ExpectHealthy();
}

TEST_F(StoreTest, RepeatedChunksInOneFileAreStoredOnce) {
  const std::string zeros(4 * kChunkSize, '\0');
  ASSERT_TRUE(Put(Doc("zeros"), zeros).ok());
  EXPECT_EQ(StoredChunks(), 1);
  EXPECT_EQ(Read(Doc("zeros"), 1), zeros);
  ExpectHealthy();
}

TEST_F(StoreTest, AbortLeavesNothing) {
  const uint64_t id = store_->NewUploadId();
  const std::string chunk = TestBytes(kChunkSize, 4);
  ASSERT_TRUE(store_->StageChunk(id, Sha256::Of(chunk), chunk).ok());
  store_->AbortUpload(id);
  EXPECT_EQ(StoredChunks(), 0);
  EXPECT_EQ(store_->GetEvidence(Doc("x")).status().code(),
            absl::StatusCode::kNotFound);
  ExpectHealthy();
}

TEST_F(StoreTest, AbortKeepsAChunkAnotherUploadStillNeeds) {
  const std::string chunk = TestBytes(kChunkSize, 5);
  const Sha256Digest d = Sha256::Of(chunk);
  const uint64_t a = store_->NewUploadId();
  const uint64_t b = store_->NewUploadId();
  ASSERT_TRUE(store_->StageChunk(a, d, chunk).ok());
  ASSERT_TRUE(store_->StageChunk(b, d, chunk).ok());
  store_->AbortUpload(a);
  CommitRequest req;
  req.upload_id = b;
  req.name = Doc("shared");
  req.metadata = {"t", {"R4"}, 2025};
  req.sha256 = Sha256::Of(chunk);
  req.size_bytes = kChunkSize;
  req.chunks = {d};
  ASSERT_TRUE(store_->CommitVersion(req).ok());
  EXPECT_EQ(Read(Doc("shared"), 1), chunk);
  ExpectHealthy();
}

TEST_F(StoreTest, CrashBeforeCommitLeavesNoOrphanAfterReopen) {
  const uint64_t id = store_->NewUploadId();
  for (int i = 0; i < 3; ++i) {
    const std::string chunk = TestBytes(kChunkSize, 10 + i);
    ASSERT_TRUE(store_->StageChunk(id, Sha256::Of(chunk), chunk).ok());
  }
  ASSERT_TRUE(Put(Doc("kept"), TestBytes(100, 20)).ok());
  Close();  // no commit, no abort: as if the process died
  Open();
  EXPECT_EQ(StoredChunks(), 1);
  EXPECT_EQ(Read(Doc("kept"), 1), TestBytes(100, 20));
  ExpectHealthy();
}

TEST_F(StoreTest, LargeUploadsSkipTheWalAndStillCommitDurably) {
  Close();
  StoreOptions options;
  options.unlogged_after_bytes = kChunkSize;  // all but the first chunk
  Open(options);
  const std::string bytes = TestBytes(5 * kChunkSize + 3, 30);
  auto v = Put(Doc("video"), bytes);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(Read(Doc("video"), 1), bytes);
  // Staged without the WAL, then abandoned: nothing may remain.
  const uint64_t id = store_->NewUploadId();
  for (int i = 0; i < 3; ++i) {
    const std::string chunk = TestBytes(kChunkSize, 40 + i);
    ASSERT_TRUE(store_->StageChunk(id, Sha256::Of(chunk), chunk).ok());
  }
  Close();
  Open(options);
  EXPECT_EQ(Read(Doc("video"), 1), bytes);
  EXPECT_EQ(StoredChunks(), 6);
  ExpectHealthy();
}

// The application refuses this with field violations before any byte is
// read (ArchiveServerTest.MissingMetadataForNewEvidenceIsRefusedUpFront);
// the store still keeps its invariant, without naming request fields.
TEST_F(StoreTest, NewEvidenceNeedsItsMetadata) {
  auto r = Put(Doc("x"), "abc", "", {}, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("indicator codes"), std::string::npos);
  EXPECT_EQ(r.status().message().find("header."), std::string::npos);
  EXPECT_EQ(StoredChunks(), 0);
  // A later version may omit it.
  ASSERT_TRUE(Put(Doc("x"), "abc").ok());
  ASSERT_TRUE(Put(Doc("x"), "abcd", "", {}, 0).ok());
  auto e = store_->GetEvidence(Doc("x"));
  EXPECT_THAT(e->indicator_codes, ElementsAre("R4"));
  EXPECT_EQ(e->school_year, 2025);
}

TEST_F(StoreTest, RequestIdMakesARetryReturnTheSameVersion) {
  auto first = Put(Doc("x"), "v1", "req-1");
  ASSERT_TRUE(first.ok());
  auto retry = Put(Doc("x"), "v1", "req-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->version.version, 1);
  EXPECT_EQ(store_->GetEvidence(Doc("x"))->version_count, 1);
  auto other = Put(Doc("y"), "v1", "req-1");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(other.status().message().find(Doc("x").ToString()),
            std::string::npos);
  ExpectHealthy();
}

TEST_F(StoreTest, SoftDeleteKeepsVersionsAndBlocksNewOnes) {
  ASSERT_TRUE(Put(Doc("x"), "one").ok());
  auto deleted = store_->SetDeleted(Doc("x"), true, {"alice"});
  ASSERT_TRUE(deleted.ok());
  EXPECT_NE(deleted->delete_time_us, 0);
  EXPECT_EQ(store_->SetDeleted(Doc("x"), true, {"alice"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Read(Doc("x"), 1), "one");
  auto put = Put(Doc("x"), "two");
  EXPECT_EQ(put.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->SetDeleted(Doc("x"), false, {"alice"}).ok());
  EXPECT_EQ(store_->SetDeleted(Doc("x"), false, {"alice"}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->SetDeleted(Doc("nope"), true, {"a"}).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(Put(Doc("x"), "two").ok());
  ExpectHealthy();
}

TEST_F(StoreTest, UnknownVersionIsNotFound) {
  ASSERT_TRUE(Put(Doc("x"), "one").ok());
  EXPECT_EQ(store_->GetVersion(Doc("x"), 2).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetVersion(Doc("y"), 1).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, ListFiltersAndPages) {
  ASSERT_TRUE(Put(Doc("a"), "1", "", {"R4", "R5"}, 2024).ok());
  ASSERT_TRUE(Put(Doc("b"), "2", "", {"R5"}, 2025).ok());
  ASSERT_TRUE(Put(Doc("c", "2133010602"), "3", "", {"R4"}, 2025).ok());
  ASSERT_TRUE(Put({{"330106", ""}, "county-doc"}, "4", "", {"G11"}, 2025).ok());
  ASSERT_TRUE(Put({{"330107", ""}, "elsewhere"}, "5", "", {"R4"}, 2025).ok());
  auto names = [&](ListQuery q) {
    std::vector<std::string> out;
    for (;;) {
      auto page = store_->ListEvidence(q);
      EXPECT_TRUE(page.ok()) << page.status();
      for (const auto& e : page->evidence) out.push_back(e.name.ToString());
      if (page->next_cursor.empty()) return out;
      q.start_after = page->next_cursor;
    }
  };
  ListQuery county;
  county.parent = {"330106", ""};
  EXPECT_THAT(names(county),
              ElementsAre("counties/330106/evidence/county-doc",
                          "counties/330106/schools/2133010601/evidence/a",
                          "counties/330106/schools/2133010601/evidence/b",
                          "counties/330106/schools/2133010602/evidence/c"));
  ListQuery school;
  school.parent = {"330106", "2133010601"};
  school.limit = 1;
  EXPECT_THAT(names(school),
              ElementsAre("counties/330106/schools/2133010601/evidence/a",
                          "counties/330106/schools/2133010601/evidence/b"));
  ListQuery r4;
  r4.indicator_code = "R4";
  r4.limit = 1;
  EXPECT_THAT(names(r4),
              ElementsAre("counties/330106/schools/2133010601/evidence/a",
                          "counties/330106/schools/2133010602/evidence/c",
                          "counties/330107/evidence/elsewhere"));
  ListQuery r5_2025;
  r5_2025.parent = {"330106", ""};
  r5_2025.indicator_code = "R5";
  r5_2025.school_year = 2025;
  EXPECT_THAT(names(r5_2025),
              ElementsAre("counties/330106/schools/2133010601/evidence/b"));
  // Deleted evidence is hidden unless asked for.
  ASSERT_TRUE(store_->SetDeleted(Doc("a"), true, {"x"}).ok());
  EXPECT_THAT(names(school),
              ElementsAre("counties/330106/schools/2133010601/evidence/b"));
  school.show_deleted = true;
  EXPECT_EQ(names(school).size(), 2u);
}

TEST_F(StoreTest, ChangingIndicatorsMovesTheIndex) {
  ASSERT_TRUE(Put(Doc("a"), "1", "", {"R4"}).ok());
  ASSERT_TRUE(Put(Doc("a"), "2", "", {"R6", "R7"}).ok());
  ListQuery r4;
  r4.indicator_code = "R4";
  EXPECT_THAT(store_->ListEvidence(r4)->evidence, IsEmpty());
  ListQuery r7;
  r7.indicator_code = "R7";
  EXPECT_EQ(store_->ListEvidence(r7)->evidence.size(), 1u);
  ExpectHealthy();
}

TEST_F(StoreTest, CorruptedChunkIsDataLoss) {
  const std::string bytes = TestBytes(kChunkSize + 10, 7);
  ASSERT_TRUE(Put(Doc("x"), bytes).ok());
  const Sha256Digest second = Sha256::Of(bytes.substr(kChunkSize));
  // Flip the stored bytes behind the store's back.
  std::string damaged = bytes.substr(kChunkSize);
  damaged[3] ^= 1;
  RewriteChunk(second, damaged);
  auto chunk = store_->ReadChunk(second);
  ASSERT_FALSE(chunk.ok());
  EXPECT_EQ(chunk.status().code(), absl::StatusCode::kDataLoss);
  auto report = store_->CheckIntegrity();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problems.size(), 1u);
}

TEST_F(StoreTest, WholeDownloadsCheckEachChunkAgainstItsRecordedCrc) {
  const std::string bytes = TestBytes(2 * kChunkSize + 10, 8);
  ASSERT_TRUE(Put(Doc("x"), bytes).ok());
  auto v = store_->GetVersion(Doc("x"), 1);
  ASSERT_TRUE(v.ok());
  auto content = store_->GetContent(v->sha256);
  ASSERT_TRUE(content.ok());
  ASSERT_EQ(content->chunk_crc32c.size(), 3u);
  EXPECT_EQ(content->chunk_crc32c[1],
            Crc32c(bytes.substr(kChunkSize, kChunkSize)));
  std::string sent;
  ASSERT_TRUE(Download(Doc("x"), &sent).ok());
  EXPECT_EQ(sent, bytes);

  // The middle chunk rewritten with a valid RocksDB checksum: the recorded
  // CRC still refuses it, before any of its bytes are sent.
  std::string damaged = bytes.substr(kChunkSize, kChunkSize);
  damaged[100] ^= 1;
  RewriteChunk(content->chunks[1], damaged);
  sent.clear();
  absl::Status s = Download(Doc("x"), &sent);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("CRC-32C"));
  EXPECT_THAT(s.message(), HasSubstr(ToHex(content->chunks[1])));
  EXPECT_EQ(sent, bytes.substr(0, kChunkSize));
  // A range over it is hashed, as ever.
  sent.clear();
  s = Download(Doc("x"), &sent, kChunkSize + 5, kChunkSize + 50);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("SHA-256"));
  EXPECT_TRUE(sent.empty());
}

TEST_F(StoreTest, ContentsStoredWithoutCrcsAreStillServed) {
  const std::string bytes = TestBytes(kChunkSize + 10, 9);
  ASSERT_TRUE(Put(Doc("old"), bytes, "", {"R4"}, 2025,
                  /*record_crcs=*/false)
                  .ok());
  auto v = store_->GetVersion(Doc("old"), 1);
  ASSERT_TRUE(v.ok());
  auto content = store_->GetContent(v->sha256);
  ASSERT_TRUE(content.ok());
  EXPECT_TRUE(content->chunk_crc32c.empty());
  std::string sent;
  ASSERT_TRUE(Download(Doc("old"), &sent).ok());
  EXPECT_EQ(sent, bytes);
}

TEST_F(StoreTest, ConcurrentUploadsToOneEvidenceGetDistinctVersions) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(
            Put(Doc("busy"), TestBytes(1000 + t, t * 100 + i % 2)).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store_->GetEvidence(Doc("busy"))->version_count, 20);
  ExpectHealthy();
}

// The RocksDB back end enforces a freeze in the store itself: whoever
// calls, nothing under a frozen place changes.
TEST_F(StoreTest, FrozenEvidenceRefusesChangesAndTheFreezeNeverShortens) {
  ASSERT_TRUE(Put(Doc("x"), "one").ok());
  const int64_t later = absl::ToUnixMicros(absl::Now() + absl::Hours(1));
  auto f = store_->Freeze({"330106", "2133010601"}, later, "inspection",
                          {"inspector", ""});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->frozen_versions, 1);
  auto v = Put(Doc("x"), "two");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetDeleted(Doc("x"), true, {"county"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto shorter =
      store_->Freeze({"330106", "2133010601"}, later - 1, "", {"admin", ""});
  EXPECT_EQ(shorter.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetEvidence(Doc("x"))->frozen_until_us, later);
  // Another school of the county is not frozen; a county freeze covers it.
  ASSERT_TRUE(Put(Doc("y", "2133010602"), "free").ok());
  ASSERT_TRUE(store_->Freeze({"330106", ""}, later, "", {"c", ""}).ok());
  EXPECT_EQ(Put(Doc("y", "2133010602"), "no").status().code(),
            absl::StatusCode::kFailedPrecondition);
  Close();
  Open();  // durable
  EXPECT_EQ(store_->GetEvidence(Doc("x"))->frozen_until_us, later);
  EXPECT_EQ(Read(Doc("x"), 1), "one");
  ExpectHealthy();
}

TEST_F(StoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  auto second = OpenRocksArchiveStore(dir_.path() + "/db");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace junheng::archive
