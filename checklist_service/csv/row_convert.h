// Between the CSV contract and the evaluator's types.
//
// The service stores each imported row as its cells (column → text, exactly
// as imported), so a stored row reads back exactly as the county gave it.
// To evaluate, stored cells are turned back into CSV and run through the
// same importer that admitted them, which yields the evaluator's plain
// structs: one parsing path for everything.
#ifndef JUNHENG_CHECKLIST_SERVICE_CSV_ROW_CONVERT_H_
#define JUNHENG_CHECKLIST_SERVICE_CSV_ROW_CONVERT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "checklist_service/store/checklist_store.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/evaluator/stats.h"

namespace junheng::checklist {

// Collects every data row's non-blank cells by header name, keyed by the
// row's first line. Feed it the same bytes as the importer.
class CellCollector final : public csv::CsvSink {
 public:
  void OnRecord(const csv::CsvRecord& record) override;
  void OnError(const csv::CsvError&) override {}
  // The cells of the row starting at `line` (empty if none).
  Cells Take(int64_t line);

 private:
  std::vector<std::string> header_;
  bool have_header_ = false;
  std::map<int64_t, Cells> rows_;
};

// Stored rows as a CSV document (header: the union of their columns).
std::string ToCsv(const std::vector<const Cells*>& rows);

// Parses stored rows back (they were valid when stored; DATA_LOSS if not).
absl::StatusOr<std::vector<SchoolStats>> SchoolsFromCells(
    const std::vector<const Cells*>& rows);
absl::StatusOr<CountyStats> CountyFromCells(const Cells& cells);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_CSV_ROW_CONVERT_H_
