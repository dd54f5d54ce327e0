// The rectification planner: the cheapest set of actions after which the
// evaluator itself says a county's resource part passes.
//
// A pure library beside the evaluator: statistics, a standard and a cost
// model in, a plan out. It reads no clock, file or network, and returns the
// same plan for the same inputs.
//
// What a plan must achieve (the standard's resource part, 2017):
//   - every counted school part meets the school rule (at least min_met of
//     the rule's indicators, each miss at least floor_fraction of its
//     threshold), or every indicator when the county asks for that;
//   - every difference coefficient with a limit is at most its limit.
//
// Actions: add whole units of a resource at a school (teachers, m², yuan,
// classrooms), or rotate teachers (交流轮岗) between two school parts of the
// same level. A rotation never makes the donor miss an indicator it met:
// the donor keeps at least the threshold of the rotated kind, and a
// rotation is made only when it also lowers that kind's coefficient.
//
// How (planner.cc says more): each school's rule is met by the cheapest
// choice of which misses to leave (enumerated exactly; a nine-year school's
// parts share their building and equipment, so its parts are chosen
// together); each coefficient over its limit is then closed by water-filling,
// raising the lowest school parts to a common level, which for one unit cost
// per resource is the optimum of the convex (second-order cone) condition
// S ≤ L·X̄; teachers are rotated before any is hired. Every plan is then
// applied and evaluated by the evaluator; only a plan the evaluator passes is
// returned as feasible.
#ifndef JUNHENG_CHECKLIST_SERVICE_PLANNER_PLANNER_H_
#define JUNHENG_CHECKLIST_SERVICE_PLANNER_PLANNER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/evaluator/verdict.h"
#include "checklist_service/standard/formula.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// A resource a plan adds, by its CSV column without the p_/j_ prefix
// ("backbone_teachers", "sports_area_m2", …): ResourceOfColumn and
// InfoOf(quantity).column convert.
std::optional<Quantity> ResourceOfColumn(absl::string_view column);

// Every resource a plan can add, in the data contract's order.
absl::Span<const Quantity> PlannableResources();

// Whether a quantity is a count of teachers (reported per part, movable by
// rotation) rather than a school's building, equipment or rooms.
bool IsTeacherKind(Quantity quantity);

// Prices and constraints.
struct CostModel {
  // Yuan per unit (a teacher, a m², a yuan, a classroom). A resource
  // without a price cannot be added.
  std::map<Quantity, double> unit_cost_yuan;
  // Yuan per teacher rotated; nullopt: rotation is not allowed.
  std::optional<double> rotation_cost_yuan;
  // Per school code: the most units of a resource that may be added there
  // (0: none, e.g. no land to build on). Rotation into or out of a school
  // is limited by the teacher kind's entry as well.
  std::map<std::string, std::map<Quantity, double>> max_units;
};

// Parses a cost file (the defaults are standards/rectification-costs.csv,
// parsed over an empty model; a county's own file is parsed over those)
// (CSV with header `school_code,resource,unit_cost_yuan,
// max_units`; an empty school_code sets the county-wide price, the resource
// `rotation` the rotation cost; a row with a school_code sets only a
// limit) over `base`. Errors: INVALID_ARGUMENT naming line and column for
// an unknown resource, a negative or non-finite cost or limit, a price on a
// school row, a malformed line.
absl::StatusOr<CostModel> ParseCostModel(absl::string_view csv,
                                         const CostModel& base);

struct PlanOptions {
  // Every school part meets every resource indicator, not only the rule.
  bool require_every_indicator = false;
};

// A gap a plan closes: a school part's indicator, or a coefficient.
struct PlanGap {
  std::string indicator;  // the standard's code, e.g. "R5"
  junheng::v1::Level level = junheng::v1::LEVEL_PRIMARY;
  bool coefficient = false;
  std::string school_code;  // empty for a coefficient
};

struct PlanAction {
  enum class Kind { kAdd, kRotate };
  Kind kind = Kind::kAdd;
  std::string school_code;       // where the resource goes
  std::string from_school_code;  // kRotate: the donor
  // The part (teachers, a part's own column) or LEVEL_ALL (a whole-school
  // figure shared between the parts by apportionment).
  junheng::v1::Level level = junheng::v1::LEVEL_ALL;
  Quantity resource = Quantity::kNone;
  // Whole units, > 0.
  double quantity = 0;
  double cost_yuan = 0;
  std::vector<PlanGap> closes;
};

struct PlanObstacle {
  enum class Kind { kNotReported, kConstrained, kUnbounded };
  Kind kind = Kind::kNotReported;
  PlanGap gap;
  // A sentence a person can act on, in Chinese.
  std::string message;
};

struct Plan {
  // Every gap closed within the constraints, confirmed by the evaluator.
  bool feasible = false;
  std::vector<PlanAction> actions;
  double total_cost_yuan = 0;
  // By resource column ("backbone_teachers", …) and "rotation".
  std::map<std::string, double> cost_by_resource;
  std::vector<PlanObstacle> obstacles;
  // The resource area's outcome before and after the actions.
  Outcome resource_before = Outcome::kNotReported;
  Outcome resource_after = Outcome::kNotReported;
};

// Plans the resource part of `input`'s county under `standard`.
//
// Errors (nothing planned):
//   FAILED_PRECONDITION  the standard has no resource area with
//                        school-level indicators, or fails CheckEvaluable.
//   INVALID_ARGUMENT     input the evaluator refuses (the message names the
//                        school and column); a negative or non-finite
//                        price or limit.
absl::StatusOr<Plan> PlanRectification(
    const junheng::v1::IndicatorStandard& standard, const CountyInput& input,
    const CostModel& costs, const PlanOptions& options = {});

// `input` with `actions` applied: additions added to the column the
// evaluator reads (a part's own column when reported, else the whole
// school's), rotations moving teachers (their kind's count, `teachers` and
// `certified_teachers` where reported) between parts.
// Errors: INVALID_ARGUMENT naming the action for an unknown school, a school
// of another county, a part the school does not have, a quantity that is
// not a positive whole number (or not positive for areas and money), a
// rotation between levels or from a part without that many teachers, a
// resource whose column is blank (nothing to add to: report it first).
absl::StatusOr<CountyInput> ApplyPlan(const CountyInput& input,
                                      absl::Span<const PlanAction> actions);

// Each counted school part's contribution to a difference coefficient.
struct CoefficientDriver {
  std::string school_code;
  int64_t students = 0;
  double value = 0;
  // Pᵢ(xᵢ − X̄)² / (N·X̄²); a coefficient's shares sum to CV².
  double share_of_cv_squared = 0;
  bool below_mean = false;
};

struct CoefficientDrivers {
  std::string indicator;
  junheng::v1::Level level = junheng::v1::LEVEL_PRIMARY;
  double coefficient = 0;
  std::optional<double> limit;
  // Largest share first.
  std::vector<CoefficientDriver> drivers;
};

// The drivers of every coefficient of `verdict` that could be computed, from
// the verdict's own per-part values (no re-evaluation).
std::vector<CoefficientDrivers> DriversOf(const CountyVerdict& verdict);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_PLANNER_PLANNER_H_
