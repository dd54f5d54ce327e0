// The `junheng archive` commands against a real junheng-archive, as a user
// would type them.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::CommandResult;
using ::junheng::testing::ReadFile;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::junheng::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kName[] =
    "counties/330106/schools/2133010601/evidence/r4-floor-area";

class ArchiveCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        "junheng-archive",
        std::vector<std::string>{"--data_dir=" + data_.path()});
    ASSERT_TRUE(server_->Start().ok()) << server_->Stderr();
  }

  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "archive");
    return RunCommand(
        "junheng", args,
        {"JUNHENG_ARCHIVE_ADDR=" + server_->address(), "USER=inspector-li"});
  }

  CommandResult Put(const std::string& file) {
    return Run({"put", file, "--county", "330106", "--school", "2133010601",
                "--evidence", "r4-floor-area", "--indicator", "R4",
                "--indicator", "R5", "--year", "2025", "--title",
                "校舍面积台账"});
  }

  TempDir data_;
  TempDir work_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ArchiveCliTest, PutGetListVersionsDeleteUndelete) {
  const std::string v1 = TestBytes(1500000, 1);
  const std::string v2 = TestBytes(700, 2);
  WriteFile(work_.File("ledger.pdf"), v1);
  WriteFile(work_.File("ledger-v2.pdf"), v2);

  CommandResult put = Put(work_.File("ledger.pdf"));
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_THAT(put.out, HasSubstr(std::string(kName) + "/versions/1"));
  EXPECT_THAT(put.out, HasSubstr("by inspector-li"));
  CommandResult put2 =
      Run({"put", work_.File("ledger-v2.pdf"), "--county", "330106", "--school",
           "2133010601", "--evidence", "r4-floor-area", "--format", "json"});
  ASSERT_EQ(put2.exit_code, 0) << put2.err;
  EXPECT_THAT(put2.out, HasSubstr("\"version\": \"2\""));
  EXPECT_THAT(put2.out, HasSubstr("\"size_bytes\": \"700\""));

  CommandResult ls = Run({"ls", "--county", "330106", "--indicator", "R5"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr(kName));
  EXPECT_THAT(ls.out, HasSubstr("校舍面积台账"));
  EXPECT_THAT(ls.out, HasSubstr("1 evidence document"));
  CommandResult json = Run({"ls", "--format", "json"});
  EXPECT_THAT(json.out, HasSubstr("\"indicator_codes\": ["));

  CommandResult versions = Run({"versions", kName});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_THAT(versions.out, HasSubstr("ledger.pdf"));
  EXPECT_THAT(versions.out, HasSubstr("ledger-v2.pdf"));

  CommandResult get =
      Run({"get", kName, "--version", "1", "-o", work_.File("back.pdf")});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_THAT(get.out, HasSubstr("SHA-256 verified"));
  EXPECT_EQ(ReadFile(work_.File("back.pdf")), v1);
  CommandResult again = Run({"get", kName, "-o", work_.File("back.pdf")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("--force"));
  CommandResult forced =
      Run({"get", kName, "-o", work_.File("back.pdf"), "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ReadFile(work_.File("back.pdf")), v2);

  CommandResult rm = Run({"rm", kName});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_THAT(rm.out, HasSubstr("stay readable"));
  EXPECT_THAT(Run({"ls"}).out, Not(HasSubstr(kName)));
  EXPECT_THAT(Run({"ls", "--deleted"}).out, HasSubstr("(deleted)"));
  CommandResult latest = Run({"get", kName, "-o", work_.File("x")});
  EXPECT_EQ(latest.exit_code, 1);
  EXPECT_THAT(latest.err, HasSubstr("NOT_FOUND"));
  CommandResult undelete = Run({"undelete", kName});
  ASSERT_EQ(undelete.exit_code, 0) << undelete.err;
  EXPECT_THAT(Run({"info", kName}).out, HasSubstr("versions    2"));
}

TEST_F(ArchiveCliTest, ErrorsAreReadableAndExitNonZero) {
  WriteFile(work_.File("a.pdf"), "abc");
  CommandResult bad =
      Run({"put", work_.File("a.pdf"), "--county", "33", "--evidence", "Bad",
           "--indicator", "r4", "--year", "2025"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(bad.err, HasSubstr("  - header.parent:"));
  EXPECT_THAT(bad.err, HasSubstr("  - header.evidence_id:"));
  EXPECT_THAT(bad.err, HasSubstr("  - header.indicator_codes[0]:"));

  CommandResult missing = Run(
      {"put", work_.File("nope.pdf"), "--county", "330106", "--evidence", "x"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nope.pdf"));

  CommandResult unknown =
      Run({"get", "counties/330106/evidence/none", "-o", work_.File("none")});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(ReadFile(work_.File("none")), "");  // nothing left behind

  EXPECT_EQ(Run({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Run({"ls", "--colour", "red"}).exit_code, 2);
  EXPECT_EQ(Run({"put"}).exit_code, 2);

  CommandResult down =
      RunCommand("junheng", {"archive", "ls", "--archive_addr", "127.0.0.1:1"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, HasSubstr("is junheng-archive running?"));
}

}  // namespace
}  // namespace junheng
