#include "checklist_service/csv/row_convert.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace junheng::checklist {
namespace {

std::string Quote(const std::string& cell) {
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void CellCollector::OnRecord(const csv::CsvRecord& record) {
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
  Cells cells;
  for (size_t i = 0; i < record.fields.size() && i < header_.size(); ++i) {
    std::string value(absl::StripAsciiWhitespace(record.fields[i]));
    if (!value.empty() && !header_[i].empty()) cells[header_[i]] = value;
  }
  if (!cells.empty()) rows_[record.line] = std::move(cells);
}

Cells CellCollector::Take(int64_t line) {
  auto it = rows_.find(line);
  if (it == rows_.end()) return {};
  Cells out = std::move(it->second);
  rows_.erase(it);
  return out;
}

std::string ToCsv(const std::vector<const Cells*>& rows) {
  std::set<std::string> columns;
  for (const Cells* r : rows) {
    for (const auto& [k, v] : *r) columns.insert(k);
  }
  std::string out = absl::StrJoin(columns, ",") + "\n";
  for (const Cells* r : rows) {
    bool first = true;
    for (const std::string& c : columns) {
      if (!first) out += ',';
      first = false;
      auto it = r->find(c);
      if (it != r->end()) out += Quote(it->second);
    }
    out += '\n';
  }
  return out;
}

absl::StatusOr<std::vector<SchoolStats>> SchoolsFromCells(
    const std::vector<const Cells*>& rows) {
  if (rows.empty()) return std::vector<SchoolStats>();
  csv::SchoolsImporter importer;
  (void)importer.Feed(ToCsv(rows));
  auto result = importer.Finish();
  if (!result.ok()) {
    return absl::DataLossError(absl::StrCat(
        "stored school rows no longer parse: ", result.status().message()));
  }
  return std::move(result->rows);
}

absl::StatusOr<CountyStats> CountyFromCells(const Cells& cells) {
  csv::CountiesImporter importer;
  (void)importer.Feed(ToCsv({&cells}));
  auto result = importer.Finish();
  if (!result.ok() || result->rows.size() != 1) {
    return absl::DataLossError("the stored county row no longer parses");
  }
  return std::move(result->rows[0]);
}

}  // namespace junheng::checklist
