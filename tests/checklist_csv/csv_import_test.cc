#include "checklist_service/csv/csv_import.h"

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace junheng::checklist::csv {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

std::string ReadTestdata(absl::string_view name) {
  std::ifstream in(absl::StrCat(JUNHENG_CSV_TESTDATA, "/", name),
                   std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

template <typename Row>
struct Outcome {
  absl::StatusOr<ImportResult<Row>> result;
  std::vector<ImportError> errors;
  int64_t error_count = 0;

  const std::vector<Row>& rows() const { return result->rows; }
  const std::vector<int64_t>& lines() const { return result->lines; }
};

// Feeds `text` in pieces of `piece` bytes (0: all at once).
template <typename Row>
Outcome<Row> Import(absl::string_view text, size_t piece = 0,
                    ImportOptions options = {}) {
  CsvImporter<Row> importer(options);
  if (piece == 0) piece = text.size() + 1;
  for (size_t at = 0; at < text.size(); at += piece) {
    EXPECT_TRUE(importer.Feed(text.substr(at, piece)).ok());
  }
  Outcome<Row> outcome{importer.Finish(), importer.errors(),
                       importer.error_count()};
  return outcome;
}

Outcome<SchoolStats> Schools(absl::string_view text) {
  return Import<SchoolStats>(text);
}
Outcome<CountyStats> Counties(absl::string_view text) {
  return Import<CountyStats>(text);
}

// A one-row schools.csv: a valid primary school with `cells` added or
// replaced ({"year", ""} blanks the year; {"year", nullptr}-like removal is
// done with Without()).
std::string SchoolCsv(std::vector<std::pair<std::string, std::string>> cells) {
  std::vector<std::pair<std::string, std::string>> all = {
      {"county_code", "330106"},     {"school_code", "3301060001"},
      {"school_name", "文一街小学"}, {"year", "2025"},
      {"school_type", "primary"},
  };
  for (auto& [name, value] : cells) {
    bool replaced = false;
    for (auto& [have, old] : all) {
      if (have == name) {
        old = value;
        replaced = true;
      }
    }
    if (!replaced) all.emplace_back(name, value);
  }
  std::vector<std::string> header, row;
  for (auto& [name, value] : all) {
    header.push_back(name);
    row.push_back(value);
  }
  return absl::StrCat(absl::StrJoin(header, ","), "\n", absl::StrJoin(row, ","),
                      "\n");
}

std::string CountyCsv(std::vector<std::pair<std::string, std::string>> cells) {
  std::vector<std::string> header = {"county_code", "county_name", "year"};
  std::vector<std::string> row = {"330106", "西湖区", "2025"};
  for (auto& [name, value] : cells) {
    header.push_back(name);
    row.push_back(value);
  }
  return absl::StrCat(absl::StrJoin(header, ","), "\n", absl::StrJoin(row, ","),
                      "\n");
}

auto Error(int64_t line, absl::string_view column,
           absl::string_view reason_part) {
  return AllOf(
      Field(&ImportError::line, line),
      Field(&ImportError::column, std::string(column)),
      Field(&ImportError::reason, HasSubstr(std::string(reason_part))));
}

// The single error of a one-row file, as "column: reason".
template <typename Row>
std::string OnlyError(const Outcome<Row>& outcome) {
  if (outcome.errors.size() != 1) {
    std::vector<std::string> all;
    for (const ImportError& e : outcome.errors) all.push_back(e.ToString());
    return absl::StrCat("expected one error, got: ", absl::StrJoin(all, " | "));
  }
  return absl::StrCat(outcome.errors[0].column, ": ", outcome.errors[0].reason);
}

constexpr absl::string_view kNoError = "expected one error, got: ";

std::string SchoolError(std::vector<std::pair<std::string, std::string>> c) {
  return OnlyError(Schools(SchoolCsv(std::move(c))));
}
std::string CountyError(std::vector<std::pair<std::string, std::string>> c) {
  return OnlyError(Counties(CountyCsv(std::move(c))));
}

// ------------------------------------------------------------ whole files

TEST(CsvImportTest, EmptyFileIsAnError) {
  auto outcome = Schools("");
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(outcome.errors, ElementsAre(Error(0, "", "file is empty")));
}

TEST(CsvImportTest, OnlyBlankLinesIsEmpty) {
  EXPECT_THAT(Schools("\xEF\xBB\xBF\r\n\r\n").errors,
              ElementsAre(Error(0, "", "file is empty")));
}

TEST(CsvImportTest, HeaderOnlyImportsNothing) {
  auto outcome = Counties("county_code,county_name,year\r\n");
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_THAT(outcome.rows(), IsEmpty());
  EXPECT_THAT(outcome.result->columns,
              ElementsAre("county_code", "county_name", "year"));
}

TEST(CsvImportTest, MinimalRowLeavesEverythingElseUnreported) {
  auto outcome = Schools(SchoolCsv({}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  ASSERT_THAT(outcome.rows(), SizeIs(1));
  const SchoolStats& row = outcome.rows()[0];
  EXPECT_EQ(outcome.lines()[0], 2);
  EXPECT_EQ(row.county_code, "330106");
  EXPECT_EQ(row.school_code, "3301060001");
  EXPECT_EQ(row.school_name, "文一街小学");
  EXPECT_EQ(row.year, 2025);
  EXPECT_EQ(row.type, SchoolType::kPrimary);
  EXPECT_EQ(row.location, std::nullopt);
  EXPECT_EQ(row.primary.students, std::nullopt);
  EXPECT_EQ(row.shared.teaching_area_m2, std::nullopt);
}

TEST(CsvImportTest, BlankIsNotReportedAndZeroIsZero) {
  auto outcome = Schools(SchoolCsv({{"p_students", ""},
                                    {"p_teachers", "0"},
                                    {"teaching_area_m2", "0"},
                                    {"boarding", "   "}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  const SchoolStats& row = outcome.rows()[0];
  EXPECT_EQ(row.primary.students, std::nullopt);
  EXPECT_THAT(row.primary.teachers, Optional(0));
  EXPECT_THAT(row.shared.teaching_area_m2, Optional(0.0));
  EXPECT_EQ(row.boarding, std::nullopt);
}

// Figures are held as doubles and recovered as the decimals they were
// reported as (evaluator/exact.h): that needs at most 15 significant digits.
TEST(CsvImportTest, FiguresHaveAtMostFifteenSignificantDigits) {
  auto ok = Schools(SchoolCsv({{"equipment_value_yuan", "123456789012.345"},
                               {"teaching_area_m2", "0.000000000000001"},
                               {"sports_area_m2", "1200000000000000000000"}}));
  ASSERT_TRUE(ok.result.ok()) << ok.result.status();
  EXPECT_THAT(ok.rows()[0].shared.equipment_value_yuan,
              Optional(123456789012.345));
  auto bad = Schools(SchoolCsv({{"equipment_value_yuan", "1234567890123.456"}}));
  EXPECT_FALSE(bad.result.ok());
  ASSERT_THAT(bad.errors, SizeIs(1));
  EXPECT_EQ(bad.errors[0].column, "equipment_value_yuan");
  EXPECT_THAT(bad.errors[0].reason, HasSubstr("15 significant digits"));
}

// A fund reported only for the two parts is their exact decimal sum, not
// the double sum (0.1 + 0.2 would read 0.30000000000000004).
TEST(CsvImportTest, WholeSchoolSumOfPartsIsTheDecimalSum) {
  auto outcome = Schools(SchoolCsv({{"school_type", "nine_year"},
                                    {"p_public_funds_yuan", "0.1"},
                                    {"j_public_funds_yuan", "0.2"}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_THAT(outcome.rows()[0].public_funds_yuan, Optional(0.3));
}

TEST(CsvImportTest, CellsAreTrimmed) {
  auto outcome =
      Schools(SchoolCsv({{"year", " 2025 "}, {"p_students", "\t300 "}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_EQ(outcome.rows()[0].year, 2025);
  EXPECT_THAT(outcome.rows()[0].primary.students, Optional(300));
}

TEST(CsvImportTest, ColumnOrderIsFree) {
  auto outcome = Schools(
      "school_type,year,school_name,school_code,county_code,p_students\n"
      "primary,2025,某小学,3301060001,330106,12\n");
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_EQ(outcome.rows()[0].school_code, "3301060001");
  EXPECT_THAT(outcome.rows()[0].primary.students, Optional(12));
}

TEST(CsvImportTest, GoodSchoolsFileWithBomAndCrlf) {
  const std::string text = ReadTestdata("schools_good.csv");
  ASSERT_TRUE(absl::StartsWith(text, "\xEF\xBB\xBF"));
  ASSERT_THAT(text, HasSubstr("\r\n"));
  auto outcome = Schools(text);
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  const auto& rows = outcome.rows();
  ASSERT_THAT(rows, SizeIs(7));
  EXPECT_THAT(outcome.result->columns, SizeIs(63));
  EXPECT_EQ(outcome.result->columns[0], "school_name");  // BOM not in it

  EXPECT_EQ(outcome.lines()[0], 2);
  EXPECT_THAT(rows[0].primary.max_class_size, Optional(45));
  EXPECT_THAT(rows[0].has_charter, Optional(true));
  EXPECT_THAT(rows[0].boarding, Optional(false));
  EXPECT_THAT(rows[0].shared.equipment_value_yuan, Optional(2600000.0));

  EXPECT_EQ(rows[1].school_name, "文三路中学, \"东校区\"");
  EXPECT_EQ(rows[1].type, SchoolType::kJunior);
  EXPECT_THAT(rows[1].location, Optional(Location::kTown));
  EXPECT_THAT(rows[1].boarding, Optional(true));  // written TRUE
  EXPECT_THAT(rows[1].junior.students, Optional(900));

  const SchoolStats& nine = rows[2];
  EXPECT_EQ(nine.type, SchoolType::kNineYear);
  EXPECT_THAT(nine.primary.own.teaching_area_m2, Optional(3000.0));
  EXPECT_THAT(nine.junior.training_funds_yuan, Optional(50000.0));
  EXPECT_THAT(nine.junior.own.books, Optional(25000));
  EXPECT_THAT(nine.shared.teaching_area_m2, Optional(6500.0));

  EXPECT_THAT(rows[3].senior_students, Optional(800));

  const SchoolStats& point = rows[4];
  EXPECT_EQ(point.type, SchoolType::kTeachingPoint);
  EXPECT_EQ(point.has_charter, std::nullopt);
  EXPECT_THAT(point.shared.teaching_area_m2, Optional(300.5));
  EXPECT_THAT(point.shared.sports_area_m2, Optional(0.0));
  EXPECT_EQ(point.shared.equipment_value_yuan, std::nullopt);
  EXPECT_EQ(point.primary.backbone_teachers, std::nullopt);

  // A blank line sits before the special school; lines stay physical.
  EXPECT_EQ(outcome.lines()[5], 8);
  EXPECT_EQ(rows[5].type, SchoolType::kSpecial);
  EXPECT_EQ(rows[6].year, 2024);
  EXPECT_EQ(outcome.lines()[6], 9);
}

TEST(CsvImportTest, GoodCountiesFileWithBomAndCrlf) {
  auto outcome = Counties(ReadTestdata("counties_good.csv"));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  const auto& rows = outcome.rows();
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_THAT(outcome.result->columns, SizeIs(21));
  const CountyStats& r = rows[0];
  EXPECT_EQ(r.county_code, "330106");
  EXPECT_EQ(r.county_name, "西湖区");
  EXPECT_EQ(r.year, 2025);
  EXPECT_EQ(r.province_code, "33");
  EXPECT_THAT(r.special_ed_funds_per_student_yuan, Optional(6500.0));
  EXPECT_THAT(r.small_schools_funded_as_100, Optional(true));
  EXPECT_THAT(r.teacher_avg_salary_yuan, Optional(152000.0));
  EXPECT_THAT(r.civil_servant_avg_salary_yuan, Optional(148000.0));
  EXPECT_THAT(r.training_360h_completion_rate, Optional(1.0));
  EXPECT_THAT(r.rotation_eligible_teachers, Optional(820));
  EXPECT_THAT(r.rotated_teachers, Optional(96));
  EXPECT_THAT(r.rotated_backbone_teachers, Optional(21));
  EXPECT_THAT(r.nearby_enrollment_rate_primary, Optional(1.0));
  EXPECT_THAT(r.nearby_enrollment_rate_junior, Optional(0.97));
  EXPECT_THAT(r.quality_high_school_quota_ratio, Optional(0.55));
  EXPECT_THAT(r.migrant_children_public_ratio, Optional(0.9));
  EXPECT_THAT(r.junior_consolidation_rate, Optional(0.985));
  EXPECT_THAT(r.disabled_enrollment_rate, Optional(0.97));
  EXPECT_THAT(r.monitoring_min_level, Optional(3));
  EXPECT_THAT(r.monitoring_interschool_difference, Optional(0.12));
  EXPECT_THAT(r.satisfaction_rate, Optional(0.93));
  EXPECT_EQ(rows[2].satisfaction_rate, std::nullopt);
  EXPECT_EQ(rows[2].province_code, "");
}

// Every two-piece split of the good files, and byte-by-byte feeding, gives
// the same rows as feeding the file whole.
template <typename Row>
void ExpectSplitInvariant(
    const std::string& text,
    std::vector<std::string> (*digest)(const ImportResult<Row>&)) {
  const auto whole = Import<Row>(text);
  ASSERT_TRUE(whole.result.ok()) << whole.result.status();
  const std::vector<std::string> expected = digest(*whole.result);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    CsvImporter<Row> importer;
    ASSERT_TRUE(importer.Feed(absl::string_view(text).substr(0, cut)).ok());
    ASSERT_TRUE(importer.Feed(absl::string_view(text).substr(cut)).ok());
    auto result = importer.Finish();
    ASSERT_TRUE(result.ok()) << "cut at " << cut << ": " << result.status();
    ASSERT_EQ(digest(*result), expected) << "cut at " << cut;
  }
  const auto bytewise = Import<Row>(text, 1);
  ASSERT_TRUE(bytewise.result.ok()) << bytewise.result.status();
  EXPECT_EQ(digest(*bytewise.result), expected);
}

std::vector<std::string> DigestSchools(
    const ImportResult<SchoolStats>& result) {
  std::vector<std::string> out;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const SchoolStats& r = result.rows[i];
    out.push_back(absl::StrCat(
        result.lines[i], " ", r.school_code, " ", r.school_name, " ",
        r.primary.students.value_or(-1), " ", r.junior.students.value_or(-1),
        " ", r.shared.teaching_area_m2.value_or(-1), " ",
        r.primary.own.books.value_or(-1)));
  }
  return out;
}

std::vector<std::string> DigestCounties(
    const ImportResult<CountyStats>& result) {
  std::vector<std::string> out;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const CountyStats& r = result.rows[i];
    out.push_back(absl::StrCat(result.lines[i], " ", r.county_code, " ",
                               r.county_name, " ",
                               r.satisfaction_rate.value_or(-1)));
  }
  return out;
}

TEST(CsvImportTest, SchoolsSplitAtEveryByte) {
  ExpectSplitInvariant<SchoolStats>(ReadTestdata("schools_good.csv"),
                                    &DigestSchools);
}

TEST(CsvImportTest, CountiesSplitAtEveryByte) {
  ExpectSplitInvariant<CountyStats>(ReadTestdata("counties_good.csv"),
                                    &DigestCounties);
}

TEST(CsvImportTest, BadSchoolsFileListsEveryError) {
  const std::string text = ReadTestdata("schools_bad.csv");
  for (size_t piece : {0, 1, 7}) {
    auto outcome = Import<SchoolStats>(text, piece);
    EXPECT_EQ(outcome.result.status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(
        outcome.errors,
        ElementsAre(
            Error(1, "p_studnets", "unknown column; did you mean p_students?"),
            Error(3, "county_code", "expected 6 digits"),
            Error(4, "school_code", "spreadsheet"),
            Error(5, "school_name", "must not be blank"),
            Error(6, "year", "starting year"),
            Error(7, "year", "outside 2000 to 2100"),
            Error(8, "school_type", "expected one of primary, junior"),
            Error(9, "location", "expected one of urban, town, rural"),
            Error(10, "boarding", "expected true or false"),
            Error(11, "p_students", "must not be negative"),
            Error(12, "p_classes", "whole number"),
            Error(13, "teaching_area_m2", "thousands separators"),
            Error(14, "j_students", "no junior part"),
            Error(15, "h_students", "only twelve_year"),
            Error(16, "p_teachers_above_degree",
                  "90 is more than p_teachers (80)"),
            Error(17, "p_max_class_size", "more than all 50 students"),
            Error(18, "p_max_class_size",
                  "20 classes of at most 45 cannot hold 1200"),
            Error(19, "p_classes", "30 classes but only 20 students"),
            Error(20, "training_funds_yuan", "more than the public funds"),
            Error(21, "p_teaching_area_m2", "more than the whole school"),
            Error(22, "school_code",
                  "school_code 3301060101 and year 2025 already appear at "
                  "line 2"),
            Error(23, "", "row has 5 cells but the header has 19"),
            Error(24, "school_name", "at line 24, character 21"),
            Error(26, "county_code", "expected 6 digits"),
            Error(26, "year", "expected a year"),
            Error(27, "p_students", "no primary part")))
        << "piece " << piece;
    EXPECT_EQ(outcome.error_count, 26);
  }
}

TEST(CsvImportTest, BadCountiesFileListsEveryError) {
  auto outcome = Counties(ReadTestdata("counties_bad.csv"));
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      outcome.errors,
      ElementsAre(
          Error(1, "province_code", "appears twice (positions 4 and 12)"),
          Error(3, "province_code", "330106 does not lie in province 32"),
          Error(4, "training_360h_completion_rate", "not 95.3%"),
          Error(5, "training_360h_completion_rate", "from 0 to 1"),
          Error(6, "rotated_teachers",
                "50 is more than rotation_eligible_teachers (40)"),
          Error(7, "rotated_backbone_teachers",
                "20 is more than rotated_teachers (10)"),
          Error(8, "monitoring_min_level", "from 1 to 4"),
          Error(9, "small_schools_funded_as_100", "true or false"),
          Error(10, "teacher_avg_salary_yuan", "expected a number"),
          Error(11, "county_code", "already appear at line 2"),
          Error(12, "county_name", "must not be blank")));
}

TEST(CsvImportTest, StatusMessageSummarisesTheErrors) {
  auto outcome = Counties(ReadTestdata("counties_bad.csv"));
  const std::string message(outcome.result.status().message());
  EXPECT_THAT(message, HasSubstr("counties.csv: 11 errors, nothing imported"));
  EXPECT_THAT(message, HasSubstr("line 3, column province_code: "));
  EXPECT_THAT(message, HasSubstr("; …"));
}

TEST(CsvImportTest, OneBadRowImportsNothing) {
  auto outcome = Schools(
      "county_code,school_code,school_name,year,school_type\n"
      "330106,3301060001,甲,2025,primary\n"
      "330106,3301060002,乙,20x5,primary\n"
      "330106,3301060003,丙,2025,primary\n");
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(outcome.result.status().message(),
              HasSubstr("schools.csv: 1 error, nothing imported: line 3, "
                        "column year: expected a year"));
}

TEST(CsvImportTest, ErrorListIsCapped) {
  std::string text = "county_code,county_name,year\n";
  for (int i = 0; i < 20; ++i) absl::StrAppend(&text, "bad,县,2025\n");
  auto outcome = Import<CountyStats>(text, 0, {.max_errors = 5});
  EXPECT_EQ(outcome.error_count, 20);
  ASSERT_THAT(outcome.errors, SizeIs(6));
  EXPECT_THAT(outcome.errors[4], Error(6, "county_code", "expected 6"));
  EXPECT_THAT(outcome.errors[5], Error(0, "", "and 15 more errors"));
}

TEST(CsvImportTest, FeedAfterFinishAndFinishTwiceFail) {
  CountiesImporter importer;
  ASSERT_TRUE(importer.Feed("county_code,county_name,year\n").ok());
  ASSERT_TRUE(importer.Finish().ok());
  EXPECT_EQ(importer.Feed("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(importer.Finish().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// ------------------------------------------------------------ header

TEST(CsvImportTest, UnknownColumnSuggestsTheNearMiss) {
  EXPECT_EQ(SchoolError({{"p_student", "1"}}),
            "p_student: unknown column; did you mean p_students?");
  EXPECT_EQ(SchoolError({{"School_Code ", "1"}}),
            "School_Code: unknown column; did you mean school_code?");
  EXPECT_EQ(SchoolError({{"students", "1"}}),
            "students: unknown column; did you mean p_students, "
            "j_students or h_students?");
  EXPECT_EQ(SchoolError({{"学校名称", "1"}}), "学校名称: unknown column");
}

TEST(CsvImportTest, DuplicateColumn) {
  auto outcome = Schools(
      "county_code,school_code,school_name,year,school_type,year\n"
      "330106,3301060001,甲,2025,primary,2025\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(1, "year",
                                "appears twice (positions 4 and "
                                "6)")));
}

TEST(CsvImportTest, MissingRequiredColumns) {
  auto outcome = Schools("county_code,school_name,school_type\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(1, "school_code", "required column"),
                          Error(1, "year", "required column")));
}

TEST(CsvImportTest, MissingHeaderIsOneError) {
  auto outcome = Schools("330106,3301060001,甲,2025,primary\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(1, "", "must start with a header row")));
}

TEST(CsvImportTest, MalformedHeader) {
  auto outcome = Schools("county_code,\"school_code\"x\n330106\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(1, "", "after the closing quote"),
                          Error(0, "", "header row is malformed")));
}

TEST(CsvImportTest, UnnamedTrailingColumnsAreFineWhileBlank) {
  auto ok = Schools(
      "county_code,school_code,school_name,year,school_type,,\n"
      "330106,3301060001,甲,2025,primary,,\n");
  EXPECT_TRUE(ok.result.ok()) << ok.result.status();
  auto bad = Schools(
      "county_code,school_code,school_name,year,school_type,,\n"
      "330106,3301060001,甲,2025,primary,,x\n");
  EXPECT_THAT(bad.errors,
              ElementsAre(Error(2, "(column 7)", "without a name")));
}

// ------------------------------------------------------------ rows

TEST(CsvImportTest, ExtraBlankCellsAreTolerated) {
  auto outcome = Schools(
      "county_code,school_code,school_name,year,school_type\n"
      "330106,3301060001,甲,2025,primary,, \n");
  EXPECT_TRUE(outcome.result.ok()) << outcome.result.status();
}

TEST(CsvImportTest, CellCountMismatch) {
  auto outcome = Schools(
      "county_code,school_code,school_name,year,school_type\n"
      "330106,3301060001,甲,乙,2025,primary\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(2, "",
                                "row has 6 cells but the header has "
                                "5; a value containing a comma must "
                                "be quoted")));
}

TEST(CsvImportTest, BlankRowsAreSkipped) {
  auto outcome = Schools(
      "\n"
      "county_code,school_code,school_name,year,school_type\n"
      ",,,,\n"
      "\n"
      "330106,3301060001,甲,2025,primary\n");
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  ASSERT_THAT(outcome.rows(), SizeIs(1));
  EXPECT_EQ(outcome.lines()[0], 5);
}

TEST(CsvImportTest, QuotedNewlineKeepsLaterLineNumbersPhysical) {
  auto outcome = Schools(
      "county_code,school_code,school_name,year,school_type\n"
      "330106,3301060001,\"甲\n乙\",2025,primary\n"
      "330106,3301060002,丙,20x5,primary\n");
  EXPECT_THAT(outcome.errors, ElementsAre(Error(2, "school_name", "line break"),
                                          Error(4, "year", "expected a year")));
}

TEST(CsvImportTest, OverlongRecordIsAnError) {
  const std::string name(200, 'x');
  auto outcome = Import<SchoolStats>(SchoolCsv({{"school_name", name}}), 0,
                                     {.max_record_bytes = 100});
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(2, "school_name", "longer than 100 bytes")));
}

TEST(CsvImportTest, DuplicateSchoolYearNamesBothLines) {
  auto outcome = Schools(
      "county_code,school_code,school_name,year,school_type\n"
      "330106,3301060001,甲,2025,primary\n"
      "330106,3301060001,甲,2024,primary\n"
      "330106,3301060002,乙,2025,primary\n"
      "330106,3301060001,甲,2025,primary\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(5, "school_code",
                                "school_code 3301060001 and year 2025 "
                                "already appear at line 2")));
}

TEST(CsvImportTest, DuplicateCountyYear) {
  auto outcome = Counties(
      "county_code,county_name,year\n"
      "330106,西湖区,2025\n"
      "330106,西湖区,2025\n");
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(3, "county_code", "already appear at line 2")));
}

// ------------------------------------------------------------ cell types

TEST(CsvImportTest, Codes) {
  EXPECT_EQ(SchoolError({{"county_code", "33010"}}),
            "county_code: expected 6 digits, got \"33010\"");
  EXPECT_EQ(SchoolError({{"county_code", "33O106"}}),
            "county_code: expected 6 digits, got \"33O106\"");
  EXPECT_EQ(SchoolError({{"school_code", "33010600011"}}),
            "school_code: expected 10 digits, got \"33010600011\"");
  EXPECT_THAT(SchoolError({{"school_code", "3.30106E+09"}}),
              HasSubstr("format the column as text"));
  EXPECT_EQ(CountyError({{"province_code", "330"}}),
            "province_code: expected 2 digits, got \"330\"");
}

TEST(CsvImportTest, RequiredCellsMustNotBeBlank) {
  for (const char* column :
       {"county_code", "school_code", "school_name", "year", "school_type"}) {
    EXPECT_EQ(SchoolError({{column, ""}}),
              absl::StrCat(column, ": required; must not be blank"));
  }
}

TEST(CsvImportTest, Names) {
  EXPECT_EQ(SchoolError({{"school_name", "\xD1\xA7\xD0\xA3"}}), kNoError);
  EXPECT_EQ(SchoolError({{"school_name", "\xD1\xA7\xD0"}}),
            "school_name: not valid UTF-8; save the file as UTF-8 (GBK and "
            "other encodings are not accepted)");
  EXPECT_THAT(SchoolError({{"school_name", "a\tb"}}),
              HasSubstr("control character"));
}

TEST(CsvImportTest, Years) {
  EXPECT_EQ(SchoolError({{"year", "2025-2026"}}),
            "year: give the school year by its starting year (2025 for "
            "2025-2026), got \"2025-2026\"");
  EXPECT_EQ(SchoolError({{"year", "1999"}}),
            "year: year 1999 is outside 2000 to 2100");
  EXPECT_EQ(SchoolError({{"year", "2101"}}),
            "year: year 2101 is outside 2000 to 2100");
  EXPECT_EQ(SchoolError({{"year", "二〇二五"}}),
            "year: expected a year such as 2025, got \"二〇二五\"");
  EXPECT_EQ(SchoolError({{"year", "2025.0"}}),
            "year: expected a year such as 2025, got \"2025.0\"");
}

TEST(CsvImportTest, Enums) {
  EXPECT_EQ(SchoolError({{"school_type", "high"}}),
            "school_type: expected one of primary, junior, nine_year, "
            "twelve_year, teaching_point, special; got \"high\"");
  EXPECT_EQ(SchoolError({{"location", "乡村"}}),
            "location: expected one of urban, town, rural; got \"乡村\"");
  auto outcome =
      Schools(SchoolCsv({{"school_type", "Nine_Year"}, {"location", "RURAL"}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_EQ(outcome.rows()[0].type, SchoolType::kNineYear);
  EXPECT_THAT(outcome.rows()[0].location, Optional(Location::kRural));
  EXPECT_EQ(SchoolTypeName(SchoolType::kTeachingPoint), "teaching_point");
  EXPECT_EQ(LocationName(Location::kTown), "town");
}

TEST(CsvImportTest, Booleans) {
  EXPECT_EQ(SchoolError({{"boarding", "yes"}}),
            "boarding: expected true or false, got \"yes\"");
  EXPECT_EQ(SchoolError({{"has_charter", "1"}}),
            "has_charter: expected true or false, got \"1\"");
  auto outcome =
      Schools(SchoolCsv({{"boarding", "FALSE"}, {"has_charter", "True"}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_THAT(outcome.rows()[0].boarding, Optional(false));
  EXPECT_THAT(outcome.rows()[0].has_charter, Optional(true));
}

TEST(CsvImportTest, Counts) {
  EXPECT_EQ(SchoolError({{"p_students", "-5"}}),
            "p_students: must not be negative, got \"-5\"");
  EXPECT_EQ(SchoolError({{"p_students", "12.5"}}),
            "p_students: expected a whole number, got \"12.5\"");
  EXPECT_EQ(SchoolError({{"p_students", "12.0"}}),
            "p_students: expected a whole number, got \"12.0\"");
  EXPECT_EQ(SchoolError({{"p_students", "twelve"}}),
            "p_students: expected a number, got \"twelve\"");
  EXPECT_EQ(SchoolError({{"p_students", "99999999999999999999"}}),
            "p_students: number too large: \"99999999999999999999\"");
  EXPECT_EQ(SchoolError({{"music_rooms", "1.5"}}),
            "music_rooms: expected a whole number, got \"1.5\"");
  EXPECT_EQ(CountyError({{"rotated_teachers", "-1"}}),
            "rotated_teachers: must not be negative, got \"-1\"");
}

TEST(CsvImportTest, Amounts) {
  EXPECT_EQ(SchoolError({{"teaching_area_m2", "-1.5"}}),
            "teaching_area_m2: must not be negative, got \"-1.5\"");
  EXPECT_EQ(SchoolError({{"teaching_area_m2", "\"1,200\""}}),
            "teaching_area_m2: expected a number with a dot as decimal "
            "separator and no thousands separators, got \"1,200\"");
  EXPECT_EQ(SchoolError({{"teaching_area_m2", "nan"}}),
            "teaching_area_m2: expected a number, got \"nan\"");
  EXPECT_EQ(SchoolError({{"teaching_area_m2", "inf"}}),
            "teaching_area_m2: expected a number, got \"inf\"");
  EXPECT_EQ(SchoolError({{"equipment_value_yuan", "1e400"}}),
            "equipment_value_yuan: expected a number, got \"1e400\"");
  EXPECT_EQ(SchoolError({{"equipment_value_yuan", "¥100"}}),
            "equipment_value_yuan: expected a number, got \"¥100\"");
  auto outcome = Schools(SchoolCsv({{"equipment_value_yuan", "1.2E+07"},
                                    {"teaching_area_m2", "4500.25"},
                                    {"sports_area_m2", "-0"}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_THAT(outcome.rows()[0].shared.equipment_value_yuan,
              Optional(12000000.0));
  EXPECT_THAT(outcome.rows()[0].shared.teaching_area_m2, Optional(4500.25));
  EXPECT_THAT(outcome.rows()[0].shared.sports_area_m2, Optional(0.0));
}

TEST(CsvImportTest, Fractions) {
  EXPECT_EQ(CountyError({{"satisfaction_rate", "95.3%"}}),
            "satisfaction_rate: write rates as fractions (0.953, not 95.3%), "
            "got \"95.3%\"");
  EXPECT_EQ(CountyError({{"satisfaction_rate", "95.3"}}),
            "satisfaction_rate: a rate is a fraction from 0 to 1 (0.953, not "
            "95.3), got \"95.3\"");
  EXPECT_EQ(CountyError({{"satisfaction_rate", "1.0001"}}),
            "satisfaction_rate: a rate is a fraction from 0 to 1 (0.953, not "
            "95.3), got \"1.0001\"");
  EXPECT_EQ(CountyError({{"junior_consolidation_rate", "-0.1"}}),
            "junior_consolidation_rate: must not be negative, got \"-0.1\"");
  auto outcome = Counties(CountyCsv(
      {{"satisfaction_rate", "0"}, {"disabled_enrollment_rate", "1"}}));
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_THAT(outcome.rows()[0].satisfaction_rate, Optional(0.0));
  EXPECT_THAT(outcome.rows()[0].disabled_enrollment_rate, Optional(1.0));
}

TEST(CsvImportTest, MonitoringLevel) {
  for (const char* bad : {"0", "5", "2.5", "III", "-1"}) {
    EXPECT_EQ(CountyError({{"monitoring_min_level", bad}}),
              absl::StrCat("monitoring_min_level: expected a level from 1 to "
                           "4 (3 for level III), got \"",
                           bad, "\""));
  }
  for (int level = 1; level <= 4; ++level) {
    auto outcome =
        Counties(CountyCsv({{"monitoring_min_level", absl::StrCat(level)}}));
    ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
    EXPECT_THAT(outcome.rows()[0].monitoring_min_level, Optional(level));
  }
}

TEST(CsvImportTest, YearRangeIsAnOption) {
  auto outcome = Import<CountyStats>(CountyCsv({}), 0,
                                     {.min_year = 2026, .max_year = 2030});
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(2, "year", "outside 2026 to 2030")));
}

// ------------------------------------------------------------ cross-field

TEST(CsvImportTest, LevelColumnsMustMatchTheSchoolType) {
  EXPECT_EQ(SchoolError({{"j_students", "100"}}),
            "j_students: a primary school has no junior part; leave the j_ "
            "columns blank");
  EXPECT_EQ(SchoolError({{"school_type", "teaching_point"},
                         {"j_teaching_area_m2", "100"}}),
            "j_teaching_area_m2: a teaching_point school has no junior part; "
            "leave the j_ columns blank");
  EXPECT_EQ(SchoolError({{"school_type", "junior"}, {"p_teachers", "3"}}),
            "p_teachers: a junior school has no primary part; leave the p_ "
            "columns blank");
  EXPECT_EQ(SchoolError({{"school_type", "nine_year"}, {"h_students", "3"}}),
            "h_students: only twelve_year schools have senior-high students");
  EXPECT_EQ(SchoolError({{"h_students", "0"}}),
            "h_students: only twelve_year schools have senior-high students");
  // Blank cells of the other level are fine.
  EXPECT_EQ(SchoolError({{"j_students", ""}, {"h_students", ""}}), kNoError);
  for (const char* type : {"nine_year", "twelve_year", "special"}) {
    auto outcome = Schools(SchoolCsv(
        {{"school_type", type}, {"p_students", "10"}, {"j_students", "10"}}));
    EXPECT_TRUE(outcome.result.ok()) << type << outcome.result.status();
  }
  auto twelve = Schools(
      SchoolCsv({{"school_type", "twelve_year"}, {"h_students", "300"}}));
  ASSERT_TRUE(twelve.result.ok()) << twelve.result.status();
  EXPECT_THAT(twelve.rows()[0].senior_students, Optional(300));
}

TEST(CsvImportTest, TeacherSubsetsCannotOutnumberTeachers) {
  for (const char* subset :
       {"teachers_above_degree", "backbone_teachers", "pe_art_teachers",
        "certified_teachers", "senior_title_teachers"}) {
    EXPECT_EQ(
        SchoolError({{"p_teachers", "10"}, {absl::StrCat("p_", subset), "11"}}),
        absl::StrCat("p_", subset, ": 11 is more than p_teachers (10)"));
    auto equal = Schools(
        SchoolCsv({{"p_teachers", "10"}, {absl::StrCat("p_", subset), "10"}}));
    EXPECT_TRUE(equal.result.ok()) << subset << equal.result.status();
  }
  EXPECT_EQ(SchoolError({{"school_type", "junior"},
                         {"j_teachers", "4"},
                         {"j_certified_teachers", "5"}}),
            "j_certified_teachers: 5 is more than j_teachers (4)");
  // Without a teacher count there is nothing to compare with.
  EXPECT_EQ(SchoolError({{"p_backbone_teachers", "5"}}), kNoError);
}

TEST(CsvImportTest, ClassesAndClassSizes) {
  EXPECT_EQ(SchoolError({{"p_students", "20"}, {"p_classes", "30"}}),
            "p_classes: 30 classes but only 20 students");
  EXPECT_EQ(SchoolError({{"p_students", "20"}, {"p_classes", "0"}}),
            "p_classes: 0 classes for 20 students");
  EXPECT_EQ(SchoolError({{"p_students", "50"}, {"p_max_class_size", "51"}}),
            "p_max_class_size: largest class of 51 is more than all 50 "
            "students");
  EXPECT_EQ(SchoolError({{"p_students", "1201"},
                         {"p_classes", "20"},
                         {"p_max_class_size", "60"}}),
            "p_max_class_size: 20 classes of at most 60 cannot hold 1201 "
            "students");
  // Exactly full is possible.
  auto full = Schools(SchoolCsv({{"p_students", "1200"},
                                 {"p_classes", "20"},
                                 {"p_max_class_size", "60"}}));
  EXPECT_TRUE(full.result.ok()) << full.result.status();
  auto empty = Schools(SchoolCsv(
      {{"p_students", "0"}, {"p_classes", "0"}, {"p_max_class_size", "0"}}));
  EXPECT_TRUE(empty.result.ok()) << empty.result.status();
}

TEST(CsvImportTest, TrainingFundsArePartOfPublicFunds) {
  EXPECT_EQ(SchoolError({{"public_funds_yuan", "100000"},
                         {"training_funds_yuan", "100000.5"}}),
            "training_funds_yuan: 100000.5 is more than the public funds "
            "they are part of (public_funds_yuan 100000)");
  EXPECT_EQ(SchoolError({{"p_public_funds_yuan", "100"},
                         {"p_training_funds_yuan", "200"}}),
            "p_training_funds_yuan: 200 is more than the public funds they "
            "are part of (p_public_funds_yuan 100)");
  auto equal = Schools(SchoolCsv(
      {{"public_funds_yuan", "100000"}, {"training_funds_yuan", "100000"}}));
  EXPECT_TRUE(equal.result.ok()) << equal.result.status();
}

TEST(CsvImportTest, RoomAreaNeedsARoom) {
  EXPECT_EQ(
      SchoolError({{"music_rooms", "0"}, {"music_room_min_area_m2", "96"}}),
      "music_room_min_area_m2: an area is given but music_rooms is 0");
  EXPECT_EQ(SchoolError({{"school_type", "nine_year"},
                         {"j_art_rooms", "0"},
                         {"j_art_room_min_area_m2", "90"}}),
            "j_art_room_min_area_m2: an area is given but j_art_rooms is 0");
}

TEST(CsvImportTest, PartsFitInTheWholeSchool) {
  EXPECT_EQ(SchoolError(
                {{"teaching_area_m2", "6000"}, {"p_teaching_area_m2", "7000"}}),
            "p_teaching_area_m2: 7000 is more than the whole school's "
            "teaching_area_m2 (6000)");
  EXPECT_EQ(SchoolError({{"school_type", "nine_year"},
                         {"books", "1000"},
                         {"p_books", "600"},
                         {"j_books", "500"}}),
            "books: p_books (600) + j_books (500) is more than the whole "
            "school's 1000");
  auto fits = Schools(SchoolCsv({{"school_type", "nine_year"},
                                 {"books", "1100"},
                                 {"p_books", "600"},
                                 {"j_books", "500"},
                                 {"p_music_room_min_area_m2", "120"},
                                 {"music_room_min_area_m2", "96"}}));
  EXPECT_TRUE(fits.result.ok()) << fits.result.status();
  // An override alone, without the whole-school figure, is fine.
  auto alone = Schools(SchoolCsv({{"p_teaching_area_m2", "5000"}}));
  ASSERT_TRUE(alone.result.ok()) << alone.result.status();
  EXPECT_THAT(alone.rows()[0].primary.own.teaching_area_m2, Optional(5000.0));
}

TEST(CsvImportTest, CountyCrossChecks) {
  EXPECT_EQ(CountyError({{"province_code", "32"}}),
            "province_code: county_code 330106 does not lie in province 32");
  EXPECT_EQ(CountyError({{"rotation_eligible_teachers", "40"},
                         {"rotated_teachers", "41"}}),
            "rotated_teachers: 41 is more than rotation_eligible_teachers "
            "(40)");
  EXPECT_EQ(CountyError({{"rotated_teachers", "10"},
                         {"rotated_backbone_teachers", "11"}}),
            "rotated_backbone_teachers: 11 is more than rotated_teachers "
            "(10)");
  auto ok = Counties(CountyCsv({{"province_code", "33"},
                                {"rotation_eligible_teachers", "40"},
                                {"rotated_teachers", "40"},
                                {"rotated_backbone_teachers", "40"}}));
  EXPECT_TRUE(ok.result.ok()) << ok.result.status();
}

TEST(CsvImportTest, ManyErrorsInOneRowAreAllReported) {
  auto outcome = Schools(SchoolCsv({{"county_code", "x"},
                                    {"year", "y"},
                                    {"p_students", "-1"},
                                    {"p_teachers", "5"},
                                    {"p_backbone_teachers", "6"}}));
  EXPECT_THAT(outcome.errors,
              ElementsAre(Error(2, "county_code", ""), Error(2, "year", ""),
                          Error(2, "p_students", ""),
                          Error(2, "p_backbone_teachers", "")));
}

// Garbage must produce errors, never a crash, and the errors must not depend
// on how the stream was cut.
TEST(CsvImportTest, RandomInputIsSplitInvariant) {
  constexpr absl::string_view kAlphabet[] = {
      ",",           "\"",           "\n",
      "\r",          "\r\n",         " ",
      "1",           "0.5",          "-",
      "学",          "\xEF\xBB\xBF", "\xFF",
      "330106",      "3301060001",   "2025",
      "primary",     "nine_year",    "true",
      "p_students",  "j_students",   "school_code",
      "year",        "county_code",  "school_name",
      "school_type", "h_students"};
  std::mt19937 rng(4180);
  for (int round = 0; round < 300; ++round) {
    std::string text = round % 2 == 0
                           ? "county_code,school_code,school_name,year,"
                             "school_type,p_students,j_students\n"
                           : "";
    const int tokens = std::uniform_int_distribution<int>(0, 120)(rng);
    for (int i = 0; i < tokens; ++i) {
      absl::StrAppend(&text, kAlphabet[std::uniform_int_distribution<size_t>(
                                 0, std::size(kAlphabet) - 1)(rng)]);
    }
    const auto whole = Import<SchoolStats>(text);
    const auto pieces = Import<SchoolStats>(
        text, std::uniform_int_distribution<size_t>(1, 9)(rng));
    ASSERT_EQ(whole.result.status(), pieces.result.status()) << text;
    ASSERT_EQ(whole.errors.size(), pieces.errors.size()) << text;
    for (size_t i = 0; i < whole.errors.size(); ++i) {
      ASSERT_EQ(whole.errors[i].ToString(), pieces.errors[i].ToString());
    }
    if (whole.result.ok()) {
      EXPECT_THAT(whole.errors, IsEmpty());
    } else {
      EXPECT_EQ(whole.result.status().code(),
                absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(whole.errors, ::testing::Not(IsEmpty()));
    }
  }
}

}  // namespace
}  // namespace junheng::checklist::csv
