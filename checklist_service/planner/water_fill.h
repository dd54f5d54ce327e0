// The coefficient sub-problem of the planner: raise the lowest school parts
// of one indicator at one level to a common level t, as little as possible,
// until the student-weighted difference coefficient is within its limit.
//
// With one unit cost for the resource, this is the optimum of
//   min Σ Pᵢ·(yᵢ − xᵢ)   s.t.  CV(y) ≤ L,  xᵢ ≤ yᵢ ≤ capᵢ,
// a linear objective over a convex set (S ≤ L·X̄ is a second-order cone in
// y): at the optimum every raised part ends at one level t and every part
// left alone is at or above it (the KKT conditions, since ∂(S² − L²X̄²)/∂yᵢ
// grows with yᵢ).
#ifndef JUNHENG_CHECKLIST_SERVICE_PLANNER_WATER_FILL_H_
#define JUNHENG_CHECKLIST_SERVICE_PLANNER_WATER_FILL_H_

#include <optional>

#include "absl/types/span.h"

namespace junheng::checklist::planner {

struct FillTerm {
  double students = 0;  // Pᵢ > 0
  double value = 0;     // xᵢ ≥ 0
  // The most it may be raised to: `value` for a part that cannot be raised,
  // infinity for no limit.
  double max_value = 0;
};

// The lowest level t at which clamp(t, valueᵢ, max_valueᵢ) meets
// N·Σ PᵢXᵢ² ≤ (1 + L²)·(Σ PᵢXᵢ)² (CV ≤ L); nullopt when no level does.
// A level below every value means nothing needs raising. In doubles: the
// caller rounds additions up to whole units and has the evaluator confirm.
std::optional<double> WaterLevel(absl::Span<const FillTerm> terms,
                                 double limit);

// CV(values) ≤ limit in doubles, for the search; decisions are the
// evaluator's.
bool WithinApprox(absl::Span<const FillTerm> terms, double limit);

}  // namespace junheng::checklist::planner

#endif  // JUNHENG_CHECKLIST_SERVICE_PLANNER_WATER_FILL_H_
