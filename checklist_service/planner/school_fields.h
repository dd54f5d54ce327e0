// Where in a school's statistics a plan adds a resource: the column the
// evaluator reads for a school part (apportion.h's PartQuantity), so that an
// addition the planner counts on is an addition the evaluator sees.
#ifndef JUNHENG_CHECKLIST_SERVICE_PLANNER_SCHOOL_FIELDS_H_
#define JUNHENG_CHECKLIST_SERVICE_PLANNER_SCHOOL_FIELDS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/planner/planner.h"
#include "checklist_service/standard/formula.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist::planner {

// One column of a school's row: a count or a decimal figure (one of the two
// is set).
struct Field {
  std::optional<int64_t>* count = nullptr;
  std::optional<double>* figure = nullptr;

  bool reported() const {
    return count != nullptr ? count->has_value()
                            : figure != nullptr && figure->has_value();
  }
  double value() const {
    return count != nullptr ? static_cast<double>(**count) : **figure;
  }
};

// The column of `quantity` at `level` (LEVEL_PRIMARY, LEVEL_JUNIOR: the
// part's own; LEVEL_ALL: the whole school's shared figure). Teacher counts
// exist only per part: nullptr fields for LEVEL_ALL.
Field FieldAt(SchoolStats& school, junheng::v1::Level level, Quantity quantity);

// The figure FieldAt points to, read only: nullopt when not reported.
std::optional<double> ReportedAt(const SchoolStats& school,
                                 junheng::v1::Level level, Quantity quantity);

// Whether a school of this type has the `level` part.
bool HasPart(const SchoolStats& school, junheng::v1::Level level);

// The level a plan adds `quantity` at for the `level` part: the part itself
// for teachers and for a shared resource the part reports on its own
// (p_teaching_area_m2, …), LEVEL_ALL for a shared resource reported for the
// whole school only.
junheng::v1::Level TargetLevel(const SchoolStats& school,
                               junheng::v1::Level level, Quantity quantity);

// Applies actions[i] to `county` in place, all or nothing: every check is
// made before anything changes. `school` and `donor` are the action's
// schools in `county` (nullptr: not there). Errors as ApplyPlan's.
absl::Status ApplyAction(CountyInput& county, size_t i,
                         const PlanAction& action, SchoolStats* school,
                         SchoolStats* donor);

}  // namespace junheng::checklist::planner

#endif  // JUNHENG_CHECKLIST_SERVICE_PLANNER_SCHOOL_FIELDS_H_
