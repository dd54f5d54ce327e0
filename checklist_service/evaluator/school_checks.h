// The indicators checked at every covered school (SCOPE_SCHOOL): G3 music and
// art rooms, G4 school size, G5 class size, G12 certified teachers, Q3
// charter, Q4 training funds. The county passes one of them when every
// covered school does.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_CHECKS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_CHECKS_H_

#include "absl/strings/string_view.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Checks `indicator` (SCOPE_SCHOOL) at `school`.
//
// Promises: the measurements the formula defines, each with value,
// threshold, outcome and, on failure, the shortfall (rooms to add, m² to
// enlarge the smallest room by, students over a size, certificates missing,
// yuan of training funds); reasons for every failure and for every input not
// reported, naming the column. The judgement part of an indicator that needs
// one is the county's, not evaluated here.
//
// Precondition: CheckEvaluable holds for the standard `indicator` is from.
IndicatorResult EvaluateSchoolCheck(const junheng::v1::Indicator& indicator,
                                    const SchoolStats& school);

// The thresholds the SCOPE_SCHOOL formulas compare against, each a (level,
// measure) of the indicator's thresholds.
enum class CheckThreshold {
  kWhole,              // LEVEL_ALL, no measure: G12, Q4.
  kPrimary,            // LEVEL_PRIMARY, no measure: G5.
  kJunior,             // LEVEL_JUNIOR, no measure: G5.
  kClassesPerRoom,     // G3: "classes_per_room".
  kMusicRoomArea,      // G3: "music_room_area_m2".
  kArtRoomArea,        // G3: "art_room_area_m2".
  kSingleLevelSchool,  // G4: "single_level_school".
  kThroughSchool,      // G4: "through_school".
};
inline constexpr int kCheckThresholds = 8;

// What EvaluateSchoolCheck looks up in its indicator for every school (its
// thresholds), looked up once: a county checks hundreds of schools against
// the same standard, and finding a threshold among the indicator's messages
// cost more than deciding it. Points into `indicator`, which must outlive it.
class SchoolCheckPlan {
 public:
  explicit SchoolCheckPlan(const junheng::v1::Indicator& indicator);

  const junheng::v1::Indicator& indicator() const { return *indicator_; }
  // indicator().code().
  absl::string_view code() const { return code_; }

  // FindThreshold(indicator(), level, measure) of `which`; nullptr when the
  // indicator has none.
  const junheng::v1::Threshold* Threshold(CheckThreshold which) const {
    return thresholds_[static_cast<int>(which)];
  }

 private:
  const junheng::v1::Indicator* indicator_;
  absl::string_view code_;
  const junheng::v1::Threshold* thresholds_[kCheckThresholds];
};

// The same, into `*result` (a default-constructed result): a county holds
// thousands, built in place rather than moved.
void EvaluateSchoolCheck(const SchoolCheckPlan& plan, const SchoolStats& school,
                         IndicatorResult* result);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_SCHOOL_CHECKS_H_
