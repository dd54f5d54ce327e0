// Where an import's bytes go: the one hook the gRPC Import handler has for
// workbooks.
//
// CSV text goes on to the importer and to the cell collector as before. An
// .xlsx workbook (ImportHeader.format, or, when that is unspecified, the zip
// signature its first bytes carry) goes to a temporary file, already
// unlinked, because a zip is read from its end; Finish() then reads the
// chosen sheet and feeds its rows to the same importer and collector as
// records, so every check and the stored cells are the CSV import's own.
//
// Usage, in the handler:
//   ImportSource<Row> source(&importer, &cells);
//   header:   RETURN_IF_ERROR(source.SetHeader(message.header()));
//   chunk:    RETURN_IF_ERROR(source.Feed(message.csv_chunk()));
//   end:      RETURN_IF_ERROR(source.Finish());   then importer.Finish()
//   errors:   FieldViolation{source.Locate(e), e.reason}
//
// Finish() is INVALID_ARGUMENT for a file that is not a readable workbook,
// a zip bomb or a sheet that cannot be found (with a field violation), and
// RESOURCE_EXHAUSTED when the temporary file cannot be written. Not
// thread-safe; one per import.
#ifndef JUNHENG_CHECKLIST_SERVICE_XLSX_IMPORT_SOURCE_H_
#define JUNHENG_CHECKLIST_SERVICE_XLSX_IMPORT_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/xlsx/workbook.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng::checklist::xlsx {

template <typename Row>
class ImportSource {
 public:
  // Both must outlive the source.
  ImportSource(csv::CsvImporter<Row>* importer, csv::CsvSink* cells,
               WorkbookLimits limits = {});
  ~ImportSource();
  ImportSource(const ImportSource&) = delete;
  ImportSource& operator=(const ImportSource&) = delete;

  absl::Status SetHeader(const v1::ImportHeader& header);
  absl::Status Feed(absl::string_view bytes);
  // Ends the bytes; for a workbook, reads its sheet into the importer.
  absl::Status Finish();

  // A field violation's path for an importer error: csv:LINE:COLUMN, or
  // xlsx:SHEET!CELL:COLUMN (xlsx:学校基本情况!F12:p_students).
  std::string Locate(const csv::ImportError& error) const;
  // What the import read, for messages: "schools.csv" or "sheet 学校基本情况".
  std::string What() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

extern template class ImportSource<SchoolStats>;
extern template class ImportSource<CountyStats>;

}  // namespace junheng::checklist::xlsx

#endif  // JUNHENG_CHECKLIST_SERVICE_XLSX_IMPORT_SOURCE_H_
