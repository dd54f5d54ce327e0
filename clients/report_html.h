// The county report as one self-contained HTML page, laid out for A4: what
// an inspection team prints (or saves as PDF) and files.
//
// No script, no external file, font or image: styles inline, charts drawn
// here as inline SVG (each difference coefficient's school values against
// the county mean X̄, the band X̄ ± limit·X̄ and the standard's minimum; the
// coefficients against their limits). The print stylesheet repeats table
// headers on every page, keeps a table row or a chart on one page, and
// numbers the pages. Chinese first, English after.
#ifndef JUNHENG_CLIENTS_REPORT_HTML_H_
#define JUNHENG_CLIENTS_REPORT_HTML_H_

#include <string>

#include "absl/strings/string_view.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng::cli {

std::string CountyReportHtml(const v1::CountyEvaluation& e);

// `text` with &, <, >, " and ' escaped, for HTML text and attributes.
std::string HtmlEscape(absl::string_view text);

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_REPORT_HTML_H_
