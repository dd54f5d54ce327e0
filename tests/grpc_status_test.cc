#include "common/grpc_status.h"

#include <random>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace junheng {
namespace {

TEST(GrpcStatusTest, FieldViolationsSurviveTheRoundTrip) {
  absl::Status s =
      InvalidFields("bad upload header",
                    {{"header.parent", "must be counties/{county}"},
                     {"header.sha256", "must be 64 hexadecimal digits"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "bad upload header; header.parent: must be counties/{county}; "
            "header.sha256: must be 64 hexadecimal digits");
  grpc::Status g = ToGrpc(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(g.error_details().empty());
  absl::Status back = FromGrpc(g);
  EXPECT_EQ(back.code(), s.code());
  EXPECT_EQ(back.message(), s.message());
  auto v = FieldViolations(back);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].field, "header.sha256");
}

TEST(GrpcStatusTest, PlainStatusesMapCodeAndMessage) {
  for (auto code : {absl::StatusCode::kNotFound, absl::StatusCode::kDataLoss,
                    absl::StatusCode::kResourceExhausted,
                    absl::StatusCode::kFailedPrecondition}) {
    absl::Status s(code, "why");
    grpc::Status g = ToGrpc(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), static_cast<int>(code));
    EXPECT_EQ(g.error_message(), "why");
    EXPECT_TRUE(g.error_details().empty());
  }
  EXPECT_TRUE(ToGrpc(absl::OkStatus()).ok());
}

TEST(GrpcStatusTest, ManyViolationsStillFitInATrailer) {
  std::vector<FieldViolation> many;
  for (int i = 0; i < 2000; ++i) {
    many.push_back({"csv:" + std::to_string(i + 2) + ":p_students",
                    "must be a whole number of students, not \"abc\""});
  }
  grpc::Status g = ToGrpc(InvalidFields("schools.csv has 2000 errors", many));
  EXPECT_LT(g.error_message().size(), 2100u);
  EXPECT_LT(g.error_details().size(), 6000u);
  auto v = FieldViolations(FromGrpc(g));
  ASSERT_GT(v.size(), 10u);
  EXPECT_EQ(v[0].field, "csv:2:p_students");
  EXPECT_NE(v.back().description.find("more violations not listed"),
            std::string::npos);
}

TEST(GrpcStatusTest, RetryDelayTravelsAsDetails) {
  absl::Status s = absl::ResourceExhaustedError("disk full");
  SetRetryDelay(s, absl::Seconds(30));
  EXPECT_FALSE(ToGrpc(s).error_details().empty());
}

std::string RandomBytes(size_t n, std::mt19937_64& random) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(random());
  return out;
}

// What the status costs in HTTP/2 headers: grpc-message percent-encoded,
// grpc-status-details-bin in base64.
size_t WireBytes(const grpc::Status& s) {
  size_t message = 0;
  for (unsigned char c : s.error_message()) {
    message += (c >= 0x20 && c < 0x7f && c != '%') ? 1 : 3;
  }
  return message + (s.error_details().size() + 2) / 3 * 4;
}

TEST(GrpcStatusTest, AnyViolationsFitAndStayUtf8) {
  std::mt19937_64 random(11);
  for (size_t count : {size_t{1}, size_t{7}, size_t{5000}}) {
    for (size_t size : {size_t{1}, size_t{100}, size_t{1} << 20}) {
      std::vector<FieldViolation> bad;
      for (size_t i = 0; i < count && i < 200; ++i) {
        bad.push_back({RandomBytes(size, random), RandomBytes(size, random)});
      }
      const grpc::Status g =
          ToGrpc(InvalidFields(RandomBytes(size, random), bad));
      EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_TRUE(IsValidUtf8(g.error_message()));
      EXPECT_LE(g.error_message().size(), 512u + 3);
      EXPECT_LT(WireBytes(g), 4608u) << count << " x " << size;
      google::rpc::Status details;
      ASSERT_TRUE(details.ParseFromString(g.error_details()));
      const auto back = FieldViolations(FromGrpc(g));
      ASSERT_FALSE(back.empty());
      for (const auto& v : back) {
        EXPECT_TRUE(IsValidUtf8(v.field));
        EXPECT_TRUE(IsValidUtf8(v.description));
        EXPECT_LE(v.field.size(), 96u + 3);
        EXPECT_LE(v.description.size(), 320u + 3);
      }
    }
  }
}

TEST(GrpcStatusTest, PlainMessagesAndForeignPayloadsAreBoundedToo) {
  std::mt19937_64 random(12);
  absl::Status s(absl::StatusCode::kDataLoss, RandomBytes(1 << 20, random));
  s.SetPayload("type.googleapis.com/x.Big",
               absl::Cord(RandomBytes(1 << 16, random)));
  const grpc::Status g = ToGrpc(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_TRUE(IsValidUtf8(g.error_message()));
  EXPECT_LT(WireBytes(g), 4608u);
  const google::rpc::Status in_stream = ToRpcStatus(s);
  EXPECT_EQ(in_stream.code(), static_cast<int>(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(IsValidUtf8(in_stream.message()));
  EXPECT_LT(in_stream.ByteSizeLong(), 1024u);
}

TEST(GrpcStatusTest, ExcerptCutsAtCharactersAndEscapesStrayBytes) {
  EXPECT_EQ(Excerpt("short", 80), "short");
  EXPECT_EQ(Excerpt("钱塘示范县", 7), "钱塘\u2026");
  EXPECT_EQ(Excerpt("a\xFF" "b", 80), "a\\xFFb");
  EXPECT_EQ(Excerpt("\xE9\x92", 80), "\\xE9\\x92");
  std::mt19937_64 random(13);
  for (int i = 0; i < 200; ++i) {
    const std::string e = Excerpt(RandomBytes(1000, random), 80);
    EXPECT_TRUE(IsValidUtf8(e));
    EXPECT_LE(e.size(), 80u + 3);
  }
}

}  // namespace
}  // namespace junheng
