#include "checklist_service/csv/cell_collector.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace junheng::checklist::csv {

void CellCollector::OnRecord(const CsvRecord& record) {
  if (!have_header_) {
    for (const auto& f : record.fields) {
      header_.push_back(std::string(absl::StripAsciiWhitespace(f)));
    }
    if (!header_.empty() && absl::StartsWith(header_[0], "\xEF\xBB\xBF")) {
      header_[0] = header_[0].substr(3);
    }
    have_header_ = true;
    return;
  }
  RowCells cells;
  for (size_t i = 0; i < record.fields.size() && i < header_.size(); ++i) {
    std::string value(absl::StripAsciiWhitespace(record.fields[i]));
    if (!value.empty() && !header_[i].empty()) cells[header_[i]] = value;
  }
  if (!cells.empty()) rows_[record.line] = std::move(cells);
}

RowCells CellCollector::Take(int64_t line) {
  auto it = rows_.find(line);
  if (it == rows_.end()) return {};
  RowCells out = std::move(it->second);
  rows_.erase(it);
  return out;
}

}  // namespace junheng::checklist::csv
