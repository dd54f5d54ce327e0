// Any bytes imported as schools.csv or counties.csv are bad input, never a
// transport error: random bytes of many sizes, real binary file headers, a
// truncated CSV, a CSV with invalid UTF-8 in one cell, a hostile header and
// a huge number of bad rows each answer INVALID_ARGUMENT with a short,
// valid-UTF-8 message and details that stay far below gRPC's 8 KiB
// metadata limit; nothing is stored and the service keeps serving.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/utf8.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::testing::HasSubstr;

constexpr char kHeader[] =
    "county_code,school_code,school_name,year,school_type,p_students\n";

// What the status costs in HTTP/2 headers: grpc-message percent-encoded
// (3 bytes for each byte outside printable ASCII, and for '%'),
// grpc-status-details-bin in base64.
size_t WireBytes(const grpc::Status& s) {
  size_t message = 0;
  for (unsigned char c : s.error_message()) {
    message += (c >= 0x20 && c < 0x7f && c != '%') ? 1 : 3;
  }
  return message + (s.error_details().size() + 2) / 3 * 4;
}

// The bound promised: about half of gRPC's default 8 KiB.
constexpr size_t kMaxWireBytes = 4608;

class ImportBytesTest : public ::testing::Test {
 protected:
  // The largest status seen, for RELIABILITY.md's figure.
  static size_t largest_;
  static void TearDownTestSuite() {
    std::printf("largest status on the wire: %zu bytes (bound %zu)\n", largest_,
                kMaxWireBytes);
  }

  void SetUp() override {
    checklist_ = std::make_unique<ServerProcess>(
        "junheng-checklist",
        std::vector<std::string>{"--data_dir=" + data_.path(),
                                 std::string("--standards_dir=") +
                                     JUNHENG_SOURCE_DIR + "/standards"});
    ASSERT_TRUE(checklist_->Start().ok()) << checklist_->Stderr();
    stub_ = v1::ChecklistService::NewStub(grpc::CreateChannel(
        checklist_->address(), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Send(bool schools, const std::string& bytes, size_t piece) {
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::ImportResponse response;
    auto writer = schools ? stub_->ImportSchools(&c, &response)
                          : stub_->ImportCounties(&c, &response);
    for (size_t at = 0; at < bytes.size(); at += piece) {
      v1::ImportRequest m;
      m.set_csv_chunk(bytes.substr(at, piece));
      if (!writer->Write(m)) break;  // the server has answered already
    }
    writer->WritesDone();
    return writer->Finish();
  }

  struct Answer {
    std::string message;
    std::vector<FieldViolation> violations;
  };

  // Imports `bytes` as both files and checks the answer is a well-formed
  // INVALID_ARGUMENT; returns the schools.csv answer.
  Answer ExpectBadInput(const std::string& what, const std::string& bytes,
                        size_t piece = 1 << 16) {
    Answer first;
    for (bool schools : {true, false}) {
      SCOPED_TRACE(
          absl::StrCat(what, schools ? " as schools.csv" : " as counties.csv"));
      const grpc::Status g = Send(schools, bytes, piece);
      EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << g.error_message();
      EXPECT_TRUE(IsValidUtf8(g.error_message()));
      EXPECT_LE(g.error_message().size(), 520u);
      EXPECT_LT(WireBytes(g), kMaxWireBytes);
      largest_ = std::max(largest_, WireBytes(g));
      google::rpc::Status details;
      EXPECT_TRUE(details.ParseFromString(g.error_details()));
      absl::Status s = FromGrpc(g);
      std::vector<FieldViolation> violations = FieldViolations(s);
      EXPECT_FALSE(violations.empty());
      for (const FieldViolation& v : violations) {
        EXPECT_TRUE(IsValidUtf8(v.field));
        EXPECT_TRUE(IsValidUtf8(v.description));
        EXPECT_LE(v.field.size(), 100u);
        EXPECT_LE(v.description.size(), 330u);
      }
      if (schools) first = Answer{std::string(s.message()), violations};
    }
    return first;
  }

  void ExpectNothingStoredAndStillServing() {
    // Nothing landed: the first good import is revision 1.
    grpc::ClientContext c;
    v1::ImportResponse response;
    auto writer = stub_->ImportSchools(&c, &response);
    v1::ImportRequest m;
    m.set_csv_chunk(
        absl::StrCat(kHeader, "330199,3301990001,甲小学,2025,primary,100\n"));
    writer->Write(m);
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.revision(), 1);
  }

  TempDir data_;
  std::unique_ptr<ServerProcess> checklist_;
  std::unique_ptr<v1::ChecklistService::Stub> stub_;
};

size_t ImportBytesTest::largest_ = 0;

TEST_F(ImportBytesTest, RandomBytesOfAnySize) {
  uint64_t seed = 1;
  for (int64_t size : {1, 2, 3, 7, 64, 1000, 4096, 65536, 1 << 20, 5 << 20}) {
    for (int k = 0; k < 3; ++k) {
      std::string bytes = TestBytes(size, seed++);
      ExpectBadInput(absl::StrCat(size, " random bytes, seed ", seed - 1),
                     bytes);
    }
  }
  // Random bytes after a valid header: row errors, not a transport error.
  ExpectBadInput("a header, then random bytes",
                 absl::StrCat(kHeader, TestBytes(100000, 99)));
  ExpectNothingStoredAndStillServing();
}

TEST_F(ImportBytesTest, BinaryFilesAreNamed) {
  const std::string tail = TestBytes(20000, 5);
  struct Case {
    std::string head;
    std::string named;
  };
  const std::vector<Case> cases = {
      {std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "a PNG image"},
      {std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11), "a JPEG image"},
      {"GIF89a", "a GIF image"},
      {"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "a PDF document"},
      {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "Excel workbook (.xls)"},
      {std::string("\x1F\x8B\x08\0", 4), "a gzip-compressed file"},
      {std::string("\xFF\xFE"
                   "c\0o\0u\0",
                   8),
       "UTF-16 text"},
  };
  for (const Case& c : cases) {
    // In pieces of 1 byte too: the format is still recognised.
    for (size_t piece : {size_t{1}, size_t{3}, size_t{1} << 16}) {
      Answer s = ExpectBadInput(c.named, c.head + tail.substr(0, 3000), piece);
      EXPECT_THAT(s.message,
                  HasSubstr("this is not a CSV file: it starts with the bytes "
                            "of"))
          << c.named;
      EXPECT_THAT(s.message, HasSubstr(c.named));
      EXPECT_EQ(s.violations.at(0).field, "csv:0:");
    }
  }
  // A zip signature is read as the workbook it claims to be (imports take
  // .xlsx): a damaged one is said to be so, on the bytes' field.
  for (size_t piece : {size_t{1}, size_t{1} << 16}) {
    Answer s = ExpectBadInput(
        "a damaged .xlsx",
        std::string("PK\x03\x04\x14\0\x06\0", 8) + tail.substr(0, 3000),
        piece);
    EXPECT_THAT(s.message, HasSubstr("not an .xlsx workbook"));
    EXPECT_EQ(s.violations.at(0).field, "csv_chunk");
  }
  // A whole file, as a person would send it by mistake.
  ExpectBadInput("a large JPEG",
                 std::string("\xFF\xD8\xFF\xE1") + TestBytes(3 << 20, 6));
  ExpectNothingStoredAndStillServing();
}

TEST_F(ImportBytesTest, TruncatedCsv) {
  std::string csv = kHeader;
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&csv, "330199,", 3301990000 + i,
                    ",\"第一, 实验\"\"小学\"\"\",2025,primary,", 100 + i, "\n");
  }
  // Cut inside a character of 第, inside a quoted field, inside a row.
  const size_t in_char = csv.rfind("第") + 1;
  const size_t in_quotes = csv.rfind("实验") - 2;
  const size_t in_row = csv.rfind("primary") + 3;
  Answer cut_char = ExpectBadInput("cut mid-character", csv.substr(0, in_char));
  EXPECT_THAT(cut_char.message,
              HasSubstr("ends in the middle of a UTF-8 character"));
  EXPECT_EQ(cut_char.violations.at(0).field, "csv:51:");
  ExpectBadInput("cut mid-quote", csv.substr(0, in_quotes));
  ExpectBadInput("cut mid-row", csv.substr(0, in_row));
  ExpectNothingStoredAndStillServing();
}

TEST_F(ImportBytesTest, InvalidUtf8InOneCellNamesItsPlace) {
  // 中学 in GBK, as Excel on Chinese Windows saves "CSV".
  const std::string csv =
      absl::StrCat(kHeader, "330199,3301990001,甲小学,2025,primary,100\n",
                   "330199,3301990002,\xD6\xD0\xD1\xA7,2025,primary,100\n");
  Answer s = ExpectBadInput("GBK in one cell", csv, 5);
  EXPECT_THAT(s.message, HasSubstr("this is not UTF-8 text at byte"));
  auto v = s.violations;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "csv:3:");
  const size_t byte =
      std::string(kHeader).size() +
      std::string("330199,3301990001,甲小学,2025,primary,100\n").size() +
      std::string("330199,3301990002,").size() + 1;
  EXPECT_THAT(
      v[0].description,
      HasSubstr(absl::StrCat("at byte ", byte, " (line 3, character 19)")));
  EXPECT_THAT(v[0].description, HasSubstr("GBK"));
  ExpectNothingStoredAndStillServing();
}

TEST_F(ImportBytesTest, HugeNumbersOfBadRowsAndHostileHeaders) {
  // 100,000 rows, each with a long Chinese cell that is not a number.
  std::string rows = kHeader;
  std::string chinese;
  for (int i = 0; i < 60; ++i) chinese += "很多";
  for (int i = 0; i < 100000; ++i) {
    absl::StrAppend(&rows, "330199,", 3301990000LL + i, ",", chinese,
                    ",2025,primary,", chinese, "\n");
  }
  Answer many = ExpectBadInput("100,000 bad rows", rows);
  EXPECT_THAT(many.message, HasSubstr("100000 errors"));
  EXPECT_THAT(many.violations.back().description, HasSubstr("more"));

  // A header of 4,000 unknown column names of Chinese text.
  std::string header;
  for (int i = 0; i < 4000; ++i) {
    absl::StrAppend(&header, i ? "," : "", chinese, i);
  }
  ExpectBadInput("4,000 unknown columns", header + "\n1\n");
  // A quoted field that never ends, of a megabyte.
  ExpectBadInput("an endless quoted field",
                 absl::StrCat(kHeader, "\"", std::string(1 << 20, 'a')));
  ExpectNothingStoredAndStillServing();
}

}  // namespace
}  // namespace junheng
