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
// and stays std::nullopt, which is different from 0. The one figure an
// import derives is a school's whole-school room count or fund reported only
// for its two parts (see SchoolStats).
//
// Usage (a client-streaming handler):
//   SchoolsImporter importer;
//   while (reader->Read(&chunk)) RETURN_IF_ERROR(importer.Feed(chunk.data()));
//   absl::StatusOr<ImportResult<SchoolStats>> result = importer.Finish();
//   if (!result.ok()) {
//     // result.status() is INVALID_ARGUMENT; report importer.errors().
//   }
//
// Memory: the current record (capped, see ImportOptions) plus the parsed rows
// and one key per row; once a file has an error, its remaining rows are
// checked but no longer kept. Not thread-safe; one importer per file.
#ifndef JUNHENG_CHECKLIST_SERVICE_CSV_CSV_IMPORT_H_
#define JUNHENG_CHECKLIST_SERVICE_CSV_CSV_IMPORT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/evaluator/stats.h"

namespace junheng::checklist::csv {

// Rows are the evaluator's types (stats.h): SchoolStats for schools.csv,
// CountyStats for counties.csv. In a successful import their county_code,
// school_code, school_name, year and type (CountyStats: county_code,
// county_name, year) always come from the file; everything else is nullopt
// (province_code: empty) when not reported.

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
  std::vector<Row> rows;  // in file order
  // lines[i]: the physical line rows[i] starts on, for messages.
  std::vector<int64_t> lines;
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

// Imports one file of Row (SchoolStats for schools.csv, CountyStats for
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

  // Consumes one record already split into cells by a source that is not
  // CSV text (a spreadsheet's row: checklist_service/xlsx/), with the same
  // checks as a record read from text; errors name record.line. The first
  // non-blank record is the header. Not to be mixed with Feed().
  // FAILED_PRECONDITION after Finish().
  absl::Status FeedRecord(const CsvRecord& record);

  // Ends the file. OK: every row, in file order. INVALID_ARGUMENT when the
  // file has any error (an empty file included): no rows; the message gives
  // the count and the first few errors, and errors() lists them all (up to
  // the cap). FAILED_PRECONDITION when called a second time.
  absl::StatusOr<ImportResult<Row>> Finish();

  // One stored row (its non-blank cells by contract column, as imported)
  // straight into the evaluator's type, by the same rules as a file.
  // DATA_LOSS if it no longer passes them.
  static absl::StatusOr<Row> FromCells(
      const std::map<std::string, std::string>& cells);

  // The errors found so far, in the order found (roughly file order; a
  // duplicate row is reported at its second occurrence).
  const std::vector<ImportError>& errors() const;
  // Including those beyond the cap.
  int64_t error_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The contract's column names for Row's file, in the contract's order: for
// templates and spreadsheet headers.
template <typename Row>
std::vector<std::string> ColumnNames();
template <>
std::vector<std::string> ColumnNames<SchoolStats>();
template <>
std::vector<std::string> ColumnNames<CountyStats>();

using SchoolsImporter = CsvImporter<SchoolStats>;
using CountiesImporter = CsvImporter<CountyStats>;

extern template class CsvImporter<SchoolStats>;
extern template class CsvImporter<CountyStats>;

}  // namespace junheng::checklist::csv

#endif  // JUNHENG_CHECKLIST_SERVICE_CSV_CSV_IMPORT_H_
