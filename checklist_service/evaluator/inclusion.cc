#include "checklist_service/evaluator/inclusion.h"

#include "absl/strings/str_cat.h"

namespace junheng::checklist {

namespace v1 = junheng::v1;

InclusionDecision DecideInclusion(const SchoolStats& school,
                                  const v1::Parameters& parameters) {
  if (school.type == SchoolType::kSpecial) {
    return {Inclusion::kExcluded,
            "特殊教育学校不参与资源配置指标和差异系数计算"};
  }
  if (school.type != SchoolType::kTeachingPoint) return {};
  const int64_t cut_off = parameters.teaching_point_min_students();
  if (!school.primary.students.has_value()) {
    return {Inclusion::kUnknown,
            absl::StrCat("教学点在校生数未填报，无法判断是否达到 ", cut_off,
                         " 人的计入标准")};
  }
  if (*school.primary.students < cut_off) {
    return {
        Inclusion::kExcluded,
        absl::StrCat("教学点在校生 ", *school.primary.students, " 人，不足 ",
                     cut_off, " 人，不参与资源配置指标和差异系数计算")};
  }
  return {};
}

bool Covers(v1::SchoolCoverage coverage, const SchoolStats& school,
            Inclusion inclusion) {
  switch (coverage) {
    case v1::SCHOOL_COVERAGE_COUNTED:
      return inclusion != Inclusion::kExcluded;
    case v1::SCHOOL_COVERAGE_REGULAR:
      return school.type != SchoolType::kTeachingPoint &&
             school.type != SchoolType::kSpecial;
    case v1::SCHOOL_COVERAGE_ALL:
      return true;
    default:
      return false;
  }
}

absl::Span<const v1::Level> PartsOf(SchoolType type) {
  static constexpr v1::Level kBoth[] = {v1::LEVEL_PRIMARY, v1::LEVEL_JUNIOR};
  switch (type) {
    case SchoolType::kPrimary:
    case SchoolType::kTeachingPoint:
      return absl::MakeConstSpan(kBoth, 1);
    case SchoolType::kJunior:
      return absl::MakeConstSpan(kBoth + 1, 1);
    case SchoolType::kNineYear:
    case SchoolType::kTwelveYear:
      return absl::MakeConstSpan(kBoth, 2);
    case SchoolType::kSpecial:
      break;
  }
  return {};
}

const char* SchoolTypeNameZh(SchoolType type) {
  switch (type) {
    case SchoolType::kPrimary:
      return "小学";
    case SchoolType::kJunior:
      return "初中";
    case SchoolType::kNineYear:
      return "九年一贯制学校";
    case SchoolType::kTwelveYear:
      return "十二年一贯制学校";
    case SchoolType::kTeachingPoint:
      return "教学点";
    case SchoolType::kSpecial:
      return "特殊教育学校";
  }
  return "";
}

}  // namespace junheng::checklist
