// Which schools the resource indicators and the coefficients count, and
// which schools a SCOPE_SCHOOL indicator covers.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INCLUSION_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INCLUSION_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

struct InclusionDecision {
  Inclusion inclusion = Inclusion::kCounted;
  // Empty when counted.
  std::string reason;
};

// Special-education schools are excluded; teaching points are excluded under
// `parameters.teaching_point_min_students` primary students, and undecided
// (kUnknown) when their students are not reported. Everything else counts.
InclusionDecision DecideInclusion(const SchoolStats& school,
                                  const junheng::v1::Parameters& parameters);

// Whether a SCOPE_SCHOOL indicator with `coverage` is checked at `school`.
// A school whose inclusion is unknown is covered by SCHOOL_COVERAGE_COUNTED
// (its check then reports what is missing) so that it is not silently
// skipped.
bool Covers(junheng::v1::SchoolCoverage coverage, const SchoolStats& school,
            Inclusion inclusion);

// The parts a school of this type has: primary first. Special-education
// schools have none for the purposes of the resource indicators. A view of
// static storage: called for every school and check, it allocates nothing.
absl::Span<const junheng::v1::Level> PartsOf(SchoolType type);

// The p_ or j_ statistics of `school`.
inline const LevelStats& PartStats(const SchoolStats& school,
                                   junheng::v1::Level level) {
  return level == junheng::v1::LEVEL_JUNIOR ? school.junior : school.primary;
}

// "小学", "初中", "九年一贯制学校", …
const char* SchoolTypeNameZh(SchoolType type);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_INCLUSION_H_
