// The upload pipeline without a socket: pieces of every size, declared size
// and checksum, limits and failing sources, on a real store.
#include "archive_service/upload_pipeline.h"

#include <memory>
#include <string>
#include <vector>

#include "common/grpc_status.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng::archive {
namespace {

using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;

// Hands out `bytes` in pieces of `piece` bytes, then ends with `end`.
class VectorSource : public UploadSource {
 public:
  VectorSource(std::string bytes, size_t piece, absl::Status end = {})
      : bytes_(std::move(bytes)), piece_(piece), end_(std::move(end)) {}
  bool Next(std::string* out) override {
    if (at_ >= bytes_.size()) return false;
    *out = bytes_.substr(at_, piece_);
    at_ += out->size();
    return true;
  }
  absl::Status Finish() override { return end_; }

 private:
  std::string bytes_;
  size_t piece_;
  size_t at_ = 0;
  absl::Status end_;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenRocksArchiveStore(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  UploadSpec Spec(std::string id) {
    UploadSpec spec;
    spec.commit.name = {{"330106", "2133010601"}, std::move(id)};
    spec.commit.metadata = {"t", {"R4"}, 2025};
    spec.max_file_bytes = 64 << 20;
    return spec;
  }

  std::string ReadBack(const CommitResult& r) {
    auto content = store_->GetContent(r.version.sha256);
    EXPECT_TRUE(content.ok());
    std::string out;
    for (const auto& d : content->chunks) out += *store_->ReadChunk(d);
    return out;
  }

  void ExpectNothingStored() {
    auto report = store_->CheckIntegrity();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->chunks, 0);
    EXPECT_EQ(report->versions, 0);
    EXPECT_TRUE(report->problems.empty());
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> store_;
};

TEST_F(PipelineTest, AnyPieceSizeGivesTheSameBytes) {
  const std::string bytes = TestBytes(3 * kChunkSize + 17, 1);
  int n = 0;
  for (size_t piece : {size_t{1} << 20, size_t{1000}, size_t{3} << 20,
                       size_t{kChunkSize + 1}, size_t{4} << 20}) {
    VectorSource source(bytes, piece);
    auto r = RunUpload(*store_, Spec("doc" + std::to_string(n++)), source);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->version.size_bytes, static_cast<int64_t>(bytes.size()));
    EXPECT_EQ(r->version.sha256, Sha256::Of(bytes));
    EXPECT_EQ(ReadBack(*r), bytes);
  }
}

TEST_F(PipelineTest, EdgeSizes) {
  for (int64_t size : {int64_t{0}, int64_t{1}, kChunkSize - 1, kChunkSize,
                       kChunkSize + 1, 2 * kChunkSize}) {
    const std::string bytes = TestBytes(size, static_cast<uint64_t>(size));
    VectorSource source(bytes, 64 << 10);
    auto r = RunUpload(*store_, Spec("s" + std::to_string(size)), source);
    ASSERT_TRUE(r.ok()) << size << ": " << r.status();
    EXPECT_EQ(ReadBack(*r), bytes) << size;
  }
}

TEST_F(PipelineTest, DeclaredSizeAndChecksumAreEnforced) {
  const std::string bytes = TestBytes(kChunkSize + 5, 2);
  {
    UploadSpec spec = Spec("short");
    spec.expected_size = bytes.size() + 1;
    VectorSource source(bytes, 1 << 20);
    auto r = RunUpload(*store_, spec, source);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldViolations(r.status())[0].field, "header.size_bytes");
  }
  {
    UploadSpec spec = Spec("long");
    spec.expected_size = bytes.size() - 1;
    VectorSource source(bytes, 1 << 20);
    auto r = RunUpload(*store_, spec, source);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldViolations(r.status())[0].field, "header.size_bytes");
  }
  {
    UploadSpec spec = Spec("sum");
    spec.expected_sha256 = Sha256::Of("something else");
    VectorSource source(bytes, 1 << 20);
    auto r = RunUpload(*store_, spec, source);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldViolations(r.status())[0].field, "header.sha256");
  }
  ExpectNothingStored();
  UploadSpec spec = Spec("ok");
  spec.expected_size = bytes.size();
  spec.expected_sha256 = Sha256::Of(bytes);
  VectorSource source(bytes, 1 << 20);
  EXPECT_TRUE(RunUpload(*store_, spec, source).ok());
}

TEST_F(PipelineTest, TooLargeStopsEarly) {
  UploadSpec spec = Spec("big");
  spec.max_file_bytes = 2 * kChunkSize;
  VectorSource source(TestBytes(2 * kChunkSize + 1, 3), 1 << 20);
  auto r = RunUpload(*store_, spec, source);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  ExpectNothingStored();
  // Exactly at the limit is fine.
  VectorSource exact(TestBytes(2 * kChunkSize, 3), 1 << 20);
  EXPECT_TRUE(RunUpload(*store_, spec, exact).ok());
}

TEST_F(PipelineTest, FailingSourceCommitsNothing) {
  VectorSource source(TestBytes(5 * kChunkSize, 4), 1 << 20,
                      absl::CancelledError("client went away"));
  auto r = RunUpload(*store_, Spec("cancelled"), source);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  ExpectNothingStored();
}

}  // namespace
}  // namespace junheng::archive
