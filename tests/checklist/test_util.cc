#include "tests/checklist/test_util.h"

#include <cstdlib>
#include <iostream>

namespace junheng::checklist::testing {

namespace v1 = junheng::v1;

const StandardMap& RealStandards() {
  static const StandardMap* const kStandards = [] {
    absl::StatusOr<StandardMap> standards =
        LoadStandardsDirectory(JUNHENG_SOURCE_DIR "/standards");
    if (!standards.ok()) {
      std::cerr << standards.status() << "\n";
      std::abort();
    }
    return new StandardMap(*std::move(standards));
  }();
  return *kStandards;
}

const v1::IndicatorStandard& Standard(const std::string& id) {
  return RealStandards().at(id);
}

const v1::Indicator& IndicatorOf(const std::string& standard_id,
                                 const std::string& code) {
  for (const v1::Indicator& indicator : Standard(standard_id).indicators()) {
    if (indicator.code() == code) return indicator;
  }
  std::cerr << "no indicator " << code << " in " << standard_id << "\n";
  std::abort();
}

namespace {

SchoolStats Common(const std::string& code) {
  SchoolStats s;
  s.county_code = "330106";
  s.school_code = code;
  s.school_name = "学校" + code;
  s.year = 2025;
  s.location = Location::kUrban;
  s.boarding = false;
  s.has_charter = true;
  s.music_rooms = 2;
  s.art_rooms = 2;
  s.music_room_min_area_m2 = 100;
  s.art_room_min_area_m2 = 95;
  s.public_funds_yuan = 1000000;
  s.training_funds_yuan = 60000;
  s.shared.computers = 200;
  s.shared.books = 30000;
  return s;
}

}  // namespace

SchoolStats PassingPrimary(const std::string& code) {
  SchoolStats s = Common(code);
  s.type = SchoolType::kPrimary;
  LevelStats& p = s.primary;
  p.students = 1000;
  p.classes = 24;
  p.max_class_size = 42;
  p.teachers = 60;
  p.teachers_above_degree = 50;
  p.backbone_teachers = 20;
  p.pe_art_teachers = 12;
  p.certified_teachers = 60;
  p.senior_title_teachers = 30;
  s.shared.teaching_area_m2 = 6000;
  s.shared.sports_area_m2 = 9000;
  s.shared.equipment_value_yuan = 2500000;
  s.shared.multimedia_classrooms = 30;
  return s;
}

SchoolStats PassingJunior(const std::string& code) {
  SchoolStats s = Common(code);
  s.type = SchoolType::kJunior;
  LevelStats& j = s.junior;
  j.students = 1000;
  j.classes = 22;
  j.max_class_size = 48;
  j.teachers = 80;
  j.teachers_above_degree = 60;
  j.backbone_teachers = 20;
  j.pe_art_teachers = 12;
  j.certified_teachers = 80;
  j.senior_title_teachers = 40;
  s.shared.teaching_area_m2 = 7000;
  s.shared.sports_area_m2 = 12000;
  s.shared.equipment_value_yuan = 3000000;
  s.shared.multimedia_classrooms = 30;
  return s;
}

CountyStats PassingCounty() {
  CountyStats c;
  c.county_code = "330106";
  c.county_name = "西湖区";
  c.year = 2025;
  c.province_code = "33";
  c.special_ed_funds_per_student_yuan = 9000;
  c.small_schools_funded_as_100 = true;
  c.teacher_avg_salary_yuan = 120000;
  c.civil_servant_avg_salary_yuan = 110000;
  c.training_360h_completion_rate = 1.0;
  c.rotation_eligible_teachers = 1000;
  c.rotated_teachers = 150;
  c.rotated_backbone_teachers = 40;
  c.nearby_enrollment_rate_primary = 1.0;
  c.nearby_enrollment_rate_junior = 0.98;
  c.quality_high_school_quota_ratio = 0.6;
  c.migrant_children_public_ratio = 0.9;
  c.junior_consolidation_rate = 0.99;
  c.disabled_enrollment_rate = 0.97;
  c.monitoring_min_level = 3;
  c.monitoring_interschool_difference = 0.10;
  c.satisfaction_rate = 0.92;
  return c;
}

std::vector<Judgement> PassingJudgements(
    const v1::IndicatorStandard& standard) {
  std::vector<Judgement> judgements;
  for (const v1::Indicator& indicator : standard.indicators()) {
    if (!indicator.needs_judgement()) continue;
    Judgement j;
    j.code = indicator.code();
    j.passed = true;
    if (indicator.formula() == v1::FORMULA_JUDGEMENT_SCORE) j.score = 92;
    j.comment = "符合要求";
    judgements.push_back(j);
  }
  for (const v1::VetoItem& veto : standard.veto_items()) {
    Judgement j;
    j.code = veto.code();
    j.passed = true;
    judgements.push_back(j);
  }
  return judgements;
}

}  // namespace junheng::checklist::testing
