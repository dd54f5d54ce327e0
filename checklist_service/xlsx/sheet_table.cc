#include "checklist_service/xlsx/sheet_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/grpc_status.h"

namespace junheng::checklist::xlsx {
namespace {

constexpr int kMaxRowsAboveHeader = 20;

const std::string& At(const Row& row, int column) {
  static const std::string* const kEmpty = new std::string;
  auto it =
      std::lower_bound(row.cells.begin(), row.cells.end(), column,
                       [](const Cell& c, int col) { return c.column < col; });
  return it != row.cells.end() && it->column == column ? it->text : *kEmpty;
}

bool HasKnownName(Table table, const Row& row) {
  return std::any_of(
      row.cells.begin(), row.cells.end(),
      [table](const Cell& c) { return ColumnFor(table, c.text).has_value(); });
}

}  // namespace

std::string SheetRef(const std::string& sheet) {
  const bool plain = std::all_of(sheet.begin(), sheet.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  if (plain && !sheet.empty()) return sheet;
  std::string out = "'";
  for (char c : sheet) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

SheetTable::SheetTable(Table table, std::string sheet, int width, Out out)
    : table_(table),
      sheet_(std::move(sheet)),
      width_(std::max(width, 1)),
      out_(std::move(out)) {}

absl::Status SheetTable::OnRow(const Row& row) {
  switch (state_) {
    case State::kSeeking:
      if (HasKnownName(table_, row)) {
        pending_ = row;
        state_ = State::kPending;
      } else {
        if (!first_row_) first_row_ = row;
        if (++seeking_rows_ == kMaxRowsAboveHeader) {
          // No header anywhere near the top: let the importer say what a
          // header looks like, about the first row.
          EmitHeader(*first_row_, nullptr);
          state_ = State::kData;
        }
      }
      break;
    case State::kPending:
      if (IsSubHeader(*pending_, row)) {
        EmitHeader(*pending_, &row);
      } else {
        EmitHeader(*pending_, nullptr);
        EmitData(row);
      }
      pending_.reset();
      state_ = State::kData;
      break;
    case State::kData:
      EmitData(row);
      break;
  }
  return absl::OkStatus();
}

void SheetTable::Finish() {
  if (state_ == State::kPending) {
    EmitHeader(*pending_, nullptr);
  } else if (state_ == State::kSeeking && first_row_) {
    EmitHeader(*first_row_, nullptr);
  }
  pending_.reset();
  first_row_.reset();
  state_ = State::kData;
}

bool SheetTable::IsSubHeader(const Row& top, const Row& next) const {
  if (next.number != top.number + 1 || next.cells.empty()) return false;
  return std::all_of(next.cells.begin(), next.cells.end(), [&](const Cell& c) {
    return ColumnFor(table_, c.text).has_value() ||
           ColumnFor(table_, At(top, c.column), c.text).has_value();
  });
}

void SheetTable::EmitHeader(const Row& top, const Row* second) {
  csv::CsvRecord record;
  record.line = second != nullptr ? second->number : top.number;
  header_.assign(static_cast<size_t>(width_), "");
  for (int c = 0; c < width_; ++c) {
    const std::string& v1 = At(top, c);
    const std::string v2 = second != nullptr ? At(*second, c) : "";
    std::optional<std::string> name;
    std::string written = v1;
    if (!v2.empty()) {
      name = ColumnFor(table_, v2);
      if (!name) name = ColumnFor(table_, v1, v2);
      written = v1.empty() || v1 == v2 ? v2 : absl::StrCat(v1, v2);
    } else if (!v1.empty()) {
      name = ColumnFor(table_, v1);
    }
    // An unknown title goes in as written, for the importer to name.
    header_[static_cast<size_t>(c)] = name.value_or(written);
  }
  record.fields = header_;
  out_(record);
}

void SheetTable::EmitData(const Row& row) {
  csv::CsvRecord record;
  record.line = row.number;
  record.fields.assign(static_cast<size_t>(width_), "");
  for (const Cell& c : row.cells) {
    if (c.column >= width_) record.fields.resize(c.column + 1);
    record.fields[static_cast<size_t>(c.column)] = c.text;
  }
  out_(record);
}

std::string SheetTable::Locate(const csv::ImportError& error) const {
  const std::string sheet = SheetRef(sheet_);
  if (error.line <= 0) return sheet;
  int column = -1;
  int position = 0;
  if (absl::StartsWith(error.column, "(column ") &&
      absl::SimpleAtoi(
          absl::StripSuffix(absl::StripPrefix(error.column, "(column "), ")"),
          &position) &&
      position > 0) {
    column = position - 1;
  } else if (!error.column.empty()) {
    auto it = std::find(header_.begin(), header_.end(), error.column);
    if (it != header_.end()) column = static_cast<int>(it - header_.begin());
  }
  if (column < 0) return absl::StrCat(sheet, "!", error.line, ":", error.line);
  return absl::StrCat(sheet, "!", ColumnLetters(column), error.line);
}

namespace {

// Stops a look at the top of a sheet once its header is recognized.
class HeaderProbe final : public RowSink {
 public:
  explicit HeaderProbe(Table table) : table_(table) {}
  absl::Status OnRow(const Row& row) override {
    const Table other =
        table_ == Table::kSchools ? Table::kCounties : Table::kSchools;
    for (const Cell& c : row.cells) {
      // county_code and year head both tables: only a name the other table
      // lacks tells them apart.
      if (ColumnFor(table_, c.text) && !ColumnFor(other, c.text)) {
        found = true;
        return absl::CancelledError("found");
      }
    }
    if (++rows_ == kMaxRowsAboveHeader) return absl::CancelledError("none");
    return absl::OkStatus();
  }
  bool found = false;

 private:
  const Table table_;
  int rows_ = 0;
};

}  // namespace

absl::StatusOr<SheetInfo> ChooseSheet(Workbook& book, Table table,
                                      const std::string& requested) {
  const std::vector<SheetInfo>& sheets = book.sheets();
  std::vector<std::string> names;
  for (const SheetInfo& s : sheets) names.push_back(s.name);
  if (!requested.empty()) {
    for (const SheetInfo& s : sheets) {
      if (s.name == requested) return s;
    }
    return InvalidField("header.sheet",
                        absl::StrCat("the workbook has no sheet named \"",
                                     Excerpt(requested, 80), "\"; its sheets: ",
                                     absl::StrJoin(names, ", ")));
  }
  for (const SheetInfo& s : sheets) {
    if (IsSheetFor(table, s.name)) return s;
  }
  const Table other =
      table == Table::kSchools ? Table::kCounties : Table::kSchools;
  for (const SheetInfo& s : sheets) {
    if (IsSheetFor(other, s.name)) continue;
    HeaderProbe probe(table);
    absl::Status read = book.ReadSheetTop(s, probe);
    if (probe.found) return s;
    if (!read.ok() && !absl::IsCancelled(read)) return read;
  }
  if (sheets.size() == 1) return sheets[0];
  return InvalidField(
      "header.sheet",
      absl::StrCat("none of the sheets (", absl::StrJoin(names, ", "),
                   ") is named ", SheetName(table),
                   " or has the column names of ", FileName(table),
                   " in its first rows; rename the sheet or name it in the "
                   "request (junheng … --sheet NAME)"));
}

}  // namespace junheng::checklist::xlsx
