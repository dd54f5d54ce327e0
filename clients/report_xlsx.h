// Excel files the CLI writes (libxlsxwriter): the import template and the
// county report's tables.
//
// Text a spreadsheet would run as a formula when typed or re-exported (one
// starting with = + - @, a tab or a carriage return: a school name sent as
// "=HYPERLINK(…)") is written as a text cell with a leading apostrophe
// (OWASP's rule for spreadsheet exports; this libxlsxwriter has no
// quote-prefix style). Numbers are written as numbers.
#ifndef JUNHENG_CLIENTS_REPORT_XLSX_H_
#define JUNHENG_CLIENTS_REPORT_XLSX_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng::cli {

// The import template: one sheet per table (学校基本情况 and 县级指标), the
// Chinese titles in row 1, the contract's column names in row 2, data from
// row 3; code columns formatted as text (leading zeros), lists on the enum
// and true/false columns, a notes sheet. Replaces `path` atomically.
absl::Status WriteImportTemplate(const std::string& path);

// The county report's tables: 概要 (verdict), 未达标项目 (failing items),
// 学校指标 (schools × indicators, failing values marked), 差异系数
// (coefficients and composites), 领域与指标 (areas). Replaces `path`
// atomically.
absl::Status WriteEvaluationXlsx(const v1::CountyEvaluation& e,
                                 const std::string& path);

// `text`, made inert for a spreadsheet (see above).
std::string InertText(absl::string_view text);

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_REPORT_XLSX_H_
