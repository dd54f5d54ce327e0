// Importers for schools.csv and counties.csv (shared/domain/data-format.md,
// contract v1).
//
// An importer takes the bytes of one file in pieces of any size, as a gRPC
// client stream delivers them, and checks everything a person would want
// checked before the data is stored: the header (fixed snake_case names in
// any order; unknown or repeated names are errors, with a suggestion for a
// near miss), each cell's type and range, and the rules that tie cells and
// rows together (a pure primary school with junior values, more
// better-qualified teachers than teachers, the same school twice in one
// year, ...). It collects every error rather than stopping at the first, so
// a county fixes its file in one round.
//
// The import is atomic: Finish() returns either every row or, if there is
// any error at all, no row and INVALID_ARGUMENT, with the full list in
// errors(). A blank cell or a column left out of the file is "not reported"
// and stays std::nullopt, which is different from 0.
//
// Usage (a client-streaming handler):
//   SchoolsImporter importer;
//   while (reader->Read(&chunk)) RETURN_IF_ERROR(importer.Feed(chunk.data()));
//   absl::StatusOr<ImportResult<SchoolRow>> result = importer.Finish();
//   if (!result.ok()) {
//     // result.status() is INVALID_ARGUMENT; report importer.errors().
//   }
//
// Memory: the current record (capped, see ImportOptions) plus the parsed rows
// and one key per row; once a file has an error, its remaining rows are
// checked but no longer kept. Not thread-safe; one importer per file.
#ifndef JUNHENG_CHECKLIST_SERVICE_CSV_IMPORT_H_
#define JUNHENG_CHECKLIST_SERVICE_CSV_IMPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace junheng::checklist::csv {

// The CSV spelling of each value is in the comment; SchoolTypeName() and
// LocationName() return it.
enum class SchoolType {
  kPrimary,        // primary 小学
  kJunior,         // junior 初中
  kNineYear,       // nine_year 九年一贯制
  kTwelveYear,     // twelve_year 十二年一贯制
  kTeachingPoint,  // teaching_point 教学点 (a primary-level site)
  kSpecial,        // special 特殊教育学校
};

enum class Location {
  kUrban,  // urban 城区
  kTown,   // town 镇区
  kRural,  // rural 乡村
};

absl::string_view SchoolTypeName(SchoolType type);
absl::string_view LocationName(Location location);

// Resources shared by a whole school. SchoolRow::resources holds the
// unprefixed columns; SchoolLevelRow::resources holds the per-part overrides
// (p_teaching_area_m2, j_books, ...), which take the place of apportioning by
// students for that part.
struct SchoolResources {
  std::optional<double> teaching_area_m2;
  std::optional<double> sports_area_m2;
  std::optional<double> equipment_value_yuan;
  std::optional<int64_t> multimedia_classrooms;
  std::optional<int64_t> computers;
  std::optional<int64_t> books;
  std::optional<int64_t> music_rooms;
  std::optional<int64_t> art_rooms;
  std::optional<double> music_room_min_area_m2;
  std::optional<double> art_room_min_area_m2;
  std::optional<double> public_funds_yuan;
  std::optional<double> training_funds_yuan;
};

// One part of a school: the p_ (primary) or j_ (junior) columns.
struct SchoolLevelRow {
  std::optional<int64_t> students;
  std::optional<int64_t> classes;
  std::optional<int64_t> max_class_size;
  std::optional<int64_t> teachers;
  std::optional<int64_t> teachers_above_degree;
  std::optional<int64_t> backbone_teachers;
  std::optional<int64_t> pe_art_teachers;
  std::optional<int64_t> certified_teachers;
  std::optional<int64_t> senior_title_teachers;
  SchoolResources resources;
};

// One row of schools.csv. In a successful import county_code, school_code,
// school_name, year and school_type are always set; everything else is
// nullopt when not reported.
struct SchoolRow {
  int64_t line = 0;  // physical line in the file, for messages
  std::optional<std::string> county_code;
  std::optional<std::string> school_code;
  std::optional<std::string> school_name;
  std::optional<int> year;
  std::optional<SchoolType> school_type;
  std::optional<Location> location;
  std::optional<bool> boarding;
  std::optional<bool> has_charter;
  SchoolLevelRow primary;             // p_ columns
  SchoolLevelRow junior;              // j_ columns
  std::optional<int64_t> h_students;  // twelve-year schools only
  SchoolResources resources;          // the whole school
};

// One row of counties.csv. In a successful import county_code, county_name
// and year are always set. Rates and shares are fractions in [0, 1].
struct CountyRow {
  int64_t line = 0;
  std::optional<std::string> county_code;
  std::optional<std::string> county_name;
  std::optional<int> year;
  std::optional<std::string> province_code;
  std::optional<double> special_ed_funds_per_student_yuan;
  std::optional<bool> small_schools_funded_as_100;
  std::optional<double> teacher_avg_salary_yuan;
  std::optional<double> civil_servant_avg_salary_yuan;
  std::optional<double> training_360h_completion_rate;
  std::optional<int64_t> rotation_eligible_teachers;
  std::optional<int64_t> rotated_teachers;
  std::optional<int64_t> rotated_backbone_teachers;
  std::optional<double> nearby_enrollment_rate_primary;
  std::optional<double> nearby_enrollment_rate_junior;
  std::optional<double> quality_high_school_quota_ratio;
  std::optional<double> migrant_children_public_ratio;
  std::optional<double> junior_consolidation_rate;
  std::optional<double> disabled_enrollment_rate;
  std::optional<int> monitoring_min_level;  // 1..4
  std::optional<double> monitoring_interschool_difference;
  std::optional<double> satisfaction_rate;
};

struct ImportError {
  // Physical line of the row's start (1-based); 0 when about the whole file.
  int64_t line = 0;
  // The column as named in the contract (or as misspelt in the header);
  // empty when the error concerns the whole row.
  std::string column;
  std::string reason;

  // "line 12, column year: ..." — the form used in status messages.
  std::string ToString() const;
};

template <typename Row>
struct ImportResult {
  std::vector<Row> rows;             // in file order
  std::vector<std::string> columns;  // the header as given, in file order
};

struct ImportOptions {
  // errors() keeps this many, then one final "and N more errors" entry.
  size_t max_errors = 1000;
  // A record with more content than this is an error, never buffered.
  size_t max_record_bytes = size_t{1} << 20;
  // The accepted school years (by starting calendar year).
  int min_year = 2000;
  int max_year = 2100;
};

// Imports one file of Row (SchoolRow for schools.csv, CountyRow for
// counties.csv); use the aliases below.
template <typename Row>
class CsvImporter {
 public:
  explicit CsvImporter(ImportOptions options = {});
  ~CsvImporter();

  CsvImporter(const CsvImporter&) = delete;
  CsvImporter& operator=(const CsvImporter&) = delete;

  // Consumes the next piece of the file. Errors in the data do not fail
  // Feed: they are collected for Finish(), so a streaming caller keeps
  // reading. FAILED_PRECONDITION after Finish().
  absl::Status Feed(absl::string_view bytes);

  // Ends the file. OK: every row, in file order. INVALID_ARGUMENT when the
  // file has any error (an empty file included): no rows; the message gives
  // the count and the first few errors, and errors() lists them all (up to
  // the cap). FAILED_PRECONDITION when called a second time.
  absl::StatusOr<ImportResult<Row>> Finish();

  // The errors found so far, in the order found (roughly file order; a
  // duplicate row is reported at its second occurrence).
  const std::vector<ImportError>& errors() const;
  // Including those beyond the cap.
  int64_t error_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

using SchoolsImporter = CsvImporter<SchoolRow>;
using CountiesImporter = CsvImporter<CountyRow>;

extern template class CsvImporter<SchoolRow>;
extern template class CsvImporter<CountyRow>;

}  // namespace junheng::checklist::csv

#endif  // JUNHENG_CHECKLIST_SERVICE_CSV_IMPORT_H_
