#include "checklist_service/evaluator/input_check.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

// "school 2133010601" or "county 330106", for messages only: built when a
// check fails, not for every school of every evaluation.
struct Where {
  const char* kind;
  absl::string_view code;
};

absl::Status Bad(Where where, absl::string_view column, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(where.kind, " ", where.code, ": ", column, " ", why));
}

// The column is named as prefix + name, built only for the message: this
// runs for every figure of every school on every evaluation.
template <typename T>
absl::Status NonNegative(Where where, absl::string_view prefix,
                         absl::string_view name,
                         const std::optional<T>& value) {
  if (!value.has_value()) return absl::OkStatus();
  if (!std::isfinite(static_cast<double>(*value)) || *value < 0) {
    return Bad(where, absl::StrCat(prefix, name),
               absl::StrCat("= ", *value, ": must be a non-negative number"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status NonNegative(Where where, absl::string_view name,
                         const std::optional<T>& value) {
  return NonNegative(where, "", name, value);
}

absl::Status CheckResources(Where where, absl::string_view prefix,
                            const SharedResources& r) {
  RETURN_IF_ERROR(
      NonNegative(where, prefix, "teaching_area_m2", r.teaching_area_m2));
  RETURN_IF_ERROR(
      NonNegative(where, prefix, "sports_area_m2", r.sports_area_m2));
  RETURN_IF_ERROR(NonNegative(where, prefix, "equipment_value_yuan",
                              r.equipment_value_yuan));
  RETURN_IF_ERROR(NonNegative(where, prefix, "multimedia_classrooms",
                              r.multimedia_classrooms));
  RETURN_IF_ERROR(NonNegative(where, prefix, "computers", r.computers));
  return NonNegative(where, prefix, "books", r.books);
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

absl::Status CheckLevel(Where where, absl::string_view prefix,
                        const LevelStats& s) {
  RETURN_IF_ERROR(NonNegative(where, prefix, "students", s.students));
  RETURN_IF_ERROR(NonNegative(where, prefix, "classes", s.classes));
  RETURN_IF_ERROR(
      NonNegative(where, prefix, "max_class_size", s.max_class_size));
  RETURN_IF_ERROR(NonNegative(where, prefix, "teachers", s.teachers));
  RETURN_IF_ERROR(NonNegative(where, prefix, "teachers_above_degree",
                              s.teachers_above_degree));
  RETURN_IF_ERROR(
      NonNegative(where, prefix, "backbone_teachers", s.backbone_teachers));
  RETURN_IF_ERROR(
      NonNegative(where, prefix, "pe_art_teachers", s.pe_art_teachers));
  RETURN_IF_ERROR(
      NonNegative(where, prefix, "certified_teachers", s.certified_teachers));
  RETURN_IF_ERROR(NonNegative(where, prefix, "senior_title_teachers",
                              s.senior_title_teachers));
  return CheckResources(where, prefix, s.own);
}

absl::Status CheckFigures(Where where, const SchoolStats& school) {
  RETURN_IF_ERROR(CheckLevel(where, "p_", school.primary));
  RETURN_IF_ERROR(CheckLevel(where, "j_", school.junior));
  RETURN_IF_ERROR(CheckResources(where, "", school.shared));
  RETURN_IF_ERROR(NonNegative(where, "h_students", school.senior_students));
  RETURN_IF_ERROR(NonNegative(where, "music_rooms", school.music_rooms));
  RETURN_IF_ERROR(NonNegative(where, "art_rooms", school.art_rooms));
  RETURN_IF_ERROR(NonNegative(where, "music_room_min_area_m2",
                              school.music_room_min_area_m2));
  RETURN_IF_ERROR(
      NonNegative(where, "art_room_min_area_m2", school.art_room_min_area_m2));
  RETURN_IF_ERROR(
      NonNegative(where, "public_funds_yuan", school.public_funds_yuan));
  RETURN_IF_ERROR(
      NonNegative(where, "training_funds_yuan", school.training_funds_yuan));
  return absl::OkStatus();
}

// The same conditions as NonNegative without building a Status: every
// figure of every school is checked on every evaluation, and almost all of
// them pass, so the Status chain below runs only to name the first failure.
bool Fine(const std::optional<int64_t>& value) {
  return !value.has_value() || *value >= 0;
}

// Finite and not negative in two comparisons: NaN fails both, -0 passes.
bool Fine(const std::optional<double>& value) {
  return !value.has_value() ||
         (*value >= 0 && *value <= std::numeric_limits<double>::max());
}

bool Fine(const SharedResources& r) {
  return Fine(r.teaching_area_m2) & Fine(r.sports_area_m2) &
         Fine(r.equipment_value_yuan) & Fine(r.multimedia_classrooms) &
         Fine(r.computers) & Fine(r.books);
}

bool Fine(const LevelStats& s) {
  return Fine(s.students) & Fine(s.classes) & Fine(s.max_class_size) &
         Fine(s.teachers) & Fine(s.teachers_above_degree) &
         Fine(s.backbone_teachers) & Fine(s.pe_art_teachers) &
         Fine(s.certified_teachers) & Fine(s.senior_title_teachers) &
         Fine(s.own);
}

bool FiguresFine(const SchoolStats& school) {
  return Fine(school.primary) & Fine(school.junior) & Fine(school.shared) &
         Fine(school.senior_students) & Fine(school.music_rooms) &
         Fine(school.art_rooms) & Fine(school.music_room_min_area_m2) &
         Fine(school.art_room_min_area_m2) & Fine(school.public_funds_yuan) &
         Fine(school.training_funds_yuan);
}

// FNV-1a over a school code (ten digits): absl's string hash, out of line
// in Debian's shared library, cost more than every other check of the
// county's input together. The table's probing needs no more than this of
// codes that come from one county's rows.
struct CodeHash {
  size_t operator()(absl::string_view code) const {
    uint64_t h = 14695981039346656037u;
    for (unsigned char c : code) h = (h ^ c) * 1099511628211u;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};

}  // namespace

absl::Status CheckSchool(const SchoolStats& school) {
  const Where where{"school", school.school_code};
  if (!FiguresFine(school)) {
    RETURN_IF_ERROR(CheckFigures(where, school));
  }

  const bool has_primary = school.type != SchoolType::kJunior;
  const bool has_junior = school.type == SchoolType::kJunior ||
                          school.type == SchoolType::kNineYear ||
                          school.type == SchoolType::kTwelveYear ||
                          school.type == SchoolType::kSpecial;
  if (!has_primary && AnyReported(school.primary)) {
    return Bad(where, "p_*",
               "given for a junior school, which has no primary part");
  }
  if (!has_junior && AnyReported(school.junior)) {
    return Bad(where, "j_*", "given for a school type without a junior part");
  }
  if (school.type != SchoolType::kTwelveYear &&
      school.senior_students.value_or(0) > 0) {
    return Bad(where, "h_students",
               "given for a school that is not twelve-year");
  }
  return absl::OkStatus();
}

absl::Status CheckCountyInput(const CountyInput& input) {
  const CountyStats& c = input.county;
  const Where where{"county", c.county_code};
  RETURN_IF_ERROR(NonNegative(where, "special_ed_funds_per_student_yuan",
                              c.special_ed_funds_per_student_yuan));
  RETURN_IF_ERROR(
      NonNegative(where, "teacher_avg_salary_yuan", c.teacher_avg_salary_yuan));
  RETURN_IF_ERROR(NonNegative(where, "civil_servant_avg_salary_yuan",
                              c.civil_servant_avg_salary_yuan));
  RETURN_IF_ERROR(NonNegative(where, "training_360h_completion_rate",
                              c.training_360h_completion_rate));
  RETURN_IF_ERROR(NonNegative(where, "rotation_eligible_teachers",
                              c.rotation_eligible_teachers));
  RETURN_IF_ERROR(NonNegative(where, "rotated_teachers", c.rotated_teachers));
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
  RETURN_IF_ERROR(NonNegative(where, "satisfaction_rate", c.satisfaction_rate));

  absl::flat_hash_set<absl::string_view, CodeHash> schools;
  schools.reserve(input.schools.size());
  for (const SchoolStats& school : input.schools) {
    if (school.county_code != c.county_code || school.year != c.year) {
      return absl::InvalidArgumentError(
          absl::StrCat("school ", school.school_code, " is in county ",
                       school.county_code, " year ", school.year,
                       ", not county ", c.county_code, " year ", c.year));
    }
    if (!schools.insert(school.school_code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("school ", school.school_code, " given twice"));
    }
    RETURN_IF_ERROR(CheckSchool(school));
  }
  absl::flat_hash_set<absl::string_view> codes;
  for (const Judgement& judgement : input.judgements) {
    if (!codes.insert(judgement.code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two judgements for ", judgement.code));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CheckedCountyInput> CheckedCountyInput::Check(
    const CountyInput& input) {
  RETURN_IF_ERROR(CheckCountyInput(input));
  return CheckedCountyInput(input);
}

}  // namespace junheng::checklist
