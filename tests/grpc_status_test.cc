#include "common/grpc_status.h"

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

}  // namespace
}  // namespace junheng
