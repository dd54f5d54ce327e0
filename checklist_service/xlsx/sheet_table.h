// One sheet of a workbook read as one file of the data contract: the rows
// become the records a CSV file would have given, for the same importer, so
// every check is the CSV import's own; errors are then put back on the
// sheet's cells (学校基本情况!F12).
//
// How a sheet is read:
//   - rows above the header (a title, a note, a merged banner) are skipped:
//     the header is the first row holding a column name or title (see
//     column_titles.h); if none of the first 20 non-blank rows has one, the
//     first is taken, and the importer says what it expected;
//   - the row under the header is part of it when every value in it is a
//     name or title too: the template's contract names under its Chinese
//     titles, or sub-titles under merged group cells (小学部 / 在校生数);
//     a contract name wins over a title in the same column;
//   - every other row is a data row; rows with no value are skipped (a
//     formatted but empty tail of the sheet).
#ifndef JUNHENG_CHECKLIST_SERVICE_XLSX_SHEET_TABLE_H_
#define JUNHENG_CHECKLIST_SERVICE_XLSX_SHEET_TABLE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/xlsx/column_titles.h"
#include "checklist_service/xlsx/workbook.h"

namespace junheng::checklist::xlsx {

class SheetTable final : public RowSink {
 public:
  using Out = std::function<void(const csv::CsvRecord&)>;
  // `width`: the sheet's columns (its rightmost value's column + 1); every
  // record has that many fields. Each record goes to `out`, whose line is
  // the sheet's row number.
  SheetTable(Table table, std::string sheet, int width, Out out);

  absl::Status OnRow(const Row& row) override;
  // Delivers a header still held back. Call once, after the last row.
  void Finish();

  // Where an importer error is on the sheet: 学校基本情况!F12 for a cell,
  // 学校基本情况!12:12 for a row, 学校基本情况 for the whole sheet.
  std::string Locate(const csv::ImportError& error) const;

 private:
  void EmitHeader(const Row& top, const Row* second);
  void EmitData(const Row& row);
  bool IsSubHeader(const Row& top, const Row& next) const;

  const Table table_;
  const std::string sheet_;
  const int width_;
  const Out out_;

  enum class State { kSeeking, kPending, kData };
  State state_ = State::kSeeking;
  int seeking_rows_ = 0;
  std::optional<Row> first_row_;     // the first non-blank row, while seeking
  std::optional<Row> pending_;       // the header, until the next row is seen
  std::vector<std::string> header_;  // by column, as fed to the importer
};

// The sheet that holds `table`: the one named `requested` if given; else
// one named for the table (学校基本情况 or schools, 县级指标 or counties);
// else the first whose top rows carry column names only this table has;
// else the only sheet. INVALID_ARGUMENT (field header.sheet) otherwise.
absl::StatusOr<SheetInfo> ChooseSheet(Workbook& book, Table table,
                                      const std::string& requested);

// 'My sheet' quoted as Excel quotes sheet names in references.
std::string SheetRef(const std::string& sheet);

}  // namespace junheng::checklist::xlsx

#endif  // JUNHENG_CHECKLIST_SERVICE_XLSX_SHEET_TABLE_H_
