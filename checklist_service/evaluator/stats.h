// Plain input types of the evaluator: the statistics of one school and of one
// county for one school year, as the CSV contract defines them
// (docs: shared/domain/data-format.md; every member is named after its column),
// and the judgements inspectors record.
//
// Every reported value is a std::optional: nullopt is a blank cell, "not
// reported", which the evaluator never replaces by 0 or by a guess.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_STATS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_STATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace junheng::checklist {

// The most significant digits a reported decimal figure (an area, an amount
// of money, a rate) may have. Held as the nearest double, a decimal of at
// most 15 significant digits is still exactly the decimal it was (DBL_DIG),
// which is what lets the evaluator decide exactly (exact.h). The importers
// refuse longer figures.
inline constexpr int kMaxSignificantDigits = 15;

// The CSV spelling of each value is in the comment; SchoolTypeName() and
// LocationName() return it.
enum class SchoolType {
  kPrimary,        // primary 小学
  kJunior,         // junior 初中
  kNineYear,       // nine_year 九年一贯制
  kTwelveYear,     // twelve_year 十二年一贯制
  kTeachingPoint,  // teaching_point 教学点 (primary level)
  kSpecial,        // special 特殊教育学校
};

enum class Location {
  kUrban,  // urban 城区
  kTown,   // town 镇区
  kRural,  // rural 乡村
};

constexpr absl::string_view SchoolTypeName(SchoolType type) {
  switch (type) {
    case SchoolType::kPrimary:
      return "primary";
    case SchoolType::kJunior:
      return "junior";
    case SchoolType::kNineYear:
      return "nine_year";
    case SchoolType::kTwelveYear:
      return "twelve_year";
    case SchoolType::kTeachingPoint:
      return "teaching_point";
    case SchoolType::kSpecial:
      return "special";
  }
  return "?";
}

constexpr absl::string_view LocationName(Location location) {
  switch (location) {
    case Location::kUrban:
      return "urban";
    case Location::kTown:
      return "town";
    case Location::kRural:
      return "rural";
  }
  return "?";
}

// Resources a school shares between its parts. Reported for the whole school,
// or per part (the p_/j_ prefixed columns) when the school splits them itself.
struct SharedResources {
  std::optional<double> teaching_area_m2;
  std::optional<double> sports_area_m2;
  std::optional<double> equipment_value_yuan;
  std::optional<int64_t> multimedia_classrooms;
  std::optional<int64_t> computers;
  std::optional<int64_t> books;
};

// Special rooms and funds. The evaluator judges them for the whole school
// only (SchoolStats); a school may also report them per part (LevelStats,
// the p_/j_ prefixed columns).
struct RoomsAndFunds {
  std::optional<int64_t> music_rooms;
  std::optional<int64_t> art_rooms;
  std::optional<double> music_room_min_area_m2;
  std::optional<double> art_room_min_area_m2;
  std::optional<double> public_funds_yuan;
  std::optional<double> training_funds_yuan;
};

// One part of a school: its primary part (p_ columns) or junior part (j_).
// A pure primary school leaves `junior` all blank, and so on. The inherited
// RoomsAndFunds hold the part's own figures (p_music_rooms, …), which the
// evaluator does not read.
struct LevelStats : RoomsAndFunds {
  std::optional<int64_t> students;
  std::optional<int64_t> classes;
  std::optional<int64_t> max_class_size;
  std::optional<int64_t> teachers;
  std::optional<int64_t> teachers_above_degree;
  std::optional<int64_t> backbone_teachers;
  std::optional<int64_t> pe_art_teachers;
  std::optional<int64_t> certified_teachers;
  std::optional<int64_t> senior_title_teachers;
  // Per-part shared resources (p_teaching_area_m2, …); where set they are used
  // instead of apportioning the whole-school value.
  SharedResources own;
};

// One row of schools.csv. The inherited RoomsAndFunds are the whole
// school's: music_rooms, art_rooms, public_funds_yuan and
// training_funds_yuan, when reported only for the two parts, are their sum
// (the importer fills it in); the smallest-room areas never are.
struct SchoolStats : RoomsAndFunds {
  std::string county_code;
  std::string school_code;
  std::string school_name;
  int year = 0;
  SchoolType type = SchoolType::kPrimary;
  std::optional<Location> location;
  std::optional<bool> boarding;
  std::optional<bool> has_charter;

  LevelStats primary;
  LevelStats junior;
  // h_students: senior-high students of a twelve-year school, used only to
  // apportion shared resources.
  std::optional<int64_t> senior_students;

  // Whole-school shared resources.
  SharedResources shared;
};

// One row of counties.csv. Rates and shares are fractions (0.953).
struct CountyStats {
  std::string county_code;
  std::string county_name;
  int year = 0;
  std::string province_code;  // empty: not reported
  std::optional<double> special_ed_funds_per_student_yuan;
  std::optional<bool> small_schools_funded_as_100;
  std::optional<double> teacher_avg_salary_yuan;
  std::optional<double> civil_servant_avg_salary_yuan;
  std::optional<double> training_360h_completion_rate;
  std::optional<int64_t> rotation_eligible_teachers;
  std::optional<int64_t> rotated_teachers;
  std::optional<int64_t> rotated_backbone_teachers;
  std::optional<double> nearby_enrollment_rate_primary;
  std::optional<double> nearby_enrollment_rate_junior;
  std::optional<double> quality_high_school_quota_ratio;
  std::optional<double> migrant_children_public_ratio;
  std::optional<double> junior_consolidation_rate;
  std::optional<double> disabled_enrollment_rate;
  std::optional<int64_t> monitoring_min_level;
  std::optional<double> monitoring_interschool_difference;
  std::optional<double> satisfaction_rate;
};

// An inspector's judgement of a qualitative indicator (G1, Q6, …) or a veto
// item, for the county. For a veto item `passed` means the county is clear
// of it (the veto does not apply).
struct Judgement {
  // Indicator or veto code, e.g. "G1", "V6".
  std::string code;
  // Unset: recorded without a decision yet, which counts as not reported.
  std::optional<bool> passed;
  // For scored judgements (FORMULA_JUDGEMENT_SCORE, e.g. the 2012 government
  // effort out of 100); `passed` is then not consulted.
  std::optional<double> score;
  std::string comment;
  // Names of the archive evidence the inspector relied on.
  std::vector<std::string> evidence;
};

// Everything one county evaluation reads.
struct CountyInput {
  CountyStats county;
  std::vector<SchoolStats> schools;
  std::vector<Judgement> judgements;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_STATS_H_
