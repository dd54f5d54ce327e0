// The inter-school difference coefficient (差异系数) of one indicator at one
// level, weighted by students:
//
//   X̄  = Σ Pᵢ·Xᵢ / N              N = Σ Pᵢ, the county-wide value
//   S  = sqrt( Σ Pᵢ·(Xᵢ − X̄)² / N )
//   CV = S / X̄
//
// with Pᵢ the students and Xᵢ the value of school part i. A small school moves
// it little; the unweighted coefficient of the values is a different, wrong,
// number.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_COEFFICIENT_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_COEFFICIENT_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace junheng::checklist {

struct WeightedValue {
  // Students of the school part (Pᵢ).
  double weight = 0;
  // The indicator's value there (Xᵢ).
  double value = 0;
};

struct Coefficient {
  double county_value = 0;  // X̄
  double std_dev = 0;       // S
  double coefficient = 0;   // CV, unrounded
};

// Computes the coefficient of `values`.
// Errors: INVALID_ARGUMENT when `values` is empty, or a weight is not
// positive or a value negative or not finite; FAILED_PRECONDITION when the
// county-wide value is 0 (the coefficient is undefined).
absl::StatusOr<Coefficient> DifferenceCoefficient(
    absl::Span<const WeightedValue> values);

// The mean of `coefficients` (the 2012 composite coefficient). Errors:
// INVALID_ARGUMENT when empty.
absl::StatusOr<double> CompositeCoefficient(
    absl::Span<const double> coefficients);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_COEFFICIENT_H_
