#include "checklist_service/csv/csv_reader.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace junheng::checklist::csv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Records as "line:[f1|f2]" and errors as "E line:column record/field",
// so whole transcripts compare with one EXPECT.
class Transcript : public CsvSink {
 public:
  void OnRecord(const CsvRecord& record) override {
    events.push_back(absl::StrCat(record.line, ":[",
                                  absl::StrJoin(record.fields, "|"), "]"));
  }
  void OnError(const CsvError& error) override {
    events.push_back(absl::StrCat("E ", error.line, ":", error.column, " ",
                                  error.record_line, "/", error.field));
    reasons.push_back(error.reason);
  }
  std::vector<std::string> events;
  std::vector<std::string> reasons;
};

std::vector<std::string> Read(absl::string_view input,
                              CsvReaderOptions options = {}) {
  Transcript sink;
  CsvReader reader(&sink, options);
  reader.Feed(input);
  reader.Finish();
  return sink.events;
}

std::vector<std::string> ReadInPieces(absl::string_view input,
                                      const std::vector<size_t>& cuts,
                                      CsvReaderOptions options = {}) {
  Transcript sink;
  CsvReader reader(&sink, options);
  size_t from = 0;
  for (size_t cut : cuts) {
    reader.Feed(input.substr(from, cut - from));
    from = cut;
  }
  reader.Feed(input.substr(from));
  reader.Finish();
  return sink.events;
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  EXPECT_THAT(Read(""), IsEmpty());
}

TEST(CsvReaderTest, OnlyAByteOrderMarkHasNoRecords) {
  EXPECT_THAT(Read("\xEF\xBB\xBF"), IsEmpty());
}

TEST(CsvReaderTest, LfRecords) {
  EXPECT_THAT(Read("a,b\nc,d\n"), ElementsAre("1:[a|b]", "2:[c|d]"));
}

TEST(CsvReaderTest, CrlfRecords) {
  EXPECT_THAT(Read("a,b\r\nc,d\r\n"), ElementsAre("1:[a|b]", "2:[c|d]"));
}

TEST(CsvReaderTest, LoneCrEndsARecord) {
  EXPECT_THAT(Read("a\rb\r"), ElementsAre("1:[a]", "2:[b]"));
}

TEST(CsvReaderTest, LastRecordWithoutLineBreak) {
  EXPECT_THAT(Read("a,b\nc,d"), ElementsAre("1:[a|b]", "2:[c|d]"));
}

TEST(CsvReaderTest, TrailingCommaIsAnEmptyLastField) {
  EXPECT_THAT(Read("a,\n,\n"), ElementsAre("1:[a|]", "2:[|]"));
}

TEST(CsvReaderTest, BlankLineIsOneEmptyField) {
  EXPECT_THAT(Read("a\n\r\n\nb"),
              ElementsAre("1:[a]", "2:[]", "3:[]", "4:[b]"));
}

TEST(CsvReaderTest, ByteOrderMarkIsDropped) {
  EXPECT_THAT(Read("\xEF\xBB\xBFid,x\r\n1,2\r\n"),
              ElementsAre("1:[id|x]", "2:[1|2]"));
}

TEST(CsvReaderTest, ByteOrderMarkLaterIsContent) {
  EXPECT_THAT(Read("a\n\xEF\xBB\xBF"
                   "b\n"),
              ElementsAre("1:[a]",
                          "2:[\xEF\xBB\xBF"
                          "b]"));
}

TEST(CsvReaderTest, PartialByteOrderMarkIsContent) {
  EXPECT_THAT(Read("\xEF\xBB"
                   "x\n"),
              ElementsAre("1:[\xEF\xBB"
                          "x]"));
  EXPECT_THAT(Read("\xEF"), ElementsAre("1:[\xEF]"));
}

TEST(CsvReaderTest, QuotedFieldKeepsCommasQuotesAndLineBreaks) {
  EXPECT_THAT(Read("\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\nnext\n"),
              ElementsAre("1:[a,b|say \"hi\"|x\ny]", "3:[next]"));
}

TEST(CsvReaderTest, QuotedCrlfIsKeptAndCountsAsOneLine) {
  EXPECT_THAT(Read("\"x\r\ny\",z\r\nnext\r\n"),
              ElementsAre("1:[x\r\ny|z]", "3:[next]"));
}

TEST(CsvReaderTest, EmptyQuotedField) {
  EXPECT_THAT(Read("\"\",\"\"\n"), ElementsAre("1:[|]"));
}

TEST(CsvReaderTest, QuotedLastFieldAtEndOfInput) {
  EXPECT_THAT(Read("a,\"b\""), ElementsAre("1:[a|b]"));
}

TEST(CsvReaderTest, QuoteInUnquotedFieldIsReportedAndLineSkipped) {
  Transcript sink;
  CsvReader reader(&sink);
  reader.Feed("ok\nab\"c,\"d\nnext\n");
  reader.Finish();
  EXPECT_THAT(sink.events, ElementsAre("1:[ok]", "E 2:3 2/0", "3:[next]"));
  EXPECT_THAT(sink.reasons[0], HasSubstr("inside an unquoted field"));
}

TEST(CsvReaderTest, CharacterAfterClosingQuoteIsReported) {
  Transcript sink;
  CsvReader reader(&sink);
  reader.Feed("x,\"ab\"c\nnext\n");
  reader.Finish();
  EXPECT_THAT(sink.events, ElementsAre("E 1:7 1/1", "2:[next]"));
  EXPECT_THAT(sink.reasons[0], HasSubstr("after the closing quote"));
}

TEST(CsvReaderTest, ColumnCountsCharactersNotBytes) {
  // 学 and 校 are three bytes each; the quote is the 5th character.
  EXPECT_THAT(Read("学校,a\"b\n"), ElementsAre("E 1:5 1/1"));
}

TEST(CsvReaderTest, UnterminatedQuoteIsReportedAtItsStart) {
  Transcript sink;
  CsvReader reader(&sink);
  reader.Feed("a\nb,\"never\nclosed\n");
  reader.Finish();
  EXPECT_THAT(sink.events, ElementsAre("1:[a]", "E 2:3 2/1"));
  EXPECT_THAT(sink.reasons[0], HasSubstr("opened at line 2, character 3"));
}

TEST(CsvReaderTest, OverlongRecordIsDroppedAndReadingResumes) {
  Transcript sink;
  CsvReader reader(&sink, {.max_record_bytes = 8});
  reader.Feed("12345678\n\"123\n456789\",x\nok\n");
  reader.Finish();
  // The second record spans two lines; the reader still finds its end.
  EXPECT_THAT(sink.events, ElementsAre("1:[12345678]", "E 3:5 2/0", "4:[ok]"));
  EXPECT_THAT(sink.reasons[0], HasSubstr("longer than 8 bytes"));
}

TEST(CsvReaderTest, TooManyFieldsIsDropped) {
  Transcript sink;
  CsvReader reader(&sink, {.max_fields = 3});
  reader.Feed("a,b,c\na,b,c,d,e\nz\n");
  reader.Finish();
  EXPECT_THAT(sink.events, ElementsAre("1:[a|b|c]", "E 2:8 2/3", "3:[z]"));
  EXPECT_THAT(sink.reasons[0], HasSubstr("more than 3 fields"));
}

TEST(CsvReaderTest, ManyErrorsAreAllReported) {
  EXPECT_THAT(Read("a\"\nb\"\n\"c\"d\nok\n"),
              ElementsAre("E 1:2 1/0", "E 2:2 2/0", "E 3:4 3/0", "4:[ok]"));
}

// The transcript must not depend on where the stream was cut.
constexpr absl::string_view kTricky =
    "\xEF\xBB\xBF"
    "id,name,note\r\n"
    "1,\"a,b\",\"line\r\nbreak\"\r\n"
    "2,\"say \"\"hi\"\"\",\r\n"
    "\r\n"
    "3,学校,\"x\"y\r\n"
    "4,bad\"q,z\n"
    "5,\"\",last\r"
    "6,\"open\n";

TEST(CsvReaderTest, EveryTwoPieceSplitGivesTheSameTranscript) {
  const std::vector<std::string> whole = Read(kTricky);
  ASSERT_THAT(whole, SizeIs(8));
  for (size_t cut = 0; cut <= kTricky.size(); ++cut) {
    EXPECT_EQ(ReadInPieces(kTricky, {cut}), whole) << "cut at " << cut;
  }
}

TEST(CsvReaderTest, EveryThreePieceSplitGivesTheSameTranscript) {
  const std::vector<std::string> whole = Read(kTricky);
  for (size_t a = 0; a <= kTricky.size(); ++a) {
    for (size_t b = a; b <= kTricky.size(); ++b) {
      ASSERT_EQ(ReadInPieces(kTricky, {a, b}), whole)
          << "cuts at " << a << " and " << b;
    }
  }
}

TEST(CsvReaderTest, ByteByByteGivesTheSameTranscript) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kTricky.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(ReadInPieces(kTricky, cuts), Read(kTricky));
}

TEST(CsvReaderTest, RandomPiecesGiveTheSameTranscript) {
  std::mt19937 rng(20250901);
  std::string big;
  for (int i = 0; i < 200; ++i)
    absl::StrAppend(&big, kTricky.substr(3));  // no inner BOMs
  const std::vector<std::string> whole = Read(big);
  for (int round = 0; round < 50; ++round) {
    std::vector<size_t> cuts;
    size_t at = 0;
    while (true) {
      at += std::uniform_int_distribution<size_t>(0, 64)(rng);
      if (at >= big.size()) break;
      cuts.push_back(at);
    }
    ASSERT_EQ(ReadInPieces(big, cuts), whole) << "round " << round;
  }
}

TEST(CsvReaderTest, TrickyTranscript) {
  EXPECT_THAT(Read(kTricky),
              ElementsAre("1:[id|name|note]", "2:[1|a,b|line\r\nbreak]",
                          "4:[2|say \"hi\"|]", "5:[]", "E 6:9 6/2", "E 7:6 7/1",
                          "8:[5||last]", "E 9:3 9/1"));
}

}  // namespace
}  // namespace junheng::checklist::csv
