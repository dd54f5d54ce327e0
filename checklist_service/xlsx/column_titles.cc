#include "checklist_service/xlsx/column_titles.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "checklist_service/csv/csv_import.h"

namespace junheng::checklist::xlsx {
namespace {

// Titles of the columns that are not per part (schools) and of counties.csv,
// after shared/domain/data-format.md.
const std::map<std::string, std::string>& BaseTitles() {
  static const auto* const titles = new std::map<std::string, std::string>{
      {"county_code", "县级行政区划代码"},
      {"school_code", "学校标识码"},
      {"school_name", "学校名称"},
      {"year", "学年（起始年份）"},
      {"school_type", "学校类型"},
      {"location", "城乡分类"},
      {"boarding", "寄宿制学校"},
      {"has_charter", "学校章程"},
      // per part, after 小学部 / 初中部
      {"students", "在校生数"},
      {"classes", "班级数"},
      {"max_class_size", "最大班额"},
      {"teachers", "专任教师数"},
      {"teachers_above_degree", "高于规定学历教师数"},
      {"backbone_teachers", "县级及以上骨干教师数"},
      {"pe_art_teachers", "体育、艺术专任教师数"},
      {"certified_teachers", "持有教师资格证教师数"},
      {"senior_title_teachers", "中级及以上专业技术职务教师数"},
      {"h_students", "高中部在校生数"},
      // shared resources, whole school or per part
      {"teaching_area_m2", "教学及辅助用房面积（平方米）"},
      {"sports_area_m2", "体育运动场馆面积（平方米）"},
      {"equipment_value_yuan", "教学仪器设备值（元）"},
      {"multimedia_classrooms", "网络多媒体教室数（间）"},
      {"computers", "教学用计算机数（台）"},
      {"books", "图书（册）"},
      {"music_rooms", "音乐专用教室数（间）"},
      {"art_rooms", "美术专用教室数（间）"},
      {"music_room_min_area_m2", "最小音乐专用教室面积（平方米）"},
      {"art_room_min_area_m2", "最小美术专用教室面积（平方米）"},
      {"public_funds_yuan", "公用经费预算（元）"},
      {"training_funds_yuan", "其中：教师培训经费（元）"},
      // counties.csv
      {"county_name", "县（市、区）名称"},
      {"province_code", "省级行政区划代码"},
      {"special_ed_funds_per_student_yuan", "特殊教育生均公用经费（元）"},
      {"small_schools_funded_as_100", "不足100人学校按100人拨付公用经费"},
      {"teacher_avg_salary_yuan", "教师年平均工资收入（元）"},
      {"civil_servant_avg_salary_yuan", "当地公务员年平均工资收入（元）"},
      {"training_360h_completion_rate", "5年360学时培训完成率"},
      {"rotation_eligible_teachers", "应交流轮岗教师数"},
      {"rotated_teachers", "交流轮岗教师数"},
      {"rotated_backbone_teachers", "交流轮岗骨干教师数"},
      {"nearby_enrollment_rate_primary", "小学就近划片入学比例"},
      {"nearby_enrollment_rate_junior", "初中就近划片入学比例"},
      {"quality_high_school_quota_ratio", "优质高中招生名额分配比例"},
      {"migrant_children_public_ratio", "随迁子女在公办学校就读比例"},
      {"junior_consolidation_rate", "初中三年巩固率"},
      {"disabled_enrollment_rate", "残疾儿童少年入学率"},
      {"monitoring_min_level", "质量监测最低达标等级（1-4）"},
      {"monitoring_interschool_difference", "质量监测校际差异率"},
      {"satisfaction_rate", "社会认可度"},
  };
  return *titles;
}

std::string TitleOf(const std::string& name) {
  const auto& base = BaseTitles();
  if (auto it = base.find(name); it != base.end()) return it->second;
  for (const auto& [prefix, group] :
       {std::pair{"p_", "小学部"}, std::pair{"j_", "初中部"}}) {
    if (absl::StartsWith(name, prefix)) {
      auto it = base.find(name.substr(2));
      if (it != base.end()) return absl::StrCat(group, it->second);
    }
  }
  return name;  // a column the titles do not know yet reads as its name
}

std::vector<ColumnTitle> Build(const std::vector<std::string>& names) {
  std::vector<ColumnTitle> out;
  for (const std::string& n : names) out.push_back({n, TitleOf(n)});
  return out;
}

// Drops what spreadsheets vary: whitespace (ASCII and U+3000), line breaks,
// a parenthesised unit in either width; ASCII is lower-cased.
std::string Normalize(absl::string_view s) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const absl::string_view rest = s.substr(i);
    if (s[i] == '(' || absl::StartsWith(rest, "（")) {
      ++depth;
      if (s[i] != '(') i += 2;
      continue;
    }
    if (s[i] == ')' || absl::StartsWith(rest, "）")) {
      if (depth > 0) --depth;
      if (s[i] != ')') i += 2;
      continue;
    }
    if (absl::StartsWith(rest, "\u3000")) {
      i += 2;
      continue;
    }
    if (depth > 0 || absl::ascii_isspace(static_cast<unsigned char>(s[i]))) {
      continue;
    }
    out += absl::ascii_tolower(static_cast<unsigned char>(s[i]));
  }
  return out;
}

struct Lookup {
  std::vector<ColumnTitle> columns;
  std::map<std::string, std::string> by_key;  // normalized title → name
};

const Lookup& LookupFor(Table table) {
  static const Lookup* const lookups = [] {
    auto* l = new Lookup[2];
    l[0].columns = Build(csv::ColumnNames<SchoolStats>());
    l[1].columns = Build(csv::ColumnNames<CountyStats>());
    for (int i = 0; i < 2; ++i) {
      for (const ColumnTitle& c : l[i].columns) {
        l[i].by_key.emplace(Normalize(c.title), c.name);
      }
    }
    return l;
  }();
  return lookups[table == Table::kSchools ? 0 : 1];
}

}  // namespace

const std::vector<ColumnTitle>& Columns(Table table) {
  return LookupFor(table).columns;
}

absl::string_view SheetName(Table table) {
  return table == Table::kSchools ? "学校基本情况" : "县级指标";
}

absl::string_view FileName(Table table) {
  return table == Table::kSchools ? "schools.csv" : "counties.csv";
}

bool IsSheetFor(Table table, absl::string_view sheet_name) {
  const std::string key = Normalize(sheet_name);
  return key == Normalize(SheetName(table)) ||
         key == (table == Table::kSchools ? "schools" : "counties");
}

std::optional<std::string> ColumnFor(Table table, absl::string_view cell) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(cell);
  const Lookup& l = LookupFor(table);
  for (const ColumnTitle& c : l.columns) {
    if (c.name == trimmed) return c.name;
  }
  const std::string key = Normalize(trimmed);
  if (key.empty()) return std::nullopt;
  if (auto it = l.by_key.find(key); it != l.by_key.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> ColumnFor(Table table, absl::string_view group,
                                     absl::string_view cell) {
  std::string g = Normalize(group);
  if (g == "小学" || g == "初中" || g == "高中") g += "部";
  if (g.empty()) return std::nullopt;
  return ColumnFor(table, absl::StrCat(g, cell));
}

}  // namespace junheng::checklist::xlsx
