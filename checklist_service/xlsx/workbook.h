// A streaming reader of Excel workbooks (.xlsx: a zip of XML parts, ECMA-376).
//
// The zip is read with libzip from a file (an upload is spooled to a
// temporary file first, because the central directory sits at the end of
// the archive); each part is inflated piece by piece into expat, so a sheet
// of any length is read in memory that does not grow with it. What is kept:
// the sheet list, the shared-string table (capped, see WorkbookLimits), which
// cell styles are dates, and a sheet's merged ranges.
//
// What a cell reads as, for an importer that expects the text a person sees:
//   - numbers in their shortest exact decimal form: 0.953 (Excel stores
//     0.95299999999999996), 2133010601, 1e+20;
//   - numbers styled as dates or times as 2025-09-01 or 2025-09-01 08:30:00
//     (1900 or 1904 date system, as the workbook says);
//   - booleans as true / false; error values as written (#DIV/0!);
//   - shared, inline and formula strings as their text (a formula's cached
//     value; the formula itself is never evaluated); _xHHHH_ escapes decoded;
//   - every cell of a merged range as the value of its top-left cell.
//
// Hostile input is an INVALID_ARGUMENT naming what is wrong, never a crash
// or an unbounded allocation: not a zip, a zip that is no workbook (an .xls,
// an OpenDocument file, a Word file), a part inflating past
// max_part_bytes or past max_ratio times its compressed size (a zip bomb), a
// DTD (entity expansion), malformed XML, too many shared strings or merges,
// a cell past max_columns, an encrypted part.
//
// Usage:
//   ASSIGN_OR_RETURN(std::unique_ptr<Workbook> book, Workbook::OpenFd(fd));
//   for (const SheetInfo& s : book->sheets()) ...
//   RETURN_IF_ERROR(book->ReadSheet(book->sheets()[0], sink));
//
// Not thread-safe; one reader per file.
#ifndef JUNHENG_CHECKLIST_SERVICE_XLSX_WORKBOOK_H_
#define JUNHENG_CHECKLIST_SERVICE_XLSX_WORKBOOK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace junheng::checklist::xlsx {

struct WorkbookLimits {
  // Any one part, inflated. A sheet of 100,000 schools is about 150 MiB.
  int64_t max_part_bytes = int64_t{2} << 30;
  // Inflated / compressed, checked once a part is past ratio_floor_bytes.
  // Real sheets compress 5–30 times, repetitive ones up to about 150;
  // deflate's ceiling, which zip bombs use, is about 1,000.
  double max_ratio = 400;
  int64_t ratio_floor_bytes = int64_t{1} << 20;
  // The shared-string table is held in memory for random access.
  int64_t max_shared_string_bytes = int64_t{128} << 20;
  int64_t max_shared_strings = int64_t{8} << 20;
  int64_t max_merges = 100000;
  // Columns are 0-based; a cell at or past this column is an error. A
  // Junheng table has under 100 columns.
  int max_columns = 1024;
  int64_t max_cell_bytes = int64_t{1} << 20;
};

struct SheetInfo {
  std::string name;  // as the tab shows it
  std::string part;  // the zip entry, e.g. xl/worksheets/sheet1.xml
  bool hidden = false;
};

struct Cell {
  int column = 0;  // 0-based: A is 0
  std::string text;
};

struct Row {
  int64_t number = 0;       // 1-based, as Excel numbers rows
  std::vector<Cell> cells;  // non-empty cells only, by column
};

// Receives a sheet's rows in order. A non-OK return stops the reading, and
// ReadSheet returns that status.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual absl::Status OnRow(const Row& row) = 0;
};

// "A", "Z", "AA", …: the letters of a 0-based column.
std::string ColumnLetters(int column);

class Workbook {
 public:
  // Reads the workbook in the file open at `fd` (which is dup()ed; the
  // caller keeps its own). INVALID_ARGUMENT when it is not a readable .xlsx
  // workbook.
  static absl::StatusOr<std::unique_ptr<Workbook>> OpenFd(
      int fd, WorkbookLimits limits = {});
  static absl::StatusOr<std::unique_ptr<Workbook>> Open(
      const std::string& path, WorkbookLimits limits = {});
  ~Workbook();

  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  // Worksheets in tab order (chart sheets left out).
  const std::vector<SheetInfo>& sheets() const;

  // Streams the rows of `sheet` that have a non-empty cell to `sink`.
  // `max_column`, when not null, receives the largest column holding a value
  // anywhere in the sheet (-1 for none) before the first row is delivered.
  absl::Status ReadSheet(const SheetInfo& sheet, RowSink& sink,
                         int* max_column = nullptr);

  // The same in one pass, without merged ranges (which the sheet lists after
  // its cells): a cheap look at the top of a sheet, e.g. for its header.
  // Stop it early by returning non-OK from the sink.
  absl::Status ReadSheetTop(const SheetInfo& sheet, RowSink& sink);

  struct Impl;  // opaque

 private:
  explicit Workbook(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace junheng::checklist::xlsx

#endif  // JUNHENG_CHECKLIST_SERVICE_XLSX_WORKBOOK_H_
