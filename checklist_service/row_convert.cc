#include "checklist_service/row_convert.h"

#include <set>

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

SchoolType ToType(csv::SchoolType t) {
  switch (t) {
    case csv::SchoolType::kPrimary:
      return SchoolType::kPrimary;
    case csv::SchoolType::kJunior:
      return SchoolType::kJunior;
    case csv::SchoolType::kNineYear:
      return SchoolType::kNineYear;
    case csv::SchoolType::kTwelveYear:
      return SchoolType::kTwelveYear;
    case csv::SchoolType::kTeachingPoint:
      return SchoolType::kTeachingPoint;
    case csv::SchoolType::kSpecial:
      return SchoolType::kSpecial;
  }
  return SchoolType::kPrimary;
}

Location ToLocation(csv::Location l) {
  switch (l) {
    case csv::Location::kUrban:
      return Location::kUrban;
    case csv::Location::kTown:
      return Location::kTown;
    case csv::Location::kRural:
      return Location::kRural;
  }
  return Location::kUrban;
}

SharedResources Shared(const csv::SchoolResources& r) {
  return {r.teaching_area_m2,      r.sports_area_m2, r.equipment_value_yuan,
          r.multimedia_classrooms, r.computers,      r.books};
}

LevelStats Level(const csv::SchoolLevelRow& l) {
  LevelStats out;
  out.students = l.students;
  out.classes = l.classes;
  out.max_class_size = l.max_class_size;
  out.teachers = l.teachers;
  out.teachers_above_degree = l.teachers_above_degree;
  out.backbone_teachers = l.backbone_teachers;
  out.pe_art_teachers = l.pe_art_teachers;
  out.certified_teachers = l.certified_teachers;
  out.senior_title_teachers = l.senior_title_teachers;
  out.own = Shared(l.resources);
  return out;
}

// A whole-school figure, or the sum of both parts when only parts are given.
template <typename T>
std::optional<T> WholeOrParts(const std::optional<T>& whole,
                              const std::optional<T>& p,
                              const std::optional<T>& j) {
  if (whole || !p || !j) return whole;
  return *p + *j;
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

SchoolStats ToStats(const csv::SchoolRow& row) {
  SchoolStats s;
  s.county_code = row.county_code.value_or("");
  s.school_code = row.school_code.value_or("");
  s.school_name = row.school_name.value_or("");
  s.year = row.year.value_or(0);
  s.type = ToType(row.school_type.value_or(csv::SchoolType::kPrimary));
  if (row.location) s.location = ToLocation(*row.location);
  s.boarding = row.boarding;
  s.has_charter = row.has_charter;
  s.primary = Level(row.primary);
  s.junior = Level(row.junior);
  s.senior_students = row.h_students;
  s.shared = Shared(row.resources);
  const auto& r = row.resources;
  const auto& p = row.primary.resources;
  const auto& j = row.junior.resources;
  s.music_rooms = WholeOrParts(r.music_rooms, p.music_rooms, j.music_rooms);
  s.art_rooms = WholeOrParts(r.art_rooms, p.art_rooms, j.art_rooms);
  s.music_room_min_area_m2 = r.music_room_min_area_m2;
  s.art_room_min_area_m2 = r.art_room_min_area_m2;
  s.public_funds_yuan = WholeOrParts(r.public_funds_yuan, p.public_funds_yuan,
                                     j.public_funds_yuan);
  s.training_funds_yuan = WholeOrParts(
      r.training_funds_yuan, p.training_funds_yuan, j.training_funds_yuan);
  return s;
}

CountyStats ToStats(const csv::CountyRow& row) {
  CountyStats c;
  c.county_code = row.county_code.value_or("");
  c.county_name = row.county_name.value_or("");
  c.year = row.year.value_or(0);
  c.province_code = row.province_code.value_or("");
  c.special_ed_funds_per_student_yuan = row.special_ed_funds_per_student_yuan;
  c.small_schools_funded_as_100 = row.small_schools_funded_as_100;
  c.teacher_avg_salary_yuan = row.teacher_avg_salary_yuan;
  c.civil_servant_avg_salary_yuan = row.civil_servant_avg_salary_yuan;
  c.training_360h_completion_rate = row.training_360h_completion_rate;
  c.rotation_eligible_teachers = row.rotation_eligible_teachers;
  c.rotated_teachers = row.rotated_teachers;
  c.rotated_backbone_teachers = row.rotated_backbone_teachers;
  c.nearby_enrollment_rate_primary = row.nearby_enrollment_rate_primary;
  c.nearby_enrollment_rate_junior = row.nearby_enrollment_rate_junior;
  c.quality_high_school_quota_ratio = row.quality_high_school_quota_ratio;
  c.migrant_children_public_ratio = row.migrant_children_public_ratio;
  c.junior_consolidation_rate = row.junior_consolidation_rate;
  c.disabled_enrollment_rate = row.disabled_enrollment_rate;
  if (row.monitoring_min_level)
    c.monitoring_min_level = *row.monitoring_min_level;
  c.monitoring_interschool_difference = row.monitoring_interschool_difference;
  c.satisfaction_rate = row.satisfaction_rate;
  return c;
}

absl::StatusOr<std::vector<SchoolStats>> SchoolsFromCells(
    const std::vector<const Cells*>& rows) {
  std::vector<SchoolStats> out;
  if (rows.empty()) return out;
  csv::SchoolsImporter importer;
  (void)importer.Feed(ToCsv(rows));
  auto result = importer.Finish();
  if (!result.ok()) {
    return absl::DataLossError(absl::StrCat(
        "stored school rows no longer parse: ", result.status().message()));
  }
  out.reserve(result->rows.size());
  for (const auto& row : result->rows) out.push_back(ToStats(row));
  return out;
}

absl::StatusOr<CountyStats> CountyFromCells(const Cells& cells) {
  csv::CountiesImporter importer;
  (void)importer.Feed(ToCsv({&cells}));
  auto result = importer.Finish();
  if (!result.ok() || result->rows.size() != 1) {
    return absl::DataLossError("the stored county row no longer parses");
  }
  return ToStats(result->rows[0]);
}

}  // namespace junheng::checklist
