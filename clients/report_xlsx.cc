#include "clients/report_xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/xlsx/column_titles.h"
#include "clients/report_labels.h"

namespace junheng::cli {
namespace {

using checklist::xlsx::Table;

// A workbook written to PATH.tmp and renamed over PATH once complete.
class Book {
 public:
  explicit Book(std::string path)
      : path_(std::move(path)),
        tmp_(absl::StrCat(path_, ".tmp")),
        book_(workbook_new(tmp_.c_str())) {
    if (book_ == nullptr) return;
    bold_ = workbook_add_format(book_);
    format_set_bold(bold_);
    format_set_text_wrap(bold_);
    format_set_align(bold_, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(bold_, 0xDDEBF7);
    format_set_border(bold_, LXW_BORDER_THIN);
    names_ = workbook_add_format(book_);
    format_set_font_color(names_, 0x595959);
    format_set_italic(names_);
    format_set_bg_color(names_, 0xF2F2F2);
    text_ = workbook_add_format(book_);
    format_set_num_format(text_, "@");
    fail_ = workbook_add_format(book_);
    format_set_bg_color(fail_, 0xFFC7CE);
    format_set_font_color(fail_, 0x9C0006);
    number_ = workbook_add_format(book_);
    format_set_num_format(number_, "0.###");
    title_ = workbook_add_format(book_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
  }
  ~Book() {
    if (book_ != nullptr) {
      (void)workbook_close(book_);
      std::remove(tmp_.c_str());
    }
  }

  bool ok() const { return book_ != nullptr; }
  lxw_worksheet* Sheet(const std::string& name) {
    return workbook_add_worksheet(book_, name.c_str());
  }

  absl::Status Close() {
    if (book_ == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create ", tmp_));
    }
    const lxw_error error = workbook_close(book_);
    book_ = nullptr;
    if (error != LXW_NO_ERROR) {
      std::remove(tmp_.c_str());
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write ", path_, ": ", lxw_strerror(error)));
    }
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      std::remove(tmp_.c_str());
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write ", path_, ": ", why));
    }
    return absl::OkStatus();
  }

  lxw_format *bold_ = nullptr, *names_ = nullptr, *text_ = nullptr,
             *fail_ = nullptr, *number_ = nullptr, *title_ = nullptr;

 private:
  const std::string path_;
  const std::string tmp_;
  lxw_workbook* book_;
};

void Text(lxw_worksheet* s, int row, int col, absl::string_view text,
          lxw_format* format = nullptr) {
  const std::string inert = InertText(text);
  worksheet_write_string(s, static_cast<lxw_row_t>(row),
                         static_cast<lxw_col_t>(col), inert.c_str(), format);
}

void Number(lxw_worksheet* s, int row, int col, double v,
            lxw_format* format = nullptr) {
  worksheet_write_number(s, static_cast<lxw_row_t>(row),
                         static_cast<lxw_col_t>(col), v, format);
}

void Header(lxw_worksheet* s, Book& book, const std::vector<std::string>& h,
            int row = 0) {
  for (size_t i = 0; i < h.size(); ++i) {
    Text(s, row, static_cast<int>(i), h[i], book.bold_);
  }
  worksheet_freeze_panes(s, static_cast<lxw_row_t>(row + 1), 0);
}

void List(lxw_worksheet* s, int col, std::vector<const char*> values) {
  values.push_back(nullptr);
  lxw_data_validation v{};
  v.validate = LXW_VALIDATION_TYPE_LIST;
  v.value_list = const_cast<char**>(values.data());
  worksheet_data_validation_range(s, 2, static_cast<lxw_col_t>(col), 10001,
                                  static_cast<lxw_col_t>(col), &v);
}

void TemplateSheet(Book& book, Table table) {
  lxw_worksheet* s = book.Sheet(std::string(checklist::xlsx::SheetName(table)));
  const auto& columns = checklist::xlsx::Columns(table);
  static const std::set<std::string> kText = {"county_code", "school_code",
                                              "school_name", "county_name",
                                              "province_code"};
  for (size_t i = 0; i < columns.size(); ++i) {
    const int col = static_cast<int>(i);
    const std::string& name = columns[i].name;
    Text(s, 0, col, columns[i].title, book.bold_);
    Text(s, 1, col, name, book.names_);
    worksheet_set_column(
        s, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col),
        name == "school_name" || name == "county_name" ? 28 : 14,
        kText.count(name) > 0 ? book.text_ : nullptr);
    if (name == "school_type") {
      List(s, col,
           {"primary", "junior", "nine_year", "twelve_year", "teaching_point",
            "special"});
    } else if (name == "location") {
      List(s, col, {"urban", "town", "rural"});
    } else if (name == "boarding" || name == "has_charter" ||
               name == "small_schools_funded_as_100") {
      List(s, col, {"true", "false"});
    }
  }
  worksheet_set_row(s, 0, 45, nullptr);
  worksheet_freeze_panes(s, 2, table == Table::kSchools ? 3 : 2);
}

}  // namespace

std::string InertText(absl::string_view text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' ||
                        text[0] == '@' || text[0] == '\t' || text[0] == '\r')) {
    return absl::StrCat("'", text);
  }
  return std::string(text);
}

absl::Status WriteImportTemplate(const std::string& path) {
  Book book(path);
  if (!book.ok()) return book.Close();
  TemplateSheet(book, Table::kSchools);
  TemplateSheet(book, Table::kCounties);
  lxw_worksheet* notes = book.Sheet("说明");
  const char* lines[] = {
      "均衡发展统计数据导入模板（数据交换格式 v1）",
      "第1行为中文标题，第2行为字段名（请勿修改），自第3行起每行一所学校（或一"
      "个县）一个学年。",
      "代码列（县级行政区划代码、学校标识码）为文本格式，请保留前导零。",
      "空白单元格表示“未填报”，与 0 不同。比例填小数（0.953，而非 95.3%）。",
      "学年填起始年份：2025 表示 2025—2026 学年。",
      "导入：junheng checklist import schools 本文件.xlsx；"
      "junheng checklist import counties 本文件.xlsx",
      "Row 1: Chinese titles; row 2: the contract's column names; data from "
      "row 3. Blank = not reported.",
  };
  worksheet_set_column(notes, 0, 0, 100, nullptr);
  for (size_t i = 0; i < std::size(lines); ++i) {
    Text(notes, static_cast<int>(i), 0, lines[i],
         i == 0 ? book.title_ : nullptr);
  }
  return book.Close();
}

absl::Status WriteEvaluationXlsx(const v1::CountyEvaluation& e,
                                 const std::string& path) {
  Book book(path);
  if (!book.ok()) return book.Close();
  const auto names = IndicatorNames(e);

  // 概要
  lxw_worksheet* summary = book.Sheet("概要");
  worksheet_set_column(summary, 0, 0, 22, nullptr);
  worksheet_set_column(summary, 1, 1, 70, nullptr);
  int failing = 0, unreported = 0;
  for (const auto& f : e.failing_items()) {
    (f.outcome() == v1::FAIL ? failing : unreported)++;
  }
  Text(summary, 0, 0,
       absl::StrCat(e.county_name(), "（", e.county_code(), "）", e.year(),
                    " 学年 县域义务教育优质均衡发展评估"),
       book.title_);
  const std::vector<std::pair<std::string, std::string>> facts = {
      {"结论 verdict", OutcomeLabel(e.outcome())},
      {"未达标项 failing", absl::StrCat(failing)},
      {"数据不全项 not reported", absl::StrCat(unreported)},
      {"评估标准 standard", e.standard()},
      {"数据版本 revision", absl::StrCat(e.revision())},
  };
  int row = 2;
  for (const auto& [k, v] : facts) {
    const bool verdict_fails = row == 2 && e.outcome() == v1::FAIL;
    Text(summary, row, 0, k, book.bold_);
    Text(summary, row, 1, v, verdict_fails ? book.fail_ : nullptr);
    ++row;
  }
  for (const auto& w : e.warnings()) {
    Text(summary, row, 0, "注意 warning", book.bold_);
    Text(summary, row++, 1, w);
  }

  // 未达标项目
  lxw_worksheet* items = book.Sheet("未达标项目");
  Header(items, book,
         {"指标 code", "指标名称", "学校标识码", "学校名称", "学段", "结果",
          "原因 reason"});
  worksheet_set_column(items, 1, 1, 26, nullptr);
  worksheet_set_column(items, 2, 2, 13, book.text_);
  worksheet_set_column(items, 3, 3, 26, nullptr);
  worksheet_set_column(items, 6, 6, 80, nullptr);
  row = 1;
  for (const auto& f : e.failing_items()) {
    Text(items, row, 0, f.code());
    auto n = names.find(f.code());
    Text(items, row, 1, n != names.end() ? n->second : "");
    Text(items, row, 2, f.school_code().empty() ? "全县" : f.school_code());
    Text(items, row, 3, f.school_name());
    Text(items, row, 4, LevelLabel(f.level()));
    Text(items, row, 5, OutcomeLabel(f.outcome()),
         f.outcome() == v1::FAIL ? book.fail_ : nullptr);
    Text(items, row, 6, f.reason());
    ++row;
  }
  if (row > 1)
    worksheet_autofilter(items, 0, 0, static_cast<lxw_row_t>(row - 1), 6);

  // 学校指标: a row per school part, a column per indicator measurement.
  lxw_worksheet* schools = book.Sheet("学校指标");
  std::vector<std::pair<std::string, std::string>> keys;  // code, measure
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& s : e.schools()) {
    for (const auto& l : s.levels()) {
      for (const auto& r : l.indicators()) {
        for (const auto& m : r.measurements()) {
          if (seen.insert({r.code(), m.measure()}).second) {
            keys.push_back({r.code(), m.measure()});
          }
        }
      }
    }
  }
  std::vector<std::string> header = {"学校标识码", "学校名称", "学校类型",
                                     "学段",       "在校生数", "结果"};
  for (const auto& [code, measure] : keys) {
    auto n = names.find(code);
    header.push_back(absl::StrCat(code, measure.empty() ? "" : " ", measure,
                                  n != names.end() ? " " : "",
                                  n != names.end() ? n->second : ""));
  }
  Header(schools, book, header);
  worksheet_set_row(schools, 0, 60, nullptr);
  worksheet_set_column(schools, 0, 0, 13, book.text_);
  worksheet_set_column(schools, 1, 1, 26, nullptr);
  worksheet_set_column(schools, 6, static_cast<lxw_col_t>(5 + keys.size()), 12,
                       nullptr);
  row = 1;
  for (const auto& s : e.schools()) {
    for (const auto& l : s.levels()) {
      Text(schools, row, 0, s.school_code());
      Text(schools, row, 1, s.school_name());
      Text(schools, row, 2, s.school_type());
      Text(schools, row, 3, LevelLabel(l.level()));
      if (l.has_students()) {
        Number(schools, row, 4, static_cast<double>(l.students()));
      }
      Text(schools, row, 5, OutcomeLabel(l.outcome()),
           l.outcome() == v1::FAIL ? book.fail_ : nullptr);
      for (const auto& r : l.indicators()) {
        for (const auto& m : r.measurements()) {
          if (!m.has_value()) continue;
          const auto it = std::find(keys.begin(), keys.end(),
                                    std::pair{r.code(), m.measure()});
          Number(schools, row, 6 + static_cast<int>(it - keys.begin()),
                 m.value(),
                 m.outcome() == v1::FAIL ? book.fail_ : book.number_);
        }
      }
      ++row;
    }
  }
  if (row > 1) {
    worksheet_autofilter(schools, 0, 0, static_cast<lxw_row_t>(row - 1),
                         static_cast<lxw_col_t>(5 + keys.size()));
  }

  // 差异系数
  lxw_worksheet* cv = book.Sheet("差异系数");
  Header(cv, book,
         {"指标 code", "指标名称", "学段", "学校数", "在校生数", "县均值 X̄",
          "标准差 S", "差异系数 CV", "限值", "结果"});
  worksheet_set_column(cv, 1, 1, 26, nullptr);
  row = 1;
  for (const auto& c : e.coefficients()) {
    Text(cv, row, 0, c.code());
    Text(cv, row, 1, c.name_zh());
    Text(cv, row, 2, LevelLabel(c.level()));
    Number(cv, row, 3, c.schools());
    Number(cv, row, 4, static_cast<double>(c.students()));
    if (c.has_county_value())
      Number(cv, row, 5, c.county_value(), book.number_);
    if (c.has_std_dev()) Number(cv, row, 6, c.std_dev(), book.number_);
    if (c.has_value()) {
      Number(cv, row, 7, c.value(),
             c.outcome() == v1::FAIL ? book.fail_ : book.number_);
    }
    if (c.has_limit()) Number(cv, row, 8, c.limit());
    Text(cv, row, 9, OutcomeLabel(c.outcome()),
         c.outcome() == v1::FAIL ? book.fail_ : nullptr);
    ++row;
  }
  for (const auto& c : e.composites()) {
    Text(cv, row, 0, "综合");
    Text(cv, row, 1,
         absl::StrCat("综合差异系数 ", absl::StrJoin(c.codes(), "、")));
    Text(cv, row, 2, LevelLabel(c.level()));
    if (c.has_value()) {
      Number(cv, row, 7, c.value(),
             c.outcome() == v1::FAIL ? book.fail_ : book.number_);
    }
    Number(cv, row, 8, c.limit());
    Text(cv, row, 9, OutcomeLabel(c.outcome()),
         c.outcome() == v1::FAIL ? book.fail_ : nullptr);
    ++row;
  }

  // 领域与指标
  lxw_worksheet* areas = book.Sheet("领域与指标");
  Header(areas, book,
         {"领域", "指标 code", "指标名称", "结果", "佐证材料 evidence"});
  worksheet_set_column(areas, 0, 0, 20, nullptr);
  worksheet_set_column(areas, 2, 2, 40, nullptr);
  worksheet_set_column(areas, 4, 4, 18, nullptr);
  row = 1;
  for (const auto& a : e.areas()) {
    for (const auto& i : a.indicators()) {
      Text(areas, row, 0, a.name_zh());
      Text(areas, row, 1, i.code());
      Text(areas, row, 2, i.name_zh());
      Text(areas, row, 3, OutcomeLabel(i.outcome()),
           i.outcome() == v1::FAIL ? book.fail_ : nullptr);
      Text(areas, row, 4, EvidenceLabel(i.evidence()));
      ++row;
    }
  }
  for (const auto& v : e.vetoes()) {
    Text(areas, row, 0, "一票否决");
    Text(areas, row, 1, v.code());
    Text(areas, row, 2, v.name_zh());
    Text(areas, row, 3,
         v.outcome() == v1::PASS   ? "无 clear"
         : v.outcome() == v1::FAIL ? "存在 APPLIES"
                                   : OutcomeLabel(v.outcome()),
         v.outcome() == v1::FAIL ? book.fail_ : nullptr);
    ++row;
  }
  return book.Close();
}

}  // namespace junheng::cli
