#include "checklist_service/csv/csv_text_check.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace junheng::checklist::csv {
namespace {

using ::testing::HasSubstr;

std::optional<TextProblem> Check(const std::string& bytes, size_t piece) {
  TextCheck check;
  for (size_t at = 0; at < bytes.size() && !check.problem(); at += piece) {
    check.Feed(absl::string_view(bytes).substr(at, piece));
  }
  check.Finish();
  return check.problem();
}

// Every piece size, so that a character, a CRLF or a magic number split
// anywhere between two pieces gives the same answer.
std::optional<TextProblem> CheckAllSplits(const std::string& bytes) {
  std::optional<TextProblem> whole = Check(bytes, bytes.size() + 1);
  for (size_t piece = 1; piece <= 17; ++piece) {
    std::optional<TextProblem> split = Check(bytes, piece);
    EXPECT_EQ(split.has_value(), whole.has_value()) << piece;
    if (split && whole) {
      EXPECT_EQ(split->reason, whole->reason) << piece;
      EXPECT_EQ(split->line, whole->line) << piece;
    }
  }
  return whole;
}

TEST(TextCheckTest, CsvTextPasses) {
  EXPECT_FALSE(CheckAllSplits("").has_value());
  EXPECT_FALSE(CheckAllSplits("a").has_value());
  EXPECT_FALSE(CheckAllSplits("\xEF\xBB\xBF"
                              "county_code,school_name\r\n330106,钱塘小学\r\n"
                              "330106,\"多行\n名称 😀\"\n")
                   .has_value());
}

TEST(TextCheckTest, BinaryFormatsAreNamedFromTheirFirstBytes) {
  struct Case {
    std::string bytes;
    const char* format;
  };
  const std::vector<Case> cases = {
      {std::string("\x89PNG\r\n\x1a\n\0\0", 10), "a PNG image"},
      {"\xFF\xD8\xFF\xDB", "a JPEG image"},
      {"GIF87a...", "a GIF image"},
      {std::string("II*\0\x08\0", 6), "a TIFF image"},
      {std::string("RIFF\x10\0\0\0WEBPVP8 ", 16), "a WebP image"},
      {std::string("BM\x36\x10\0\0\0\0\0\0\x36\0", 12), "a BMP image"},
      {"%PDF-1.4\n", "a PDF document"},
      {std::string("PK\x03\x04\x14\0", 6), "(.xlsx)"},
      {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", "(.xls)"},
      {std::string("\x1F\x8B\x08\0", 4), "gzip"},
      {"BZh91AY&SY", "bzip2"},
      {std::string("\xFD"
                   "7zXZ\0\0",
                   7),
       "xz"},
      {"7z\xBC\xAF\x27\x1C\0\x04", "7-Zip"},
      {"Rar!\x1A\x07\x01\0", "RAR"},
      {std::string("\xFF\xFE\0\0c\0\0\0", 8), "UTF-32"},
      {std::string("\xFF\xFE"
                   "c\0",
                   4),
       "UTF-16"},
      {std::string("\xFE\xFF\0c", 4), "UTF-16"},
  };
  for (const Case& c : cases) {
    std::optional<TextProblem> p = CheckAllSplits(c.bytes + "tail,of,file\n");
    ASSERT_TRUE(p.has_value()) << c.format;
    EXPECT_EQ(p->line, 0);
    EXPECT_THAT(
        p->reason,
        HasSubstr("this is not a CSV file: it starts with the bytes of"));
    EXPECT_THAT(p->reason, HasSubstr(c.format));
    EXPECT_FALSE(p->detail.empty());
  }
  // Text that only resembles a mark is text.
  EXPECT_FALSE(BinaryFormatOf("BM,county_code\n").has_value());
  EXPECT_FALSE(BinaryFormatOf("BZh9 not bzip2").has_value());
  EXPECT_FALSE(BinaryFormatOf("WEBP is not at 8").has_value());
}

TEST(TextCheckTest, TheFirstByteThatIsNotUtf8IsPlaced) {
  // Line 2 starts after a CRLF, line 3 after a lone CR.
  std::optional<TextProblem> p = CheckAllSplits(
      "county_code,school_name\r\n330106,ok\r330106,\xD6\xD0\xD1\xA7\n");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->line, 3);
  EXPECT_EQ(p->reason,
            "this is not UTF-8 text at byte 43 (line 3, character 8)");
  EXPECT_THAT(p->detail, HasSubstr("\\xD6"));
  EXPECT_THAT(p->detail, HasSubstr("GBK"));

  // Characters, not bytes, count on a line.
  p = CheckAllSplits("钱塘,\x80");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason,
            "this is not UTF-8 text at byte 8 (line 1, character 4)");
  EXPECT_THAT(p->detail, HasSubstr("cannot start"));

  for (const std::string& bad :
       {std::string("a\xC0\x80"), std::string("a\xED\xA0\x80"),
        std::string("a\xF4\x90\x80\x80"), std::string("a\xE0\x80\x80"),
        std::string("a\xF8\x88\x80\x80\x80")}) {
    p = CheckAllSplits(bad);
    ASSERT_TRUE(p.has_value()) << bad;
    EXPECT_EQ(p->reason,
              "this is not UTF-8 text at byte 2 (line 1, character 2)");
  }
}

TEST(TextCheckTest, NulBytesAndTruncatedCharacters) {
  std::optional<TextProblem> p = CheckAllSplits(std::string("a,b\nc\0d", 7));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->line, 2);
  EXPECT_THAT(p->reason, HasSubstr("byte 6 (line 2) is a NUL byte"));

  p = CheckAllSplits("a,b\n钱\xE5\xA1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->line, 2);
  EXPECT_THAT(p->reason,
              HasSubstr("ends in the middle of a UTF-8 character (byte 8"));
}

TEST(TextCheckTest, ABinaryFormatOutranksItsInvalidBytes) {
  // FF D8 is invalid UTF-8 at byte 1, but the answer names the format even
  // when the bytes arrive one at a time.
  std::optional<TextProblem> p = Check("\xFF\xD8\xFF\xE0 and more", 1);
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->reason, HasSubstr("JPEG"));
  // A file shorter than the sniffed head is decided at its end.
  p = Check("\xFF\xD8\xFF", 1);
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->reason, HasSubstr("JPEG"));
}

}  // namespace
}  // namespace junheng::checklist::csv
