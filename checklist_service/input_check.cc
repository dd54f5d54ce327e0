#include "checklist_service/input_check.h"

#include <cmath>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

absl::Status Bad(const std::string& where, const char* column,
                 const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", column, " ", why));
}

template <typename T>
absl::Status NonNegative(const std::string& where, const char* column,
                         const std::optional<T>& value) {
  if (!value.has_value()) return absl::OkStatus();
  if (!std::isfinite(static_cast<double>(*value)) || *value < 0) {
    return Bad(where, column,
               absl::StrCat("= ", *value, ": must be a non-negative number"));
  }
  return absl::OkStatus();
}

absl::Status CheckResources(const std::string& where, const char* prefix,
                            const SharedResources& r) {
  auto column = [prefix](const char* name) {
    return absl::StrCat(prefix, name);
  };
  RETURN_IF_ERROR(NonNegative(where, column("teaching_area_m2").c_str(),
                              r.teaching_area_m2));
  RETURN_IF_ERROR(
      NonNegative(where, column("sports_area_m2").c_str(), r.sports_area_m2));
  RETURN_IF_ERROR(NonNegative(where, column("equipment_value_yuan").c_str(),
                              r.equipment_value_yuan));
  RETURN_IF_ERROR(NonNegative(where, column("multimedia_classrooms").c_str(),
                              r.multimedia_classrooms));
  RETURN_IF_ERROR(NonNegative(where, column("computers").c_str(), r.computers));
  return NonNegative(where, column("books").c_str(), r.books);
}

bool AnyReported(const SharedResources& r) {
  return r.teaching_area_m2 || r.sports_area_m2 || r.equipment_value_yuan ||
         r.multimedia_classrooms || r.computers || r.books;
}

bool AnyReported(const LevelStats& s) {
  return s.students || s.classes || s.max_class_size || s.teachers ||
         s.teachers_above_degree || s.backbone_teachers || s.pe_art_teachers ||
         s.certified_teachers || s.senior_title_teachers || AnyReported(s.own);
}

absl::Status CheckLevel(const std::string& where, const char* prefix,
                        const LevelStats& s) {
  auto column = [prefix](const char* name) {
    return absl::StrCat(prefix, name);
  };
  RETURN_IF_ERROR(NonNegative(where, column("students").c_str(), s.students));
  RETURN_IF_ERROR(NonNegative(where, column("classes").c_str(), s.classes));
  RETURN_IF_ERROR(NonNegative(where, column("max_class_size").c_str(),
                              s.max_class_size));
  RETURN_IF_ERROR(NonNegative(where, column("teachers").c_str(), s.teachers));
  RETURN_IF_ERROR(NonNegative(where, column("teachers_above_degree").c_str(),
                              s.teachers_above_degree));
  RETURN_IF_ERROR(NonNegative(where, column("backbone_teachers").c_str(),
                              s.backbone_teachers));
  RETURN_IF_ERROR(NonNegative(where, column("pe_art_teachers").c_str(),
                              s.pe_art_teachers));
  RETURN_IF_ERROR(NonNegative(where, column("certified_teachers").c_str(),
                              s.certified_teachers));
  RETURN_IF_ERROR(NonNegative(where, column("senior_title_teachers").c_str(),
                              s.senior_title_teachers));
  return CheckResources(where, prefix, s.own);
}

}  // namespace

absl::Status CheckSchool(const SchoolStats& school) {
  const std::string where = absl::StrCat("school ", school.school_code);
  RETURN_IF_ERROR(CheckLevel(where, "p_", school.primary));
  RETURN_IF_ERROR(CheckLevel(where, "j_", school.junior));
  RETURN_IF_ERROR(CheckResources(where, "", school.shared));
  RETURN_IF_ERROR(NonNegative(where, "h_students", school.senior_students));
  RETURN_IF_ERROR(NonNegative(where, "music_rooms", school.music_rooms));
  RETURN_IF_ERROR(NonNegative(where, "art_rooms", school.art_rooms));
  RETURN_IF_ERROR(NonNegative(where, "music_room_min_area_m2",
                              school.music_room_min_area_m2));
  RETURN_IF_ERROR(NonNegative(where, "art_room_min_area_m2",
                              school.art_room_min_area_m2));
  RETURN_IF_ERROR(
      NonNegative(where, "public_funds_yuan", school.public_funds_yuan));
  RETURN_IF_ERROR(
      NonNegative(where, "training_funds_yuan", school.training_funds_yuan));

  const bool has_primary = school.type != SchoolType::kJunior;
  const bool has_junior = school.type == SchoolType::kJunior ||
                          school.type == SchoolType::kNineYear ||
                          school.type == SchoolType::kTwelveYear ||
                          school.type == SchoolType::kSpecial;
  if (!has_primary && AnyReported(school.primary)) {
    return Bad(where, "p_*", "given for a junior school, which has no primary part");
  }
  if (!has_junior && AnyReported(school.junior)) {
    return Bad(where, "j_*",
               "given for a school type without a junior part");
  }
  if (school.type != SchoolType::kTwelveYear &&
      school.senior_students.value_or(0) > 0) {
    return Bad(where, "h_students", "given for a school that is not twelve-year");
  }
  return absl::OkStatus();
}

absl::Status CheckCountyInput(const CountyInput& input) {
  const CountyStats& c = input.county;
  const std::string where = absl::StrCat("county ", c.county_code);
  RETURN_IF_ERROR(NonNegative(where, "special_ed_funds_per_student_yuan",
                              c.special_ed_funds_per_student_yuan));
  RETURN_IF_ERROR(NonNegative(where, "teacher_avg_salary_yuan",
                              c.teacher_avg_salary_yuan));
  RETURN_IF_ERROR(NonNegative(where, "civil_servant_avg_salary_yuan",
                              c.civil_servant_avg_salary_yuan));
  RETURN_IF_ERROR(NonNegative(where, "training_360h_completion_rate",
                              c.training_360h_completion_rate));
  RETURN_IF_ERROR(NonNegative(where, "rotation_eligible_teachers",
                              c.rotation_eligible_teachers));
  RETURN_IF_ERROR(
      NonNegative(where, "rotated_teachers", c.rotated_teachers));
  RETURN_IF_ERROR(NonNegative(where, "rotated_backbone_teachers",
                              c.rotated_backbone_teachers));
  RETURN_IF_ERROR(NonNegative(where, "nearby_enrollment_rate_primary",
                              c.nearby_enrollment_rate_primary));
  RETURN_IF_ERROR(NonNegative(where, "nearby_enrollment_rate_junior",
                              c.nearby_enrollment_rate_junior));
  RETURN_IF_ERROR(NonNegative(where, "quality_high_school_quota_ratio",
                              c.quality_high_school_quota_ratio));
  RETURN_IF_ERROR(NonNegative(where, "migrant_children_public_ratio",
                              c.migrant_children_public_ratio));
  RETURN_IF_ERROR(NonNegative(where, "junior_consolidation_rate",
                              c.junior_consolidation_rate));
  RETURN_IF_ERROR(NonNegative(where, "disabled_enrollment_rate",
                              c.disabled_enrollment_rate));
  RETURN_IF_ERROR(
      NonNegative(where, "monitoring_min_level", c.monitoring_min_level));
  RETURN_IF_ERROR(NonNegative(where, "monitoring_interschool_difference",
                              c.monitoring_interschool_difference));
  RETURN_IF_ERROR(
      NonNegative(where, "satisfaction_rate", c.satisfaction_rate));

  absl::flat_hash_set<std::string> schools;
  for (const SchoolStats& school : input.schools) {
    if (school.county_code != c.county_code || school.year != c.year) {
      return absl::InvalidArgumentError(absl::StrCat(
          "school ", school.school_code, " is in county ", school.county_code,
          " year ", school.year, ", not county ", c.county_code, " year ",
          c.year));
    }
    if (!schools.insert(school.school_code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("school ", school.school_code, " given twice"));
    }
    RETURN_IF_ERROR(CheckSchool(school));
  }
  absl::flat_hash_set<std::string> codes;
  for (const Judgement& judgement : input.judgements) {
    if (!codes.insert(judgement.code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two judgements for ", judgement.code));
    }
  }
  return absl::OkStatus();
}

}  // namespace junheng::checklist
