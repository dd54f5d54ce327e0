// The Chinese titles of the data contract's columns, as the import template
// writes them above the contract names and as county statistics tables
// (附表) head their columns.
//
// Reading accepts a title in the forms spreadsheets give it: with or without
// spaces and line breaks, with its unit in ASCII or full-width parentheses
// or without it ("教学及辅助用房面积（平方米）" = "教学及辅助用房面积"), and a
// part's column as one cell ("小学部在校生数") or as a merged group cell
// over a sub-title ("小学部" above "在校生数"; "小学" and "初中" are accepted
// for the groups).
#ifndef JUNHENG_CHECKLIST_SERVICE_XLSX_COLUMN_TITLES_H_
#define JUNHENG_CHECKLIST_SERVICE_XLSX_COLUMN_TITLES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace junheng::checklist::xlsx {

enum class Table { kSchools, kCounties };

struct ColumnTitle {
  std::string name;   // the contract's column name: p_students
  std::string title;  // 小学部在校生数
};

// Every column of the table's file, in the contract's order.
const std::vector<ColumnTitle>& Columns(Table table);

// The sheet the template writes the table on: 学校基本情况 / 县级指标.
absl::string_view SheetName(Table table);
// "schools.csv" / "counties.csv"
absl::string_view FileName(Table table);

// Whether a sheet's tab name says it holds `table` (its template name, or
// "schools" / "counties", in any case).
bool IsSheetFor(Table table, absl::string_view sheet_name);

// The contract name a header cell means: the name itself, or a title.
std::optional<std::string> ColumnFor(Table table, absl::string_view cell);
// The same for a sub-title under a group cell ("小学部" over "在校生数").
std::optional<std::string> ColumnFor(Table table, absl::string_view group,
                                     absl::string_view cell);

}  // namespace junheng::checklist::xlsx

#endif  // JUNHENG_CHECKLIST_SERVICE_XLSX_COLUMN_TITLES_H_
