// The cells of an imported file, kept as given.
//
// The service stores each imported row as its cells (column → text, exactly
// as imported), so a stored row reads back exactly as the county gave it;
// CsvImporter<Row>::FromCells turns stored cells back into the evaluator's
// types by the same rules.
#ifndef JUNHENG_CHECKLIST_SERVICE_CSV_CELL_COLLECTOR_H_
#define JUNHENG_CHECKLIST_SERVICE_CSV_CELL_COLLECTOR_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checklist_service/csv/csv_reader.h"

namespace junheng::checklist::csv {

// A row's non-blank cells by contract column.
using RowCells = std::map<std::string, std::string>;

// Collects every data row's non-blank cells by header name, keyed by the
// row's first line. Feed it the same bytes as the importer.
class CellCollector final : public CsvSink {
 public:
  void OnRecord(const CsvRecord& record) override;
  void OnError(const CsvError&) override {}
  // The cells of the row starting at `line` (empty if none).
  RowCells Take(int64_t line);

 private:
  std::vector<std::string> header_;
  bool have_header_ = false;
  std::map<int64_t, RowCells> rows_;
};

}  // namespace junheng::checklist::csv

#endif  // JUNHENG_CHECKLIST_SERVICE_CSV_CELL_COLLECTOR_H_
