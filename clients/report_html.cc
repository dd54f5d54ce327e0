#include "clients/report_html.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/report_labels.h"

namespace junheng::cli {
namespace {

constexpr char kStyle[] = R"css(
@page { size: A4; margin: 16mm 14mm 16mm 14mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "PingFang SC", "Microsoft YaHei", "Noto Serif CJK SC", sans-serif;
  font-size: 9.5pt; line-height: 1.45; color: #111; margin: 0; }
@media screen { body { max-width: 210mm; margin: 0 auto; padding: 12mm; } }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; border-bottom: 1.2pt solid #1f4e79;
  color: #1f4e79; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10pt; margin: 4mm 0 1mm; break-after: avoid; }
.sub { color: #444; margin: 0 0 4mm; }
.en { color: #666; font-weight: normal; }
.verdict { border: 1.5pt solid #1f4e79; padding: 3mm 4mm; margin: 3mm 0;
  font-size: 12pt; break-inside: avoid; }
.verdict.fail { border-color: #9c0006; background: #fff3f4; }
.verdict b { font-size: 15pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #9a9a9a; padding: 1.2mm 1.6mm; vertical-align: top;
  text-align: left; }
th { background: #ddebf7; font-weight: 600; }
.k { white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.fail { color: #9c0006; background: #ffc7ce; }
.pass { color: #006100; }
.unknown { color: #7f6000; background: #fff2cc; }
table.wide { font-size: 7.5pt; }
table.wide th, table.wide td { padding: 0.8mm 1mm; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9pt; margin-bottom: 1mm; }
svg text { font-family: inherit; }
.warn { border-left: 3pt solid #c55a11; padding-left: 2mm; color: #843c0c; }
footer { margin-top: 8mm; font-size: 8pt; color: #666; }
)css";

std::string Esc(absl::string_view s) { return HtmlEscape(s); }

// At most `max` characters of `s` (UTF-8), with "…" when cut: chart labels
// have a fixed width.
std::string Shorten(absl::string_view s, int max) {
  size_t i = 0;
  for (int n = 0; i < s.size(); ++n) {
    if (n == max) return absl::StrCat(s.substr(0, i), "…");
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {
      ++i;
    }
  }
  return std::string(s);
}

const char* OutcomeClass(v1::Outcome o) {
  return o == v1::FAIL           ? "fail"
         : o == v1::PASS         ? "pass"
         : o == v1::NOT_REPORTED ? "unknown"
                                 : "";
}

std::string Td(absl::string_view text, absl::string_view cls = "") {
  return cls.empty()
             ? absl::StrCat("<td>", Esc(text), "</td>")
             : absl::StrCat("<td class=\"", cls, "\">", Esc(text), "</td>");
}

std::string Thead(const std::vector<std::string>& cells) {
  std::string out = "<thead><tr>";
  for (const auto& c : cells) absl::StrAppend(&out, "<th>", c, "</th>");
  return out + "</tr></thead>";
}

std::string Fmt(double v) {
  if (std::fabs(v) >= 1000) return absl::StrFormat("%.0f", v);
  if (std::fabs(v) >= 10) return absl::StrFormat("%.1f", v);
  return absl::StrFormat("%.3g", v);
}

// One school part's value of an indicator: its unnamed measurement (or the
// first), with the standard's minimum.
struct Point {
  std::string school;
  double value;
  bool fail;
};

std::string CoefficientChart(const v1::CoefficientResult& c,
                             const v1::CountyEvaluation& e) {
  std::vector<Point> points;
  std::optional<double> minimum;
  for (const auto& s : e.schools()) {
    for (const auto& l : s.levels()) {
      if (l.level() != c.level()) continue;
      for (const auto& r : l.indicators()) {
        if (r.code() != c.code() || r.measurements().empty()) continue;
        const v1::Measurement* m = &r.measurements(0);
        for (const auto& candidate : r.measurements()) {
          if (candidate.measure().empty()) m = &candidate;
        }
        if (!m->has_value()) continue;
        points.push_back(
            {s.school_name(), m->value(), m->outcome() == v1::FAIL});
        if (m->has_threshold() && !minimum) minimum = m->threshold();
      }
    }
  }
  if (points.empty()) return "";
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.value > b.value; });
  const double mean = c.has_county_value() ? c.county_value() : 0;
  const double limit = c.has_limit() ? c.limit() : 0;
  double top = std::max(points.front().value, mean * (1 + limit));
  if (minimum) top = std::max(top, *minimum);
  top = top > 0 ? top * 1.05 : 1;
  constexpr int kWidth = 680, kLabel = 190, kBar = 11, kGap = 3, kTop = 26;
  const int plot = kWidth - kLabel - 60;
  const int height =
      kTop + static_cast<int>(points.size()) * (kBar + kGap) + 24;
  auto x = [&](double v) { return kLabel + v / top * plot; };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
      "width=\"100%%\" role=\"img\" aria-label=\"%s\">",
      kWidth, height, Esc(absl::StrCat(c.code(), " ", c.name_zh())));
  // The band a school may stray within before it weighs on the coefficient.
  if (c.has_county_value() && c.has_limit()) {
    absl::StrAppendFormat(
        &svg,
        "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
        "fill=\"#deebf7\"/>",
        x(std::max(0.0, mean * (1 - limit))), kTop - 4,
        x(mean * (1 + limit)) - x(std::max(0.0, mean * (1 - limit))),
        height - kTop - 16);
  }
  int y = kTop;
  for (const Point& p : points) {
    const std::string name = Shorten(p.school, 15);
    absl::StrAppendFormat(
        &svg,
        "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"end\">%s</text>"
        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
        "<text x=\"%.1f\" y=\"%d\" font-size=\"8\" fill=\"#333\">%s</text>",
        kLabel - 4, y + kBar - 2, Esc(name), kLabel, y,
        std::max(0.5, x(p.value) - kLabel), kBar,
        p.fail ? "#c00000" : "#5b9bd5", x(p.value) + 3, y + kBar - 2,
        Fmt(p.value));
    y += kBar + kGap;
  }
  auto vline = [&](double v, const char* color, const char* dash,
                   const std::string& label, int label_y) {
    absl::StrAppendFormat(
        &svg,
        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
        "stroke-width=\"1.4\" stroke-dasharray=\"%s\"/>"
        "<text x=\"%.1f\" y=\"%d\" font-size=\"8.5\" fill=\"%s\" "
        "text-anchor=\"middle\">%s</text>",
        x(v), kTop - 6, x(v), y, color, dash, x(v), label_y, color, Esc(label));
  };
  if (c.has_county_value()) {
    vline(mean, "#1f4e79", "", absl::StrCat("县均值 X̄ ", Fmt(mean)), 12);
  }
  if (minimum) {
    vline(*minimum, "#c00000", "4 3", absl::StrCat("标准 ", Fmt(*minimum)),
          y + 14);
  }
  absl::StrAppendFormat(
      &svg,
      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/></svg>",
      kLabel, kTop - 6, kLabel, y);
  const std::string verdict =
      c.has_value() ? absl::StrFormat("CV %.3f %s %.2f", c.value(),
                                      c.value() <= limit ? "≤" : ">", limit)
                    : "CV —";
  return absl::StrCat(
      "<figure><figcaption><b>", Esc(c.code()), " ", Esc(c.name_zh()), "（",
      LevelLabel(c.level()), "）</b>　", Esc(verdict), "　<span class=\"",
      OutcomeClass(c.outcome()), "\">", OutcomeLabel(c.outcome()),
      "</span>　<span class=\"en\">浅蓝带：X̄ ± 限值·X̄</span></figcaption>", svg,
      "</figure>");
}

// Every coefficient against its limit, a bar each.
std::string CoefficientOverview(const v1::CountyEvaluation& e) {
  std::vector<const v1::CoefficientResult*> rows;
  double top = 0;
  for (const auto& c : e.coefficients()) {
    if (!c.has_value()) continue;
    rows.push_back(&c);
    top = std::max({top, c.value(), c.has_limit() ? c.limit() : 0.0});
  }
  if (rows.empty()) return "";
  top = top * 1.15;
  constexpr int kWidth = 680, kLabel = 230, kBar = 12, kGap = 5, kTop = 8;
  const int plot = kWidth - kLabel - 50;
  const int height = kTop + static_cast<int>(rows.size()) * (kBar + kGap) + 8;
  auto x = [&](double v) { return kLabel + v / top * plot; };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
      "width=\"100%%\" role=\"img\" aria-label=\"差异系数\">",
      kWidth, height);
  int y = kTop;
  for (const auto* c : rows) {
    absl::StrAppendFormat(
        &svg,
        "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"end\">%s %s "
        "%s</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
        "fill=\"%s\"/><text x=\"%.1f\" y=\"%d\" font-size=\"8.5\">%.3f</text>",
        kLabel - 4, y + kBar - 2, Esc(c->code()), LevelLabel(c->level()),
        Esc(Shorten(c->name_zh(), 16)), kLabel, y, x(c->value()) - kLabel, kBar,
        c->outcome() == v1::FAIL ? "#c00000" : "#5b9bd5", x(c->value()) + 3,
        y + kBar - 2, c->value());
    if (c->has_limit()) {
      absl::StrAppendFormat(&svg,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                            "stroke=\"#111\" stroke-width=\"2\"/>",
                            x(c->limit()), y - 2, x(c->limit()), y + kBar + 2);
    }
    y += kBar + kGap;
  }
  svg += "</svg>";
  return absl::StrCat(
      "<figure><figcaption>各项差异系数与限值（黑线）<span class=\"en\"> — "
      "coefficients against their limits (black marks)</span></figcaption>",
      svg, "</figure>");
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string CountyReportHtml(const v1::CountyEvaluation& e) {
  const auto names = IndicatorNames(e);
  int failing = 0, unreported = 0;
  for (const auto& f : e.failing_items()) {
    (f.outcome() == v1::FAIL ? failing : unreported)++;
  }
  const std::string title =
      absl::StrCat(e.county_name(), "（", e.county_code(), "）", e.year(),
                   "学年 县域义务教育优质均衡发展督导评估报告");
  std::string h = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>",
      Esc(title), "</title><style>", kStyle, "</style></head><body>\n");
  absl::StrAppend(
      &h, "<header><h1>", Esc(title), "</h1><p class=\"sub\">评估标准 ",
      Esc(e.standard()), "　数据版本 revision ", e.revision(),
      "　<span class=\"en\">County balanced-development inspection report, "
      "school year ",
      e.year(), "</span></p></header>\n");
  absl::StrAppend(&h, "<section class=\"verdict ", OutcomeClass(e.outcome()),
                  "\">评估结论：<b class=\"", OutcomeClass(e.outcome()), "\">",
                  OutcomeLabel(e.outcome()), "</b>　未达标 ", failing,
                  " 项，数据不全 ", unreported,
                  " 项<br><span class=\"en\">Verdict; ", failing, " failing, ",
                  unreported, " not reported</span></section>\n");
  for (const auto& w : e.warnings()) {
    absl::StrAppend(&h, "<p class=\"warn\">注意：", Esc(w), "</p>\n");
  }

  absl::StrAppend(&h,
                  "<h2>一、未达标及数据不全项目 <span class=\"en\">What keeps "
                  "the county from passing</span></h2>\n");
  if (e.failing_items().empty()) {
    h += "<p>无。<span class=\"en\">None.</span></p>\n";
  } else {
    absl::StrAppend(&h, "<table>",
                    Thead({"指标", "名称", "学校", "学段", "结果", "原因"}),
                    "<tbody>\n");
    for (const auto& f : e.failing_items()) {
      auto n = names.find(f.code());
      absl::StrAppend(
          &h, "<tr>", Td(f.code(), "k"), Td(n != names.end() ? n->second : ""),
          Td(f.school_code().empty()
                 ? "全县"
                 : absl::StrCat(f.school_name(), " ", f.school_code())),
          Td(LevelLabel(f.level()), "k"),
          Td(OutcomeLabel(f.outcome()), OutcomeClass(f.outcome())),
          Td(f.reason()), "</tr>\n");
    }
    h += "</tbody></table>\n";
  }

  absl::StrAppend(&h,
                  "<h2>二、校际差异系数 <span class=\"en\">Difference "
                  "coefficients, student-weighted</span></h2>\n");
  if (!e.coefficients().empty()) {
    absl::StrAppend(&h, "<table>",
                    Thead({"指标", "名称", "学段", "学校数", "县均值 X̄",
                           "标准差 S", "差异系数 CV", "限值", "结果"}),
                    "<tbody>\n");
    auto num = [](bool has, double v, const char* f) {
      return has ? absl::StrFormat(f, v) : std::string("—");
    };
    for (const auto& c : e.coefficients()) {
      absl::StrAppend(
          &h, "<tr>", Td(c.code(), "k"), Td(c.name_zh()),
          Td(LevelLabel(c.level()), "k"), Td(absl::StrCat(c.schools()), "n"),
          Td(num(c.has_county_value(), c.county_value(), "%.2f"), "n"),
          Td(num(c.has_std_dev(), c.std_dev(), "%.2f"), "n"),
          Td(num(c.has_value(), c.value(), "%.3f"),
             c.outcome() == v1::FAIL ? "n fail" : "n"),
          Td(num(c.has_limit(), c.limit(), "%.2f"), "n"),
          Td(OutcomeLabel(c.outcome()), OutcomeClass(c.outcome())), "</tr>\n");
    }
    for (const auto& c : e.composites()) {
      absl::StrAppend(&h, "<tr>", Td("综合"),
                      Td(absl::StrCat("综合差异系数（",
                                      absl::StrJoin(c.codes(), "、"), "）")),
                      Td(LevelLabel(c.level()), "k"), Td(""), Td(""), Td(""),
                      Td(num(c.has_value(), c.value(), "%.3f"),
                         c.outcome() == v1::FAIL ? "n fail" : "n"),
                      Td(absl::StrFormat("%.2f", c.limit()), "n"),
                      Td(OutcomeLabel(c.outcome()), OutcomeClass(c.outcome())),
                      "</tr>\n");
    }
    h += "</tbody></table>\n";
    h += CoefficientOverview(e);
    absl::StrAppend(&h,
                    "<h3>各校数值与县均值 <span class=\"en\">Each school "
                    "against the county mean X̄ and the standard (red dashes; "
                    "red bars fail it)</span></h3>\n");
    for (const auto& c : e.coefficients()) h += CoefficientChart(c, e);
  }

  absl::StrAppend(&h,
                  "<h2>三、评估领域与指标 <span class=\"en\">Areas and "
                  "indicators</span></h2>\n");
  for (const auto& a : e.areas()) {
    absl::StrAppend(&h, "<h3>", Esc(a.name_zh()), " <span class=\"en\">",
                    Esc(a.name_en()), "</span>：<span class=\"",
                    OutcomeClass(a.outcome()), "\">", OutcomeLabel(a.outcome()),
                    "</span></h3><table>",
                    Thead({"指标", "名称", "结果", "佐证材料"}), "<tbody>\n");
    for (const auto& i : a.indicators()) {
      absl::StrAppend(&h, "<tr>", Td(i.code(), "k"), Td(i.name_zh()),
                      Td(OutcomeLabel(i.outcome()), OutcomeClass(i.outcome())),
                      Td(EvidenceLabel(i.evidence()),
                         i.evidence() == v1::EVIDENCE_MISSING ? "fail" : ""),
                      "</tr>\n");
    }
    h += "</tbody></table>\n";
  }
  if (!e.vetoes().empty()) {
    absl::StrAppend(&h,
                    "<h2>四、一票否决事项 <span class=\"en\">Veto "
                    "items</span></h2><table>",
                    Thead({"事项", "名称", "情况", "说明"}), "<tbody>\n");
    for (const auto& v : e.vetoes()) {
      const std::string state = v.outcome() == v1::PASS ? "无 clear"
                                : v.outcome() == v1::FAIL
                                    ? "存在 APPLIES"
                                    : OutcomeLabel(v.outcome());
      absl::StrAppend(&h, "<tr>", Td(v.code(), "k"), Td(v.name_zh()),
                      Td(state, v.outcome() == v1::FAIL   ? "fail"
                                : v.outcome() == v1::PASS ? "pass"
                                                          : "unknown"),
                      Td(v.comment()), "</tr>\n");
    }
    h += "</tbody></table>\n";
  }

  // Schools × indicators: the measurement of each indicator per school part.
  std::vector<std::string> codes;
  std::set<std::string> seen;
  for (const auto& s : e.schools()) {
    for (const auto& l : s.levels()) {
      for (const auto& r : l.indicators()) {
        if (seen.insert(r.code()).second) codes.push_back(r.code());
      }
    }
  }
  if (!e.schools().empty()) {
    std::vector<std::string> head = {"学校", "学段", "在校生", "结果"};
    for (const auto& c : codes) {
      auto n = names.find(c);
      head.push_back(absl::StrCat(
          Esc(c), n != names.end() ? absl::StrCat("<br><span class=\"en\">",
                                                  Esc(n->second), "</span>")
                                   : ""));
    }
    absl::StrAppend(&h,
                    "<h2>五、学校指标一览 <span class=\"en\">Schools × "
                    "indicators</span></h2><table class=\"wide\">",
                    Thead(head), "<tbody>\n");
    for (const auto& s : e.schools()) {
      for (const auto& l : s.levels()) {
        absl::StrAppend(
            &h, "<tr>", Td(absl::StrCat(s.school_name(), " ", s.school_code())),
            Td(LevelLabel(l.level()), "k"),
            Td(l.has_students() ? absl::StrCat(l.students()) : "—", "n"),
            Td(OutcomeLabel(l.outcome()), OutcomeClass(l.outcome())));
        std::map<std::string, const v1::IndicatorResult*> by_code;
        for (const auto& r : l.indicators()) by_code[r.code()] = &r;
        for (const auto& c : codes) {
          auto it = by_code.find(c);
          if (it == by_code.end() || it->second->measurements().empty()) {
            h += "<td></td>";
            continue;
          }
          std::vector<std::string> values;
          bool fail = false;
          for (const auto& m : it->second->measurements()) {
            values.push_back(m.has_value() ? Fmt(m.value()) : "—");
            fail = fail || m.outcome() == v1::FAIL;
          }
          h += Td(absl::StrJoin(values, " / "), fail ? "n fail" : "n");
        }
        h += "</tr>\n";
      }
    }
    h += "</tbody></table>\n";
  }
  absl::StrAppend(&h, "<footer>本报告由 junheng 根据数据版本 ", e.revision(),
                  " 生成；红色为未达标，黄色为数据不全。<span class=\"en\">"
                  "Generated by junheng from data revision ",
                  e.revision(),
                  "; red fails, yellow is not reported."
                  "</span></footer>\n</body></html>\n");
  return h;
}

}  // namespace junheng::cli
