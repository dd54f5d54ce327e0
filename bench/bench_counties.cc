#include "bench/bench_counties.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

// The source tree's standards/, as the build configured it: __FILE__ is
// relative under a compiler cache's base directory, and the bench is run
// from anywhere.
std::string StandardsDir() {
  if (const char* dir = std::getenv("JUNHENG_STANDARDS_DIR")) return dir;
  return std::string(JUNHENG_SOURCE_DIR) + "/standards";
}

}  // namespace

const StandardMap& Standards() {
  static const StandardMap* const kStandards = [] {
    absl::StatusOr<StandardMap> standards =
        LoadStandardsDirectory(StandardsDir());
    if (!standards.ok()) {
      std::cerr << standards.status() << "\n";
      std::exit(1);
    }
    return new StandardMap(*std::move(standards));
  }();
  return *kStandards;
}

LevelStats Generator::Part(int64_t students, bool primary) {
  LevelStats p;
  const double per100 = static_cast<double>(students) / 100.0;
  p.students = students;
  p.classes = std::max<int64_t>(1, students / (primary ? 42 : 47));
  p.max_class_size = primary ? 40 + rng_() % 7 : 44 + rng_() % 8;
  p.teachers_above_degree = Maybe<int64_t>(
      static_cast<int64_t>(Around(primary ? 4.2 : 5.3) * per100));
  p.backbone_teachers =
      Maybe<int64_t>(static_cast<int64_t>(Around(1.0) * per100));
  p.pe_art_teachers =
      Maybe<int64_t>(static_cast<int64_t>(Around(0.9) * per100));
  p.teachers = static_cast<int64_t>(per100 * (primary ? 6 : 8));
  p.certified_teachers =
      OneIn(30) && *p.teachers > 0 ? *p.teachers - 1 : *p.teachers;
  p.senior_title_teachers = static_cast<int64_t>(*p.teachers * 0.4);
  return p;
}

SchoolStats Generator::School(const std::string& county, int index) {
  SchoolStats s;
  s.county_code = county;
  s.school_code = absl::StrCat(county, 1000 + index);
  s.school_name = absl::StrCat("第", index, "小学");
  s.year = 2025;
  const uint32_t kind = rng_() % 100;
  s.type = kind < 55   ? SchoolType::kPrimary
           : kind < 80 ? SchoolType::kJunior
           : kind < 90 ? SchoolType::kNineYear
           : kind < 93 ? SchoolType::kTwelveYear
           : kind < 98 ? SchoolType::kTeachingPoint
                       : SchoolType::kSpecial;
  double primary = 0;
  double junior = 0;
  switch (s.type) {
    case SchoolType::kPrimary:
      primary = Uniform(200, 2000);
      break;
    case SchoolType::kJunior:
      junior = Uniform(300, 2000);
      break;
    case SchoolType::kNineYear:
    case SchoolType::kTwelveYear:
      primary = Uniform(300, 1300);
      junior = Uniform(200, 1000);
      break;
    case SchoolType::kTeachingPoint:
      primary = Uniform(10, 120);
      break;
    case SchoolType::kSpecial:
      primary = Uniform(40, 150);
      break;
  }
  if (primary > 0) s.primary = Part(static_cast<int64_t>(primary), true);
  if (junior > 0) s.junior = Part(static_cast<int64_t>(junior), false);
  if (s.type == SchoolType::kTwelveYear) {
    s.senior_students = static_cast<int64_t>(Uniform(300, 1200));
  }
  const double students = primary + junior * 1.1;
  s.shared.teaching_area_m2 = Maybe(Around(5.2) * students);
  s.shared.sports_area_m2 = Maybe(Around(8.8) * students);
  s.shared.equipment_value_yuan = Maybe(Around(2300) * students);
  s.shared.multimedia_classrooms =
      Maybe<int64_t>(static_cast<int64_t>(Around(2.4) * students / 100));
  s.shared.computers = static_cast<int64_t>(students * 0.15);
  s.shared.books = static_cast<int64_t>(students * 30);
  s.music_rooms = 1 + static_cast<int64_t>(students / 500);
  s.art_rooms = 1 + static_cast<int64_t>(students / 500);
  s.music_room_min_area_m2 = Uniform(94, 120);
  s.art_room_min_area_m2 = Uniform(88, 110);
  s.public_funds_yuan = students * 900;
  s.training_funds_yuan = *s.public_funds_yuan * Uniform(0.045, 0.08);
  s.has_charter = !OneIn(50);
  return s;
}

CountyInput Generator::County(const std::string& code, int schools,
                              const v1::IndicatorStandard& standard) {
  CountyInput input;
  CountyStats& c = input.county;
  c.county_code = code;
  c.county_name = "县" + code;
  c.year = 2025;
  c.special_ed_funds_per_student_yuan = Uniform(5500, 9000);
  c.small_schools_funded_as_100 = true;
  c.teacher_avg_salary_yuan = Uniform(100000, 130000);
  c.civil_servant_avg_salary_yuan = 110000;
  c.training_360h_completion_rate = OneIn(3) ? 0.98 : 1.0;
  c.rotation_eligible_teachers = 2000;
  c.rotated_teachers = static_cast<int64_t>(Uniform(180, 300));
  c.rotated_backbone_teachers = static_cast<int64_t>(Uniform(40, 80));
  c.nearby_enrollment_rate_primary = 1.0;
  c.nearby_enrollment_rate_junior = Uniform(0.93, 1.0);
  c.quality_high_school_quota_ratio = Uniform(0.45, 0.7);
  c.migrant_children_public_ratio = Uniform(0.8, 0.95);
  c.junior_consolidation_rate = Uniform(0.93, 0.99);
  c.disabled_enrollment_rate = Uniform(0.94, 0.99);
  c.monitoring_min_level = 3;
  c.monitoring_interschool_difference = Uniform(0.08, 0.17);
  c.satisfaction_rate = Uniform(0.82, 0.95);
  for (int i = 0; i < schools; ++i) input.schools.push_back(School(code, i));
  for (const v1::Indicator& indicator : standard.indicators()) {
    if (!indicator.needs_judgement()) continue;
    Judgement j;
    j.code = indicator.code();
    j.passed = !OneIn(10);
    j.score = Uniform(80, 98);
    input.judgements.push_back(j);
  }
  for (const v1::VetoItem& veto : standard.veto_items()) {
    Judgement j;
    j.code = veto.code();
    j.passed = true;
    input.judgements.push_back(j);
  }
  return input;
}

}  // namespace junheng::checklist
